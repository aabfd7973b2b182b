/**
 * Local first, then upload, then swap. A pasted or dropped file is already in the vault and linked from its note
 * when it gets here, with an entry in core's pending-upload journal. This uploads it in the background, lets core
 * verify the object (HEAD: size and full hash) and record it, swaps the link, closes the entry. An entry left open
 * (no network, a setting to fix, a crash, a phone that suspended Obsidian) is resumed at the next start.
 */
import {
  createPendingJournal,
  FINAL_ERROR_CODES,
  finishPendingUpload,
  isBytedropError,
  type NewPendingUpload,
  type PendingJournal,
  type PendingUpload,
  type UploadedFile,
} from '@bytedrop/core';
import type { TAbstractFile } from 'obsidian';
import { pendingStorage } from './journal-storage';
import { KIND_TYPES } from './kinds';
import { uploadedLink } from './link-text';
import { noteContext } from './note-context';
import { replaceInNote } from './note-edit';
import { notify } from './notices';
import type { UploadHost } from './paste-flow';
import type { PluginFolder } from './plugin-folder';
import { listOf } from './setting-names';
import { missingSettings } from './setup';
import { vaultSwap } from './swap';
import { stillUsed } from './usage';
import { wordError } from './wording';

const files = (count: number) => `${count} pasted file${count === 1 ? '' : 's'}`;

/** `path` after `from` was renamed to `to` (itself, or anything in it when it is a folder), or undefined. */
function movedPath(path: string, from: string, to: string): string | undefined {
  if (path === from) return to;
  return path.startsWith(`${from}/`) ? `${to}${path.slice(from.length)}` : undefined;
}

export class PendingUploads {
  readonly journal: PendingJournal;
  readonly #host: UploadHost;
  /** The bytes of this session's pastes, by entry id: the local copy need not be read back. */
  readonly #bytes = new Map<string, Uint8Array>();
  /** The open entries this session knows, by id: kept in step with renames. */
  readonly #open = new Map<string, PendingUpload>();
  readonly #running = new Set<string>();
  /** Entries whose copy is still being written: a resume in that moment must not take them for a crash's. */
  readonly #saving = new Set<string>();
  #stopping = false;

  constructor(host: UploadHost, folder: PluginFolder) {
    this.#host = host;
    this.journal = createPendingJournal(pendingStorage(folder));
  }

  /** How many entries are open (to offer "Retry pending uploads"). */
  get size(): number {
    return this.#open.size;
  }

  /** Writes an entry down (before the local copy exists, so a crash in between is found at the next start). */
  async add(fields: NewPendingUpload): Promise<PendingUpload> {
    const entry = await this.journal.add(fields);
    this.#open.set(entry.id, entry);
    this.#saving.add(entry.id);
    return entry;
  }

  /** Closes an entry that will not be uploaded. */
  async discard(entry: PendingUpload): Promise<void> {
    await this.journal.close(entry.id);
    this.#forget(entry);
  }

  /** Uploads a fresh entry; `bytes` are those just written as its local copy. */
  start(entry: PendingUpload, bytes: Uint8Array): void {
    this.#saving.delete(entry.id);
    this.#bytes.set(entry.id, bytes);
    this.#run(entry);
  }

  /** Resumes every open entry not already running: at load, and on Retry. */
  async resume(): Promise<void> {
    const { entries, unreadable } = await this.journal.open();
    for (const { id, reason } of unreadable) {
      notify(
        this.#host,
        `Bytedrop: a pending upload could not be read (${reason}); its entry ${id} is left as it is.`,
      );
    }
    const waiting = entries.filter((entry) => !this.#running.has(entry.id) && !this.#saving.has(entry.id));
    for (const entry of waiting) this.#open.set(entry.id, entry);
    if (waiting.length === 0) return;
    const missing = missingSettings(this.#host.settings, this.#host.app.secretStorage);
    if (missing.length > 0) {
      notify(
        this.#host,
        `Bytedrop: ${files(waiting.length)} wait${waiting.length === 1 ? 's' : ''} to be uploaded (${waiting.map((entry) => entry.file).join(', ')}). Fill in ${listOf(missing)} in Bytedrop’s settings, then retry.`,
        ['open-settings', 'retry'],
      );
      return;
    }
    for (const entry of waiting) this.#run(entry);
  }

  /** Unloading: uploads aborted now stay open, to be resumed at the next load. */
  stop(): void {
    this.#stopping = true;
  }

  /** Keeps open entries pointing at their note and copy when the user renames or moves either (or a folder). */
  renamed(file: TAbstractFile, oldPath: string): void {
    for (const entry of this.#open.values()) {
      const note = movedPath(entry.note, oldPath, file.path);
      const copy = movedPath(entry.file, oldPath, file.path);
      if (note === undefined && copy === undefined) continue;
      entry.note = note ?? entry.note;
      entry.file = copy ?? entry.file;
      this.#host.track(this.journal.update(entry));
    }
  }

  #forget(entry: PendingUpload): void {
    this.#saving.delete(entry.id);
    this.#open.delete(entry.id);
    this.#bytes.delete(entry.id);
  }

  #run(entry: PendingUpload): void {
    if (this.#running.has(entry.id)) return;
    this.#running.add(entry.id);
    this.#host.track(this.#finish(entry).finally(() => this.#running.delete(entry.id)));
  }

  async #finish(entry: PendingUpload): Promise<void> {
    const { app, settings } = this.#host;
    if (!entry.uploaded && !(await this.#copyIntact(entry))) return;
    const controller = new AbortController();
    this.#host.inFlight.add(controller);
    try {
      const context = noteContext(app, app.vault.getFileByPath(entry.note));
      const allowedTypes = KIND_TYPES[settings.uploadKinds];
      const done = await finishPendingUpload(
        this.journal,
        entry,
        this.#host.uploader(),
        vaultSwap(this.#host, this.#bytes),
        {
          signal: controller.signal,
          vars: context.vars,
          ...(context.keyPrefix ? { keyPrefix: context.keyPrefix } : {}),
          ...(allowedTypes ? { allowedTypes } : {}),
        },
      );
      this.#forget(entry);
      if (!done.swapped) await this.#unswapped(entry, done.uploaded);
    } catch (error) {
      await this.#failed(entry, error);
    } finally {
      this.#host.inFlight.delete(controller);
    }
  }

  /** Whether the local copy is there in full; if not (a crash while writing it), the entry is closed and said so. */
  async #copyIntact(entry: PendingUpload): Promise<boolean> {
    const { app } = this.#host;
    const copy = app.vault.getFileByPath(entry.file);
    if (this.#bytes.has(entry.id) || copy?.stat.size === entry.size) return true;
    await this.discard(entry);
    const note = app.vault.getFileByPath(entry.note);
    // The placeholder links nothing: it goes, rather than stay a link to nowhere.
    if (note !== null && entry.match === 'text') await replaceInNote(app, note, entry.text, '');
    notify(
      this.#host,
      copy === null && entry.match === 'text'
        ? `Bytedrop: "${entry.name}" was not saved before Obsidian closed, so it was not uploaded: paste it again.`
        : `Bytedrop: the copy of "${entry.name}" at ${entry.file} is ${copy === null ? 'gone' : 'incomplete'}, so it was not uploaded.`,
      [],
      0,
    );
    return false;
  }

  /** Uploaded, but the note no longer holds the file: say where the upload is, and tidy the copy if asked to. */
  async #unswapped(entry: PendingUpload, uploaded: UploadedFile): Promise<void> {
    const { app, settings } = this.#host;
    const link = uploadedLink(uploaded, settings);
    const note = app.vault.getFileByPath(entry.note);
    if (note === null) {
      const copy = app.vault.getFileByPath(entry.file);
      // No note links the copy any more; with "Keep local copies" off it goes, as it would have after a swap.
      if (entry.removeLocal && copy !== null && !(await stillUsed(app, copy, null)))
        await app.fileManager.trashFile(copy);
      notify(
        this.#host,
        `Bytedrop: uploaded "${entry.name}", but its note "${entry.note}" was deleted meanwhile. Link: ${link}`,
        [],
        0,
      );
      return;
    }
    notify(
      this.#host,
      `Bytedrop: uploaded "${entry.name}", but "${entry.note}" no longer links it; the file stays at ${entry.file}. Link: ${link}`,
      [],
      0,
    );
  }

  async #failed(entry: PendingUpload, error: unknown): Promise<void> {
    const { settings, app } = this.#host;
    if (isBytedropError(error, 'ERR_ABORTED')) {
      if (this.#stopping) return;
      await this.discard(entry);
      notify(
        this.#host,
        `Bytedrop: cancelled the upload of "${entry.name}"; it stays in the vault at ${entry.file}.`,
      );
      return;
    }
    const { message, actions } = wordError(error, settings, app.secretStorage);
    if (isBytedropError(error) && FINAL_ERROR_CODES.has(error.code)) {
      await this.discard(entry);
      notify(
        this.#host,
        `Bytedrop: could not upload "${entry.name}": ${message}. It stays in the vault at ${entry.file}.`,
        actions,
      );
      return;
    }
    notify(
      this.#host,
      `Bytedrop: could not upload "${entry.name}" yet: ${message}. It is saved in the vault at ${entry.file} and linked from the note; Bytedrop tries again at the next start.`,
      [...actions, 'retry'],
    );
  }
}
