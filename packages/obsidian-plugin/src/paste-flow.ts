/**
 * Paste and drop: take the files synchronously, insert one placeholder per file at the cursor, upload, then put each
 * link where its placeholder is by then. A failed or cancelled upload saves the file as a local attachment instead,
 * so nothing the user pasted is ever lost.
 */
import { formatLink, type Uploader } from '@bytedrop/core';
import { type App, type Editor, type MarkdownFileInfo, Notice, type TFile } from 'obsidian';
import { isUploadable, KIND_TYPES } from './kinds';
import { recordOf, type UploadLedger } from './ledger';
import { saveAttachment } from './local-save';
import { type NoteContext, noteContext } from './note-context';
import { replaceInNote } from './note-edit';
import { type NoticeHost, notify } from './notices';
import type { BytedropSettings } from './settings';
import { missingSettings } from './setup';
import { wordError } from './wording';

/** What the flows need from the plugin. */
export interface UploadHost extends NoticeHost {
  readonly app: App;
  readonly settings: BytedropSettings;
  /** The target, built on first use; throws `ERR_CONFIG` when the settings are incomplete. */
  uploader(): Uploader;
  /** Uploads in progress, so "Cancel uploads" can abort them. */
  readonly inFlight: Set<AbortController>;
  /** Keeps background work, so unload (and tests) can wait for it to settle. */
  track(work: Promise<void>): void;
  /** What was uploaded from this vault (delete URLs, kept local copies). */
  readonly ledger: UploadLedger;
  /** Says once per install what to fill in before Bytedrop takes pastes and drops. */
  offerSetup(missing: readonly string[]): void;
}

/** The files of a paste or drop (the DataTransfer is emptied once the event returns, so read them now). */
export function filesOf(evt: ClipboardEvent | DragEvent): File[] {
  const transfer = 'clipboardData' in evt ? evt.clipboardData : (evt as DragEvent).dataTransfer;
  return Array.from(transfer?.files ?? []);
}

/**
 * The `editor-paste`/`editor-drop` handler. Returns whether it took the event. Leaves the event alone when another
 * handler already took it, when it carries no files (text pastes), when uploading is off (settings, the note's
 * frontmatter, or Alt held while dropping), when none of the files is of a kind the settings upload, or when
 * Bytedrop is not set up (then Obsidian's own paste happens, and the user is told once what to fill in).
 */
export function handleTransfer(
  host: UploadHost,
  evt: ClipboardEvent | DragEvent,
  editor: Editor,
  info: MarkdownFileInfo,
): boolean {
  if (evt.defaultPrevented || !host.settings.uploadOnPaste) return false;
  // Holding Alt (Option) while dropping keeps Obsidian's own behaviour.
  if ((evt as DragEvent).altKey === true) return false;
  const files = filesOf(evt);
  if (files.length === 0) return false;
  if (!files.some((file) => isUploadable(file, host.settings.uploadKinds))) return false;
  const note = info.file ?? null;
  const context = noteContext(host.app, note);
  if (!context.enabled) return false;
  const missing = missingSettings(host.settings, host.app.secretStorage);
  if (missing.length > 0) {
    host.offerSetup(missing);
    return false;
  }
  // Everything above is synchronous: Obsidian must see preventDefault before the handler's first await.
  evt.preventDefault();
  if (!('clipboardData' in evt)) moveCursorToDrop(editor, evt);
  host.track(uploadFiles(host, editor, note, files, context));
  return true;
}

/** The CodeMirror view behind Obsidian's Editor; not in the typings, so used only if present. */
interface WithCodeMirror {
  cm?: { posAtCoords(coords: { x: number; y: number }): number | null };
}

/** A drop lands where the pointer is, not where the cursor was (as Obsidian's own drop does). */
function moveCursorToDrop(editor: Editor, evt: DragEvent): void {
  const offset = (editor as Editor & WithCodeMirror).cm?.posAtCoords({ x: evt.clientX, y: evt.clientY });
  if (typeof offset === 'number') editor.setCursor(editor.offsetToPos(offset));
}

interface Job {
  file: File;
  placeholder: string;
}

let counter = 0;

/** A placeholder no note contains by accident: a random id plus a per-session counter. */
export function placeholderFor(name: string): string {
  const id = `${globalThis.crypto.randomUUID().slice(0, 8)}${(counter++).toString(36)}`;
  const label = name.replace(/[[\]()\n\r|!]/g, ' ').trim() || 'file';
  return `![Uploading ${label}…](bytedrop:${id})`;
}

/** Inserts the placeholders (synchronously), then uploads every file and settles each placeholder. */
export function uploadFiles(
  host: UploadHost,
  editor: Editor,
  note: TFile | null,
  files: readonly File[],
  context: NoteContext,
): Promise<void> {
  const jobs: Job[] = files.map((file) => ({ file, placeholder: placeholderFor(file.name) }));
  editor.replaceSelection(jobs.map((job) => job.placeholder).join('\n'));
  return Promise.all(jobs.map((job) => settle(host, editor, note, job, context))).then(() => undefined);
}

async function settle(
  host: UploadHost,
  editor: Editor,
  note: TFile | null,
  job: Job,
  context: NoteContext,
): Promise<void> {
  const { app, settings } = host;
  const controller = new AbortController();
  host.inFlight.add(controller);
  try {
    if (!isUploadable(job.file, settings.uploadKinds)) {
      await saveLocally(host, editor, note, job);
      return;
    }
    const allowedTypes = KIND_TYPES[settings.uploadKinds];
    const result = await host.uploader().upload(job.file, {
      filename: job.file.name,
      size: job.file.size,
      ...(job.file.type ? { contentType: job.file.type } : {}),
      signal: controller.signal,
      vars: context.vars,
      ...(context.keyPrefix ? { keyPrefix: context.keyPrefix } : {}),
      // The name and declared type only guessed; core refuses what the bytes say is another kind.
      ...(allowedTypes ? { allowedTypes } : {}),
    });
    const link = formatLink(result, settings.linkFormat, { template: settings.customLinkTemplate });
    if (note !== null && app.vault.getAbstractFileByPath(note.path) !== note) {
      // Deleted (not renamed: a TFile keeps its identity across a rename): nothing to put the link into, and no
      // attachment to make for a note the user threw away. The link stays on screen to be copied.
      new Notice(
        `Bytedrop: uploaded "${result.filename}", but its note "${note.path}" was deleted meanwhile. Link: ${link}`,
        0,
      );
      return;
    }
    await host.ledger.record(recordOf(result));
    if (!(await put(app, editor, note, job.placeholder, link))) {
      new Notice(
        `Bytedrop: uploaded "${result.filename}", but its placeholder was removed from the note. Link: ${link}`,
      );
    }
  } catch (error) {
    const { message, actions } = wordError(error, settings, app.secretStorage);
    try {
      const saved = await saveLocally(host, editor, note, job);
      notify(
        host,
        `Bytedrop: could not upload "${job.file.name}": ${message}. Saved it to ${saved.path} instead.`,
        actions,
        10_000,
      );
    } catch (saveError) {
      notify(
        host,
        `Bytedrop: could not upload "${job.file.name}" (${message}) nor save it to the vault (${wordError(saveError, settings, app.secretStorage).message}). Paste it again.`,
        actions,
        0,
      );
    }
  } finally {
    host.inFlight.delete(controller);
  }
}

async function saveLocally(host: UploadHost, editor: Editor, note: TFile | null, job: Job): Promise<TFile> {
  const { file, embed } = await saveAttachment(host.app, job.file, job.file.name, note);
  await put(host.app, editor, note, job.placeholder, embed);
  return file;
}

/** Puts `text` where the placeholder is now: in the note (open or not), or in the editor for an unsaved note. */
async function put(
  app: App,
  editor: Editor,
  note: TFile | null,
  placeholder: string,
  text: string,
): Promise<boolean> {
  if (note !== null) return (await replaceInNote(app, note, placeholder, text)) > 0;
  const offset = editor.getValue().indexOf(placeholder);
  if (offset === -1) return false;
  editor.replaceRange(text, editor.offsetToPos(offset), editor.offsetToPos(offset + placeholder.length));
  return true;
}
