/** Whether a vault file is still linked, so that Bytedrop never trashes a file a note still shows. */
import { findLinks } from '@bytedrop/core';
import type { App, TFile } from 'obsidian';
import { currentText, EVERY_LINK } from './note-edit';

/**
 * Another note links to `file` (by Obsidian's resolved links), or `note` itself still does. `note` is read as it is
 * now rather than trusted to the metadata cache, which catches up with an edit a moment after it.
 */
export async function stillUsed(app: App, file: TFile, note: TFile | null): Promise<boolean> {
  for (const [source, targets] of Object.entries(app.metadataCache.resolvedLinks)) {
    if (source !== note?.path && targets[file.path]) return true;
  }
  if (note === null) return false;
  return findLinks(await currentText(app, note), EVERY_LINK)
    .filter((link) => link.local)
    .some((link) => app.metadataCache.getFirstLinkpathDest(link.path, note.path) === file);
}
