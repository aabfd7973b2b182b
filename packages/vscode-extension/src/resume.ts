/**
 * At start, every entry the journal still holds is finished: a crash, a reload or a closed window in the middle of
 * an upload is repaired by the next start. An entry whose copy is gone (deleted meanwhile, its source too) cannot be
 * uploaded: the entry is closed and the user told which link points at nothing.
 */
import type { PendingJournal, PendingUpload } from '@bytedrop/core';
import * as vscode from 'vscode';
import { copyIsWhole, writeCopy } from './local-copy';
import type { UploadRunner } from './uploads';

/** Makes the entry's copy whole again where that can be done; false when the file is gone. */
async function restoreCopy(journal: PendingJournal, entry: PendingUpload): Promise<boolean> {
  // Uploaded already: the copy may be gone by design (removed after the swap); finishing needs the upload only.
  if (entry.uploaded || (await copyIsWhole(entry))) return true;
  try {
    // Copied again from its source, or (a copy the user changed since) measured again and uploaded as it is now.
    entry.size = await writeCopy(entry);
    await journal.update(entry);
    return true;
  } catch {
    return false;
  }
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
  for (const entry of lost) await journal.close(entry.id);
  if (lost.length) {
    const where = lost.map(
      (entry) =>
        `${vscode.workspace.asRelativePath(vscode.Uri.parse(entry.file))} (linked from ${vscode.workspace.asRelativePath(vscode.Uri.parse(entry.note))})`,
    );
    void vscode.window.showWarningMessage(
      `Bytedrop: could not finish the upload of ${where.join(', ')}: the file is gone. Paste or drop it again.`,
    );
  }
  if (ready.length) await runner.run(ready);
}
