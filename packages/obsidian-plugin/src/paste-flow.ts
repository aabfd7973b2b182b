/**
 * Paste and drop. The handler only decides and inserts a placeholder per file, synchronously (Obsidian must see
 * `preventDefault` before the handler returns, and typing must never race it): nothing is read, hashed or sent
 * before it returns. Then each file is written into the vault where Obsidian's own paste would put it and linked
 * from the note, and only then uploaded (local-copy.ts, pending.ts), so a paste ends as a link to the upload or,
 * whatever happens, as a local file the note links.
 */
import type { Uploader } from '@bytedrop/core';
import type { App, Editor, MarkdownFileInfo } from 'obsidian';
import { isUploadable } from './kinds';
import type { UploadLedger } from './ledger';
import { keepLocally } from './local-copy';
import { noteContext } from './note-context';
import type { NoticeHost } from './notices';
import type { PendingUploads } from './pending';
import { type BytedropSettings, maxFileSizeBytes } from './settings';
import { missingSettings } from './setup';

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
  /** Files between their paste and their swap. */
  readonly pending: PendingUploads;
  /** Says once per install what to fill in before Bytedrop takes pastes and drops. */
  offerSetup(missing: readonly string[]): void;
}

/** The files of a paste or drop (the DataTransfer is emptied once the event returns, so read them now). */
export function filesOf(evt: ClipboardEvent | DragEvent): File[] {
  const transfer = 'clipboardData' in evt ? evt.clipboardData : (evt as DragEvent).dataTransfer;
  return Array.from(transfer?.files ?? []);
}

/** Whether the settings upload `file`: of a kind they name, and within "Max size". */
export function wouldUpload(file: File, settings: BytedropSettings): boolean {
  const max = maxFileSizeBytes(settings);
  return isUploadable(file, settings.uploadKinds) && (max === undefined || file.size <= max);
}

/**
 * The `editor-paste`/`editor-drop` handler. Returns whether it took the event. Leaves the event alone when another
 * handler already took it, when it carries no files (text pastes), when uploading is off (settings, the note's
 * frontmatter, or Alt held while dropping), when the editor shows no note file, when none of the files is of a
 * kind the settings upload, or when Bytedrop is not set up (then Obsidian's own paste happens, told once).
 */
export function handleTransfer(
  host: UploadHost,
  evt: ClipboardEvent | DragEvent,
  editor: Editor,
  info: MarkdownFileInfo,
): boolean {
  const { settings } = host;
  if (evt.defaultPrevented || !settings.uploadOnPaste) return false;
  // Holding Alt (Option) while dropping keeps Obsidian's own behaviour.
  if ((evt as DragEvent).altKey === true) return false;
  // A file is written down with its note's path: without a note, Obsidian's own paste keeps it.
  const note = info.file ?? null;
  if (note === null) return false;
  const files = filesOf(evt);
  // A file over "Max size" is still taken, to be saved with a notice saying why it was not uploaded.
  if (!files.some((file) => isUploadable(file, settings.uploadKinds))) return false;
  if (!noteContext(host.app, note).enabled) return false;
  const missing = missingSettings(settings, host.app.secretStorage);
  if (missing.length > 0) {
    host.offerSetup(missing);
    return false;
  }
  // Everything above is synchronous: Obsidian must see preventDefault before the handler's first await.
  evt.preventDefault();
  if (!('clipboardData' in evt)) moveCursorToDrop(editor, evt);
  const jobs = files.map((file) => ({
    file,
    placeholder: placeholderFor(file.name),
    upload: wouldUpload(file, settings),
  }));
  editor.replaceSelection(jobs.map((job) => job.placeholder).join('\n'));
  host.track(keepLocally(host, note, jobs));
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

let counter = 0;

/** A placeholder no note contains by accident: a random id plus a per-session counter. */
export function placeholderFor(name: string): string {
  const id = `${globalThis.crypto.randomUUID().slice(0, 8)}${(counter++).toString(36)}`;
  const label = name.replace(/[[\]()\n\r|!]/g, ' ').trim() || 'file';
  return `![Saving ${label}…](bytedrop:${id})`;
}
