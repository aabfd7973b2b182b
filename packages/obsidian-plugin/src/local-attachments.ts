/**
 * "Upload local attachments in this note": every local file embed (`![[a.png]]`, `![](b%20c.png)`,
 * `![](<b c.png>)`) is uploaded, and its embed replaced by the link only once that upload succeeded.
 * Deleting the local files afterwards is opt-in, and skipped for files other notes still use.
 */
import { findLinks, formatLink } from '@bytedrop/core';
import { type App, MarkdownView, Notice, type TFile } from 'obsidian';
import { isUploadable, KIND_TYPES } from './kinds';
import { noteContext } from './note-context';
import { replaceInNote } from './note-edit';
import { describeError } from './notices';
import type { UploadHost } from './paste-flow';

/** One embed as written in the note. */
export interface LocalEmbed {
  /** The exact source text, e.g. `![[a.png|300]]`. */
  original: string;
  /** The link path, decoded: `b c.png`. */
  path: string;
  /** Alt text (Markdown) or alias (wikilink), if any. */
  alt?: string;
}

/** Every embed in `text` that points into the vault (URLs and data: links are not local). */
export function findLocalEmbeds(text: string): LocalEmbed[] {
  return findLinks(text, { wikiEmbeds: true })
    .filter((link) => link.image && link.local)
    .map((link) => ({ original: link.text, path: link.path, ...(link.label ? { alt: link.label } : {}) }));
}

/** Width-only aliases (`|300`, `|300x200`) size the image; they are not alt text. */
function altFor(embed: LocalEmbed): string | undefined {
  return embed.alt && !/^\d+(x\d+)?$/.test(embed.alt) ? embed.alt : undefined;
}

/** Runs the command on `note`. Resolves when every upload has settled; reports the outcome in one Notice. */
export async function uploadLocalAttachments(
  host: UploadHost,
  note: TFile,
  currentText: string,
): Promise<void> {
  const { app, settings } = host;
  const context = noteContext(app, note);
  const byFile = new Map<TFile, LocalEmbed[]>();
  for (const embed of findLocalEmbeds(currentText)) {
    const file = app.metadataCache.getFirstLinkpathDest(embed.path, note.path);
    if (file === null || file.extension === 'md' || file.extension === 'canvas') continue;
    if (!isUploadable({ name: file.name }, settings.uploadKinds)) continue;
    byFile.set(file, [...(byFile.get(file) ?? []), embed]);
  }
  if (byFile.size === 0) {
    new Notice('Bytedrop: no local attachments to upload in this note.');
    return;
  }

  const failures: string[] = [];
  let uploaded = 0;
  let trashed = 0;
  // One at a time: a note with dozens of images should not open dozens of connections on a phone.
  for (const [file, embeds] of byFile) {
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
      for (const embed of embeds) {
        const alt = altFor(embed);
        const link = formatLink(result, settings.linkFormat, {
          template: settings.customLinkTemplate,
          ...(alt ? { alt } : {}),
        });
        await replaceInNote(app, note, embed.original, link);
      }
      uploaded++;
      if (settings.deleteLocalAfterUpload && !(await stillUsed(app, file, note))) {
        await app.fileManager.trashFile(file);
        trashed++;
      }
    } catch (error) {
      failures.push(`${file.name}: ${describeError(error)}`);
    } finally {
      host.inFlight.delete(controller);
    }
  }
  const summary = `Bytedrop: uploaded ${uploaded} of ${byFile.size} local attachment${byFile.size === 1 ? '' : 's'}`;
  const trashNote = trashed > 0 ? `, moved ${trashed} to the trash` : '';
  new Notice(
    failures.length === 0
      ? `${summary}${trashNote}.`
      : `${summary}${trashNote}. Kept as local: ${failures.join('; ')}`,
    failures.length === 0 ? undefined : 0,
  );
}

/** Another note links to it, or this note still links to it (a plain link rather than an embed). */
async function stillUsed(app: App, file: TFile, note: TFile): Promise<boolean> {
  for (const [source, targets] of Object.entries(app.metadataCache.resolvedLinks)) {
    if (source !== note.path && targets[file.path]) return true;
  }
  const open = app.workspace
    .getLeavesOfType('markdown')
    .map((leaf) => leaf.view)
    .find((view): view is MarkdownView => view instanceof MarkdownView && view.file === note);
  const text = open ? open.editor.getValue() : await app.vault.cachedRead(note);
  const targets = findLinks(text, { wikiEmbeds: true, wikiLinks: true })
    .filter((link) => link.local)
    .map((link) => link.path);
  return targets.some((target) => app.metadataCache.getFirstLinkpathDest(target, note.path) === file);
}
