/**
 * Reads a local copy for its upload. A file the extension host can open from its own disk becomes a lazy Blob (core's
 * `openFile`): hashed in a worker and streamed, never held whole in memory, so a large video is no burden. Anything
 * else (a virtual file system) is read whole through `workspace.fs`.
 */
import { openFile } from '@bytedrop/core/node';
import * as vscode from 'vscode';

/**
 * The content of the file at `uri`, lazily from disk when the host can open it.
 *
 * @example
 * ```ts
 * const body = await contentOf(vscode.Uri.file('/ws/notes/shot.png'));
 * ```
 */
export async function contentOf(uri: vscode.Uri, type = ''): Promise<Uint8Array | Blob> {
  if (uri.scheme === 'file') {
    const opened = await openFile(uri.fsPath, type ? { type } : {}).catch(() => undefined);
    if (opened) return opened;
  }
  return vscode.workspace.fs.readFile(uri);
}
