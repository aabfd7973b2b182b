/**
 * Core's `PendingHost` for Obsidian: how a pending upload reads its local copy, reaches its note and leaves the
 * vault. The note is edited where it is now (open editor or file) and saved before the entry closes, so a crash
 * right after can never leave a note on disk pointing at a copy that was removed.
 */
import { findLinks, type PendingHost, type PendingUpload, type UploadedFile } from '@bytedrop/core';
import type { App, TFile } from 'obsidian';
import type { UploadLedger } from './ledger';
import { recordOf } from './ledger';
import { relinkTo, uploadedLink } from './link-text';
import { EVERY_LINK, editNote, type NoteEdit, openViewOf } from './note-edit';
import type { BytedropSettings } from './settings';
import { stillUsed } from './usage';

/** What the swap needs from the plugin. */
export interface SwapHost {
  readonly app: App;
  readonly settings: BytedropSettings;
  readonly ledger: UploadLedger;
}

/**
 * The edits that point `text` at the upload: the placeholder wherever it is (an entry that never got its local
 * link), else every link that resolves to the local copy. The link Bytedrop inserted becomes a link in the user's
 * "Link format"; a link the user edited or copied keeps its form, alt text and size.
 */
function swapEdits(
  app: App,
  note: TFile,
  text: string,
  entry: PendingUpload,
  uploaded: UploadedFile,
  settings: BytedropSettings,
) {
  const fresh = uploadedLink(uploaded, settings);
  const edits: NoteEdit[] = [];
  if (entry.match === 'text') {
    for (
      let at = text.indexOf(entry.text);
      at !== -1;
      at = text.indexOf(entry.text, at + entry.text.length)
    ) {
      edits.push({ from: at, to: at + entry.text.length, text: fresh });
    }
    return edits;
  }
  for (const link of findLinks(text, EVERY_LINK)) {
    if (!link.local || app.metadataCache.getFirstLinkpathDest(link.path, note.path)?.path !== entry.file)
      continue;
    edits.push({
      from: link.start,
      to: link.end,
      text: link.text === entry.text ? fresh : relinkTo(link, uploaded, settings),
    });
  }
  return edits;
}

export function vaultSwap(host: SwapHost, session: ReadonlyMap<string, Uint8Array>): PendingHost {
  const { app } = host;
  return {
    async read(entry) {
      // A paste of this session still holds its bytes; after a restart they come from the local copy.
      const bytes = session.get(entry.id);
      if (bytes) return bytes;
      const file = app.vault.getFileByPath(entry.file);
      if (file === null) throw new Error(`the local copy ${entry.file} is gone`);
      return new Uint8Array(await app.vault.readBinary(file));
    },

    async swap(entry, uploaded) {
      const note = app.vault.getFileByPath(entry.note);
      if (note === null) return false;
      const count = await editNote(app, note, (text) =>
        swapEdits(app, note, text, entry, uploaded, host.settings),
      );
      if (count === 0) return false;
      await openViewOf(app, note)?.save();
      await host.ledger.record(recordOf(uploaded, entry.removeLocal ? undefined : entry.file));
      return true;
    },

    async removeLocal(entry) {
      const file = app.vault.getFileByPath(entry.file);
      if (file !== null && !(await stillUsed(app, file, app.vault.getFileByPath(entry.note)))) {
        await app.fileManager.trashFile(file);
      }
    },
  };
}
