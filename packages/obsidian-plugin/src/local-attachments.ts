/**
 * "Upload local attachments in this note": every link that embeds a vault file (`![[a.png|300]]`, `![](b%20c.png)`,
 * a reference definition `[r1]: pics/c.png`, an HTML `<img src>`/`<video src>`…) is uploaded, and replaced only once
 * its own upload succeeded. Links written in code are examples and never touched. What is skipped is reported with
 * the reason. Deleting the local files afterwards is opt-in, and skipped for files other notes still use.
 */
import { findLinks, type MarkdownLink } from '@bytedrop/core';
import type { App, TFile } from 'obsidian';
import { isUploadable, KIND_LABELS, KIND_TYPES } from './kinds';
import { recordOf } from './ledger';
import { relinkTo } from './link-text';
import { noteContext } from './note-context';
import { EVERY_LINK, rewriteLinks } from './note-edit';
import { notify } from './notices';
import type { UploadHost } from './paste-flow';
import { listOf, SETTING } from './setting-names';
import type { BytedropSettings } from './settings';
import { missingSettings } from './setup';
import { stillUsed } from './usage';
import { type NoticeAction, wordError } from './wording';

/** One attachment link as written in the note. */
export interface LocalEmbed {
  /** The exact source text, e.g. `![[a.png|300]]`. */
  original: string;
  /** The link path, decoded: `b c.png`. */
  path: string;
  /** Alt text (Markdown, HTML), alias (wikilink) or label (reference), if any. */
  alt?: string;
}

/**
 * A link that embeds a vault file: an image or `![[…]]` embed, a reference definition (it may be used as an image),
 * or an HTML media element. Plain links (`[x](f.pdf)`, `[[f.pdf]]`, `<a href>`) point at a file without showing it.
 */
function isAttachmentLink(link: MarkdownLink): boolean {
  if (!link.local) return false;
  if (link.kind === 'reference') return true;
  if (link.kind === 'html') return link.image || /^<(video|audio|source)\b/i.test(link.text);
  return link.image;
}

/** Every attachment link in `text` that points into the vault; links written in code are examples, not links. */
export function findLocalEmbeds(text: string): LocalEmbed[] {
  return findLinks(text, EVERY_LINK)
    .filter(isAttachmentLink)
    .map((link) => ({ original: link.text, path: link.path, ...(link.label ? { alt: link.label } : {}) }));
}

/** The files the note's attachment links point at, and why the others are skipped. */
function collect(app: App, note: TFile, text: string, settings: BytedropSettings) {
  const files = new Set<TFile>();
  const skipped = new Map<string, string>();
  for (const link of findLinks(text, EVERY_LINK).filter(isAttachmentLink)) {
    const file = app.metadataCache.getFirstLinkpathDest(link.path, note.path);
    // Notes and canvases embedded in a note are content, not attachments: nothing to say about them.
    if (file?.extension === 'md' || file?.extension === 'canvas') continue;
    if (file === null) skipped.set(link.path, 'not in the vault');
    else if (!isUploadable({ name: file.name }, settings.uploadKinds)) {
      skipped.set(file.name, `“${SETTING.uploadKinds}” is ${KIND_LABELS[settings.uploadKinds]}`);
    } else files.add(file);
  }
  return { files, skipped };
}

/** Runs the command on `note`. Resolves when every upload has settled; reports the outcome in one Notice. */
export async function uploadLocalAttachments(host: UploadHost, note: TFile, text: string): Promise<void> {
  const { app, settings } = host;
  const missing = missingSettings(settings, app.secretStorage);
  if (missing.length > 0) {
    notify(host, `Bytedrop: fill in ${listOf(missing)} in Bytedrop’s settings first.`, ['open-settings']);
    return;
  }
  const context = noteContext(app, note);
  const { files, skipped } = collect(app, note, text, settings);
  const skipNote =
    skipped.size === 0
      ? ''
      : ` Skipped: ${[...skipped].map(([name, reason]) => `${name} (${reason})`).join('; ')}.`;
  if (files.size === 0) {
    notify(host, `Bytedrop: no local attachments to upload in this note.${skipNote}`);
    return;
  }

  const failures: string[] = [];
  const fixes = new Set<NoticeAction>();
  let uploaded = 0;
  let trashed = 0;
  // One at a time: a note with dozens of images should not open dozens of connections on a phone.
  for (const file of files) {
    const controller = new AbortController();
    host.inFlight.add(controller);
    try {
      const bytes = new Uint8Array(await app.vault.readBinary(file));
      const allowedTypes = KIND_TYPES[settings.uploadKinds];
      const result = await host.uploader().upload(bytes, {
        filename: file.name,
        size: bytes.byteLength,
        signal: controller.signal,
        vars: context.vars,
        ...(context.keyPrefix ? { keyPrefix: context.keyPrefix } : {}),
        ...(allowedTypes ? { allowedTypes } : {}),
      });
      // Found again in the note as it is now (the user may have typed meanwhile), by offsets: never in code.
      await rewriteLinks(app, note, (link) =>
        isAttachmentLink(link) && app.metadataCache.getFirstLinkpathDest(link.path, note.path) === file
          ? relinkTo(link, result, settings)
          : undefined,
      );
      uploaded++;
      const trash = !settings.keepLocalCopies && !(await stillUsed(app, file, note));
      await host.ledger.record(recordOf(result, trash ? undefined : file.path));
      if (trash) {
        await app.fileManager.trashFile(file);
        trashed++;
      }
    } catch (error) {
      const { message, actions } = wordError(error, settings, app.secretStorage);
      failures.push(`${file.name}: ${message}`);
      for (const action of actions) fixes.add(action);
    } finally {
      host.inFlight.delete(controller);
    }
  }
  const summary = `Bytedrop: uploaded ${uploaded} of ${files.size} local attachment${files.size === 1 ? '' : 's'}`;
  const trashNote = trashed > 0 ? `, moved ${trashed} to the trash` : '';
  const failNote = failures.length === 0 ? '' : ` Kept as local: ${failures.join('; ')}.`;
  notify(
    host,
    `${summary}${trashNote}.${failNote}${skipNote}`,
    [...fixes],
    failures.length === 0 ? undefined : 0,
  );
}
