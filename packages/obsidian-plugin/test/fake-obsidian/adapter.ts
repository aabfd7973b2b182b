/**
 * `vault.adapter`, Obsidian's `DataAdapter`: the files on disk under the vault, by vault-relative path. Files in a
 * folder whose name starts with a dot (the config folder `.obsidian`, `.trash`) are on disk but never in the vault's
 * index, as in Obsidian; any other path is a vault file, read and written through the vault. (Obsidian indexes a
 * file the adapter wrote a moment later, from its file watcher; here at once.)
 */
import type { TFile, Vault } from './vault';

type Content = string | ArrayBuffer;

export interface Stat {
  type: 'file' | 'folder';
  ctime: number;
  mtime: number;
  size: number;
}

function parentOf(path: string): string {
  return path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
}

export class DataAdapter {
  readonly #vault: Vault;
  /** Files outside the vault's index, by path. */
  readonly hidden = new Map<string, Content>();
  readonly hiddenFolders = new Set<string>();

  constructor(vault: Vault) {
    this.#vault = vault;
  }

  /** Whether `path` is outside the vault's index (under a dot-folder). */
  static isHidden(path: string): boolean {
    return path.split('/').some((segment) => segment.startsWith('.'));
  }

  getName(): string {
    return this.#vault.getName();
  }

  async exists(path: string): Promise<boolean> {
    if (DataAdapter.isHidden(path)) return this.hidden.has(path) || this.hiddenFolders.has(path);
    return this.#vault.getAbstractFileByPath(path) !== null;
  }

  async stat(path: string): Promise<Stat | null> {
    if (DataAdapter.isHidden(path)) {
      if (this.hiddenFolders.has(path)) return { type: 'folder', ctime: 0, mtime: 0, size: 0 };
      const content = this.hidden.get(path);
      if (content === undefined) return null;
      const size =
        typeof content === 'string' ? new TextEncoder().encode(content).length : content.byteLength;
      return { type: 'file', ctime: 0, mtime: 0, size };
    }
    const file = this.#vault.getFileByPath(path);
    if (file) return { type: 'file', ...file.stat };
    return this.#vault.getFolderByPath(path) ? { type: 'folder', ctime: 0, mtime: 0, size: 0 } : null;
  }

  async list(path: string): Promise<{ files: string[]; folders: string[] }> {
    if (!DataAdapter.isHidden(path)) {
      const folder = this.#vault.getFolderByPath(path);
      if (!folder) throw new Error(`ENOENT: no such file or directory, scandir '${path}'`);
      const children = folder.children.map((child) => child.path);
      return {
        files: children.filter((child) => this.#vault.getFileByPath(child)),
        folders: children.filter((child) => this.#vault.getFolderByPath(child)),
      };
    }
    if (!this.hiddenFolders.has(path))
      throw new Error(`ENOENT: no such file or directory, scandir '${path}'`);
    return {
      files: [...this.hidden.keys()].filter((file) => parentOf(file) === path),
      folders: [...this.hiddenFolders].filter((folder) => parentOf(folder) === path),
    };
  }

  async read(path: string): Promise<string> {
    const content = await this.readBinary(path);
    return new TextDecoder().decode(content);
  }

  async readBinary(path: string): Promise<ArrayBuffer> {
    if (!DataAdapter.isHidden(path)) return this.#vault.readBinary(this.#file(path));
    const content = this.hidden.get(path);
    if (content === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return typeof content === 'string' ? new TextEncoder().encode(content).buffer : content.slice(0);
  }

  async write(path: string, data: string): Promise<void> {
    await this.#put(path, data);
  }

  async writeBinary(path: string, data: ArrayBuffer): Promise<void> {
    await this.#put(path, data.slice(0));
  }

  async mkdir(path: string): Promise<void> {
    if (!DataAdapter.isHidden(path)) {
      if (!this.#vault.getFolderByPath(path)) await this.#vault.createFolder(path);
      return;
    }
    // Like fs.mkdir({ recursive: true }), which Obsidian's adapters use.
    for (let folder = path; folder !== ''; folder = parentOf(folder)) this.hiddenFolders.add(folder);
  }

  async remove(path: string): Promise<void> {
    if (!DataAdapter.isHidden(path)) return this.#vault.delete(this.#file(path));
    if (!this.hidden.delete(path)) throw new Error(`ENOENT: no such file or directory, unlink '${path}'`);
  }

  async #put(path: string, data: Content): Promise<void> {
    if (!DataAdapter.isHidden(path)) {
      const file = this.#vault.getFileByPath(path);
      if (file)
        await (typeof data === 'string'
          ? this.#vault.modify(file, data)
          : this.#vault.modifyBinary(file, data));
      else
        await (typeof data === 'string'
          ? this.#vault.create(path, data)
          : this.#vault.createBinary(path, data));
      return;
    }
    if (!this.hiddenFolders.has(parentOf(path))) {
      throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    }
    this.hidden.set(path, data);
  }

  #file(path: string): TFile {
    const file = this.#vault.getFileByPath(path);
    if (!file) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return file;
  }
}
