/**
 * "Upload local attachments in this note": every local file embed (`![[a.png]]`, `![](b%20c.png)`,
 * `![](<b c.png>)`) is uploaded, and its embed replaced by the link only once that upload succeeded.
 * Deleting the local files afterwards is opt-in, and skipped for files other notes still use.
 */
import { findLinks, type MarkdownLink, type UploadResult } from '@bytedrop/core';
import type { App, TFile } from 'obsidian';
import { isUploadable, KIND_TYPES } from './kinds';
import { splitLabel, uploadedLink } from './link-text';
import { noteContext } from './note-context';
import { currentText, EVERY_LINK, rewriteLinks } from './note-edit';
import { notify } from './notices';
import type { UploadHost } from './paste-flow';
import { listOf } from './setting-names';
import type { BytedropSettings } from './settings';
import { missingSettings } from './setup';
import { type NoticeAction, wordError } from './wording';

/** One embed as written in the note. */
export interface LocalEmbed {
  /** The exact source text, e.g. `![[a.png|300]]`. */
  original: string;
  /** The link path, decoded: `b c.png`. */
  path: string;
  /** Alt text (Markdown) or alias (wikilink), if any. */
  alt?: string;
}

/** An embed that points into the vault (URLs and data: links are not local). */
function isLocalEmbed(link: MarkdownLink): boolean {
  return link.image && link.local && (link.kind === 'inline' || link.kind === 'wiki');
}

/** Every embed in `text` that points into the vault; embeds written in code are examples, not embeds. */
export function findLocalEmbeds(text: string): LocalEmbed[] {
  return findLinks(text, EVERY_LINK)
    .filter(isLocalEmbed)
    .map((link) => ({ original: link.text, path: link.path, ...(link.label ? { alt: link.label } : {}) }));
}

/**
 * The link that replaces `link` once its file is uploaded. A wikilink has no place for a URL, so it becomes a link
 * in the "Link format" setting, keeping its alias as alt text and its `|300` size; any other form keeps its own
 * syntax, text and title, with only the destination changed.
 */
function replacementFor(link: MarkdownLink, result: UploadResult, settings: BytedropSettings): string {
  return link.kind === 'wiki'
    ? uploadedLink(result, settings, splitLabel(link.label))
    : link.withUrl(result.url);
}

/** Runs the command on `note`. Resolves when every upload has settled; reports the outcome in one Notice. */
export async function uploadLocalAttachments(
  host: UploadHost,
  note: TFile,
  currentText: string,
): Promise<void> {
  const { app, settings } = host;
  const missing = missingSettings(settings, app.secretStorage);
  if (missing.length > 0) {
    notify(host, `Bytedrop: fill in ${listOf(missing)} in Bytedrop’s settings first.`, ['open-settings']);
    return;
  }
  const context = noteContext(app, note);
  const fileOf = (link: MarkdownLink) => app.metadataCache.getFirstLinkpathDest(link.path, note.path);
  const byFile = new Set<TFile>();
  for (const link of findLinks(currentText, EVERY_LINK).filter(isLocalEmbed)) {
    const file = fileOf(link);
    if (file === null || file.extension === 'md' || file.extension === 'canvas') continue;
    if (!isUploadable({ name: file.name }, settings.uploadKinds)) continue;
    byFile.add(file);
  }
  if (byFile.size === 0) {
    notify(host, 'Bytedrop: no local attachments to upload in this note.');
    return;
  }

  const failures: string[] = [];
  const fixes = new Set<NoticeAction>();
  let uploaded = 0;
  let trashed = 0;
  // One at a time: a note with dozens of images should not open dozens of connections on a phone.
  for (const file of byFile) {
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
        isLocalEmbed(link) && fileOf(link) === file ? replacementFor(link, result, settings) : undefined,
      );
      uploaded++;
      if (settings.deleteLocalAfterUpload && !(await stillUsed(app, file, note))) {
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
  const summary = `Bytedrop: uploaded ${uploaded} of ${byFile.size} local attachment${byFile.size === 1 ? '' : 's'}`;
  const trashNote = trashed > 0 ? `, moved ${trashed} to the trash` : '';
  notify(
    host,
    failures.length === 0
      ? `${summary}${trashNote}.`
      : `${summary}${trashNote}. Kept as local: ${failures.join('; ')}`,
    [...fixes],
    failures.length === 0 ? undefined : 0,
  );
}

/** Another note links to it, or this note still links to it (a plain link rather than an embed). */
async function stillUsed(app: App, file: TFile, note: TFile): Promise<boolean> {
  for (const [source, targets] of Object.entries(app.metadataCache.resolvedLinks)) {
    if (source !== note.path && targets[file.path]) return true;
  }
  const text = await currentText(app, note);
  const targets = findLinks(text, { wikiEmbeds: true, wikiLinks: true })
    .filter((link) => link.local)
    .map((link) => link.path);
  return targets.some((target) => app.metadataCache.getFirstLinkpathDest(target, note.path) === file);
}
