/**
 * Links to uploaded files: which URLs are Bytedrop's (the ledger knows them, or they are under the bucket's public
 * base URL), what their key is, and which notes of the vault link them. Shared by "Delete remote file", "Change link
 * base URL" and "Bring files back".
 */
import { findLinks, type MarkdownLink, type Uploader } from '@bytedrop/core';
import type { App, TFile } from 'obsidian';
import type { UploadLedger, UploadRecord } from './ledger';
import { currentText, EVERY_LINK } from './note-edit';

/** An uploaded file a link points at. */
export interface RemoteFile {
  url: string;
  /** Its key in the current bucket, when the URL is under the bucket's public base URL. */
  key?: string;
  /** What the ledger remembers of its upload, if anything. */
  record?: UploadRecord;
}

/** The http(s) URL a link points at, or undefined for links into the vault (and wikilinks, which hold no URL). */
export function urlOf(link: MarkdownLink): string | undefined {
  if (link.local || link.kind === 'wiki') return undefined;
  const raw = link.destination.startsWith('<') ? link.destination.slice(1, -1) : link.destination;
  return /^https?:\/\//i.test(raw) ? raw : undefined;
}

/** The same resource, whatever trivial spelling differences (case of the host, default port). */
export function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

/** The bucket's public base URL with a trailing `/`, from the S3 target's own URL builder; undefined otherwise. */
export function bucketBase(uploader: () => Uploader): string | undefined {
  try {
    const store = (uploader() as { store?: { kind: string; publicUrl(key: string): string } }).store;
    return store?.kind === 's3' ? store.publicUrl('k').slice(0, -1) : undefined;
  } catch {
    // Not set up: only the ledger can say what is ours.
    return undefined;
  }
}

/** The key `url` names under `base` (each segment percent-decoded, as publicUrl encoded it), if it is under it. */
export function keyUnder(base: string | undefined, url: string): string | undefined {
  if (base === undefined || !url.startsWith(base)) return undefined;
  const path = url.slice(base.length).replace(/[?#].*$/s, '');
  try {
    return path === '' ? undefined : path.split('/').map(decodeURIComponent).join('/');
  } catch {
    return undefined;
  }
}

/** The uploaded file `url` names, or undefined when it is not Bytedrop's. */
export async function remoteFileOf(
  url: string,
  ledger: UploadLedger,
  base: string | undefined,
): Promise<RemoteFile | undefined> {
  const record = await ledger.find(url);
  const key = keyUnder(base, url);
  if (record === undefined && key === undefined) return undefined;
  return { url, ...(key === undefined ? {} : { key }), ...(record === undefined ? {} : { record }) };
}

/** Every note of the vault with its links as they are now (open editors' unsaved text included). */
export async function vaultLinks(app: App): Promise<{ note: TFile; links: MarkdownLink[] }[]> {
  const notes: { note: TFile; links: MarkdownLink[] }[] = [];
  for (const note of app.vault.getMarkdownFiles()) {
    notes.push({ note, links: findLinks(await currentText(app, note), EVERY_LINK) });
  }
  return notes;
}

/** The notes other than `except` that link any of `urls`, by URL. */
export async function notesLinking(
  app: App,
  urls: readonly string[],
  except: TFile,
): Promise<Map<string, string[]>> {
  const users = new Map<string, string[]>();
  for (const { note, links } of await vaultLinks(app)) {
    if (note === except) continue;
    for (const url of urls) {
      if (links.some((link) => sameUrl(urlOf(link) ?? '', url))) {
        users.set(url, [...(users.get(url) ?? []), note.path]);
      }
    }
  }
  return users;
}
