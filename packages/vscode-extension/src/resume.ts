/**
 * At start, every entry the journal still holds is finished: a crash, a reload or a closed window in the middle of
 * an upload is repaired by the next start. An entry whose copy was never written whole (the window went away while
 * the bytes were still arriving) cannot be uploaded: its link is taken out of the note, so it never points at
 * nothing, and the user is told which file to paste again.
 */
import type { PendingJournal, PendingUpload } from '@bytedrop/core';
import * as vscode from 'vscode';
import { copyIsWhole, writeCopy } from './local-copy';
import { removeStandIn } from './swap';
import type { UploadRunner } from './uploads';

/** Makes the entry's copy whole again where that can be done; false when the file is lost. */
async function restoreCopy(journal: PendingJournal, entry: PendingUpload): Promise<boolean> {
  // Uploaded already: the copy may be gone by design (removed after the swap); finishing needs the upload only.
  if (entry.uploaded || (await copyIsWhole(entry))) return true;
  try {
    // A copy written whole once (its size recorded) and changed since is the user's edit: it is uploaded as it is.
    if (entry.source || entry.size >= 0) {
      entry.size = await writeCopy(entry, { name: entry.name, contentType: entry.contentType ?? '' });
      await journal.update(entry);
      return true;
    }
  } catch {
    return false; // the source (or the copy) is gone
  }
  // Bytes from a paste that were never written whole: whatever is there is a fragment of ours.
  await vscode.workspace.fs.delete(vscode.Uri.parse(entry.file)).then(undefined, () => undefined);
  return false;
}

/**
 * Finishes what the journal holds. Entries it cannot read are named in the output channel and left alone.
 *
 * @example
 * ```ts
 * void secrets.loaded.then(() => resumePending(journal, runner, output));
 * ```
 */
export async function resumePending(
  journal: PendingJournal,
  runner: UploadRunner,
  output: vscode.OutputChannel,
): Promise<void> {
  const { entries, unreadable } = await journal.open();
  for (const { id, reason } of unreadable) {
    output.appendLine(`Bytedrop: skipped the unreadable pending upload ${id} (${reason}).`);
  }
  const ready: PendingUpload[] = [];
  const lost: PendingUpload[] = [];
  for (const entry of entries) {
    if (await restoreCopy(journal, entry)) ready.push(entry);
    else lost.push(entry);
  }
  for (const entry of lost) {
    await removeStandIn(entry);
    await journal.close(entry.id);
  }
  if (lost.length) {
    const where = lost.map(
      (entry) => `${entry.name} (in ${vscode.workspace.asRelativePath(vscode.Uri.parse(entry.note))})`,
    );
    void vscode.window.showWarningMessage(
      `Bytedrop: ${where.join(', ')} arrived just as VS Code closed and was never saved, so the link was taken out: paste or drop the file again.`,
    );
  }
  if (ready.length) await runner.run(ready);
}
