/**
 * The first half of a paste: each file written into the vault where Obsidian's own paste would put it (the
 * "Files and links" attachment folder, Obsidian's naming) and linked from the note in place of its placeholder.
 * A file to upload gets its journal entry before its copy is written, so a crash at any point is found at the next
 * start; then pending.ts uploads it.
 */
import type { PendingUpload } from '@bytedrop/core';
import type { App, TFile } from 'obsidian';
import { isUploadable } from './kinds';
import { attachmentName } from './local-save';
import { openViewOf, replaceInNote } from './note-edit';
import { notify } from './notices';
import type { UploadHost } from './paste-flow';
import { SETTING } from './setting-names';

/** One file of a paste or drop, with the placeholder standing for it in the note. */
export interface Job {
  file: File;
  placeholder: string;
  /** The settings upload it; otherwise it is only saved in the vault. */
  upload: boolean;
}

/**
 * Writes `bytes` at a free attachment path of `note`. Two pastes at once can be handed the same free path (each
 * asks before either writes): the second then asks again. `moved` hears of each new path before it is written.
 */
async function createAttachment(
  app: App,
  path: string,
  bytes: ArrayBuffer,
  note: TFile,
  moved: (path: string) => Promise<void>,
): Promise<TFile> {
  for (let attempt = 1, target = path; ; attempt++) {
    try {
      return await app.vault.createBinary(target, bytes);
    } catch (error) {
      if (attempt >= 5 || app.vault.getAbstractFileByPath(target) === null) throw error;
      target = await app.fileManager.getAvailablePathForAttachment(
        target.split('/').pop() ?? target,
        note.path,
      );
      await moved(target);
    }
  }
}

async function keepOne(host: UploadHost, note: TFile, job: Job): Promise<void> {
  const { app, settings, pending } = host;
  let entry: PendingUpload | undefined;
  try {
    const path = await app.fileManager.getAvailablePathForAttachment(
      attachmentName(job.file.name),
      note.path,
    );
    entry = job.upload
      ? await pending.add({
          note: note.path,
          file: path,
          name: job.file.name,
          ...(job.file.type ? { contentType: job.file.type } : {}),
          size: job.file.size,
          text: job.placeholder,
          match: 'text',
          removeLocal: !settings.keepLocalCopies,
        })
      : undefined;
    // Read once: written as the copy, then uploaded from memory (core reads a File twice, to hash and to send).
    const bytes = await job.file.arrayBuffer();
    const copy = await createAttachment(app, path, bytes, note, async (moved) => {
      if (entry === undefined) return;
      entry.file = moved;
      await pending.journal.update(entry);
    });
    const embed = `!${app.fileManager.generateMarkdownLink(copy, note.path)}`;
    const placed = await replaceInNote(app, note, job.placeholder, embed);
    // On disk now, not at Obsidian's next autosave: from here on, a crash leaves a note that links the copy.
    await openViewOf(app, note)?.save();
    if (!job.upload && isUploadable(job.file, settings.uploadKinds)) {
      notify(
        host,
        `Bytedrop: "${job.file.name}" is larger than ${SETTING.maxSize} (${settings.maxSizeMb}), so it is saved in the vault at ${copy.path} and not uploaded.`,
        ['open-settings'],
      );
    }
    if (entry === undefined) return;
    // The user took the placeholder out again before the copy was written: nothing to upload for.
    if (placed === 0) {
      await pending.discard(entry);
      return;
    }
    entry.text = embed;
    entry.match = 'link';
    await pending.journal.update(entry);
    pending.start(entry, new Uint8Array(bytes));
  } catch (error) {
    // The bytes were only in memory: say so, and take out the placeholder, which links nothing.
    if (entry !== undefined) await pending.discard(entry).catch(() => undefined);
    await replaceInNote(app, note, job.placeholder, '').catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    notify(
      host,
      `Bytedrop: could not save "${job.file.name}" in the vault (${reason}). Paste it again.`,
      [],
      0,
    );
  }
}

/** Saves and links every file of a paste or drop, one after the other (in their order in the note). */
export async function keepLocally(host: UploadHost, note: TFile, jobs: readonly Job[]): Promise<void> {
  for (const job of jobs) await keepOne(host, note, job);
}
