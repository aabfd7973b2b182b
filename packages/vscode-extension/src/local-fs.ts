/**
 * What is on disk, asked without waiting where that can be done. Bytedrop runs where the workspace is (extensionKind
 * `workspace`), so a `file:` URI is on this host's own disk: Node answers at once. `workspace.fs` would answer the
 * same, but in a remote window (code-server, Remote-SSH) its every call crosses to the window and back, and a paste
 * provider that waits on it waits on the network.
 */
import { statSync } from 'node:fs';
import * as vscode from 'vscode';

/** What a stat says: a file with its size, or a folder. */
export interface Found {
  type: 'file' | 'directory';
  size: number;
}

/**
 * What is at `uri`, or undefined when nothing is: synchronously for `file:` URIs, through `workspace.fs` for others.
 *
 * @example
 * ```ts
 * const found = await statHere(vscode.Uri.file('/ws/notes/shot.png')); // { type: 'file', size: 1024 }
 * ```
 */
export function statHere(uri: vscode.Uri): Found | undefined | Promise<Found | undefined> {
  if (uri.scheme === 'file') {
    const stat = statSync(uri.fsPath, { throwIfNoEntry: false });
    return stat && { type: stat.isDirectory() ? 'directory' : 'file', size: stat.size };
  }
  return Promise.resolve(vscode.workspace.fs.stat(uri)).then(
    (stat) => ({ type: stat.type === vscode.FileType.Directory ? 'directory' : 'file', size: stat.size }),
    () => undefined,
  );
}
