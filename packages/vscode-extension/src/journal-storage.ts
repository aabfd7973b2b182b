/**
 * Where the pending-upload journal lives in VS Code: one small JSON file per entry, in the extension's storage for
 * this workspace (its global storage in a window without a folder). Per workspace, so an entry is resumed by the
 * window that has the document's settings, and never sent by another workspace's configuration.
 */
import type { PendingStorage } from '@bytedrop/core';
import * as vscode from 'vscode';

const SUFFIX = '.json';

/**
 * A `PendingStorage` over `workspace.fs` in `dir`. `writeFile` returns once the bytes are written to the file, so an
 * entry survives the extension host being killed (it runs in its own process).
 *
 * @example
 * ```ts
 * const journal = createPendingJournal(journalStorage(vscode.Uri.joinPath(context.storageUri, 'pending')));
 * ```
 */
export function journalStorage(dir: vscode.Uri): PendingStorage {
  const fileOf = (id: string) => vscode.Uri.joinPath(dir, `${id}${SUFFIX}`);
  return {
    write: (id, json) =>
      Promise.resolve(vscode.workspace.fs.writeFile(fileOf(id), new TextEncoder().encode(json))),
    async delete(id) {
      try {
        await vscode.workspace.fs.delete(fileOf(id));
      } catch (error) {
        // Closed already (a retry after a resume closed it): nothing left to do.
        if ((error as { code?: string }).code !== 'FileNotFound') throw error;
      }
    },
    async list() {
      let names: [string, vscode.FileType][];
      try {
        names = await vscode.workspace.fs.readDirectory(dir);
      } catch {
        return []; // no entry was ever written here
      }
      const entries: { id: string; json: string }[] = [];
      for (const [name, type] of names) {
        if (type !== vscode.FileType.File || !name.endsWith(SUFFIX)) continue;
        const id = name.slice(0, -SUFFIX.length);
        entries.push({ id, json: new TextDecoder().decode(await vscode.workspace.fs.readFile(fileOf(id))) });
      }
      return entries;
    },
  };
}

/**
 * The journal's folder: the workspace's storage when a folder is open, else the global storage.
 *
 * @example
 * ```ts
 * journalStorage(journalDir(context));
 * ```
 */
export function journalDir(
  context: Pick<vscode.ExtensionContext, 'storageUri' | 'globalStorageUri'>,
): vscode.Uri {
  return vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'pending');
}
