/**
 * Local first: where a pasted or dropped file is written before anything is uploaded, and the text that stands for
 * it in the note meanwhile. In a saved note (or an untitled one in a folder) the copy goes where VS Code's own paste
 * puts files (`markdown.copyFiles.destination`) and the note links it, so the preview shows the file at once and the
 * link works even if nothing is ever uploaded. Elsewhere (no folder open, a language Bytedrop does not link in) the
 * copy goes to the extension's storage and a placeholder stands for it.
 */
import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import { formatLink, type NewPendingUpload, sniffContentType } from '@bytedrop/core';
import * as vscode from 'vscode';
import { fallbackDestination, relativePath } from './destination';
import { readSettings } from './settings';

/** A file handed to Bytedrop by a paste, a drop or the file picker. */
export interface IncomingFile {
  /** The name as the user knows it (`image.png` for a screenshot). */
  name: string;
  /** The type the clipboard or drop declared; may be empty. */
  contentType: string;
  /** The file on this host's disk, when there is one (a drop from the explorer or the OS, a picked file). */
  uri?: vscode.Uri;
  /**
   * The paste's or drop's own file otherwise (a clipboard image, a drop from a remote window's client): VS Code
   * writes the copy from it as part of applying the edit, so its bytes never wait in the extension.
   */
  transfer?: vscode.DataTransferFile;
}

/**
 * Placeholder text for a file that has no link of its own yet: a Markdown image that previews as "Uploading name…"
 * with a random id, so two pastes of one file are told apart.
 *
 * @example
 * ```ts
 * placeholder('shot.png'); // '![Uploading shot.png…](bytedrop:upload/3f9c1a2e)'
 * ```
 */
export function placeholder(name: string): string {
  return `![Uploading ${name.replace(/[[\]\\\r\n]/g, '')}…](${token()})`;
}

/** A unique token that stands for a file where no Markdown is wanted (a link in a `.ts` file). */
function token(): string {
  return `bytedrop:upload/${randomUUID().slice(0, 8)}`;
}

function isInWorkspace(uri: vscode.Uri): boolean {
  return vscode.workspace.getWorkspaceFolder(uri) !== undefined;
}

/**
 * The journal entry of a file about to be pasted into `document`: where its copy goes, the text standing for it.
 * `reserved` holds copies promised but not written yet; the new one is added. `storage` is the extension's folder
 * for copies that have no place in the workspace.
 *
 * @example
 * ```ts
 * const fields = await planCopy(document, { name: 'shot.png', contentType: 'image/png', bytes }, reserved, storage);
 * const entry = await journal.add(fields);
 * ```
 */
export async function planCopy(
  document: vscode.TextDocument,
  file: IncomingFile,
  reserved: Set<string>,
  storage: vscode.Uri,
): Promise<NewPendingUpload> {
  const settings = readSettings(document.uri);
  const linkable = settings.languages.includes(document.languageId);
  const common = {
    note: document.uri.toString(),
    name: file.name,
    ...(file.contentType ? { contentType: file.contentType } : {}),
    // Measured once the copy is whole, before the entry is written down.
    size: -1,
  };
  const destination = linkable
    ? file.uri && isInWorkspace(file.uri)
      ? file.uri
      : await fallbackDestination(document.uri, file.name, reserved).catch(() => undefined)
    : undefined;
  if (destination) {
    reserved.add(destination.toString());
    const { contentType } = await sniffContentType(new Uint8Array(), file.name, file.contentType);
    const format = settings.linkFormat === 'html' ? 'html' : 'markdown';
    const url = relativePath(document.uri, destination);
    const owned = destination.toString() !== file.uri?.toString();
    return {
      ...common,
      file: destination.toString(),
      // The file to copy from again after a crash; a file used where it is is its own source.
      ...(file.uri ? { source: file.uri.toString() } : {}),
      text: formatLink({ url, key: '', size: 0, contentType, filename: file.name }, format),
      match: 'link',
      // A file the user had in the workspace already is theirs: never removed.
      removeLocal: owned && !settings.keepLocalCopy,
    };
  }
  // No place in the workspace: the file on disk itself when there is one, else a copy in the extension's storage.
  const copy = file.uri ?? vscode.Uri.joinPath(storage, randomUUID(), posix.basename(file.name) || 'file');
  return {
    ...common,
    file: copy.toString(),
    ...(file.uri ? { source: file.uri.toString() } : {}),
    text: linkable ? placeholder(file.name) : token(),
    match: 'text',
    removeLocal: !file.uri,
  };
}

/**
 * Copies an entry's file from its source (unless it is used where it is) and returns the copy's size. A copy VS Code
 * writes itself (from the paste's file) is only measured.
 *
 * @example
 * ```ts
 * const size = await writeCopy(fields);
 * ```
 */
export async function writeCopy(entry: NewPendingUpload): Promise<number> {
  const target = vscode.Uri.parse(entry.file);
  if (entry.source && entry.source !== entry.file) {
    // The name was chosen free (or the user chose to overwrite); a copy cut off by a crash is replaced.
    await vscode.workspace.fs.copy(vscode.Uri.parse(entry.source), target, { overwrite: true });
  }
  return (await vscode.workspace.fs.stat(target)).size;
}

/**
 * True when the entry's copy is there whole: a copy cut off by a crash (or never written) has another size.
 *
 * @example
 * ```ts
 * if (!(await copyIsWhole(entry)) && entry.source) entry.size = await writeCopy(entry);
 * ```
 */
export async function copyIsWhole(entry: NewPendingUpload): Promise<boolean> {
  try {
    return (await vscode.workspace.fs.stat(vscode.Uri.parse(entry.file))).size === entry.size;
  } catch {
    return false;
  }
}
