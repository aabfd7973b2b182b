/**
 * Where an upload's content comes from. A file the extension host can open from its own disk becomes a lazy Blob
 * (core's `openFile`): hashed in a worker and streamed, never held whole in memory, so a large video is no burden.
 * Anything else (a pasted screenshot, a file on the client of a remote window, a virtual file system) is read whole
 * by `read`: the drop's `data()` or `workspace.fs.readFile`.
 */
import { openFile } from '@bytedrop/core/node';
import type * as vscode from 'vscode';

/**
 * The content of the file at `uri` (if any), lazily from disk when the host can open it, else `read()`.
 *
 * @example
 * ```ts
 * const body = await contentOf(file.uri, () => file.data(), 'image/png');
 * ```
 */
export async function contentOf(
  uri: vscode.Uri | undefined,
  read: () => Thenable<Uint8Array>,
  type = '',
): Promise<Uint8Array | Blob> {
  if (uri?.scheme === 'file') {
    const opened = await openFile(uri.fsPath, type ? { type } : {}).catch(() => undefined);
    if (opened) return opened;
  }
  return read();
}
