/**
 * An in-memory `Vault` with Obsidian's file objects and its rules: paths are vault-relative without a leading
 * slash, creating an existing path fails, a parent folder must exist, and edits fire `modify`.
 */
import { DataAdapter } from './adapter';
import { Events } from './events';

export function normalizePath(path: string): string {
  const cleaned = path
    .replace(/\\/g, '/')
    .replace(/\/+/g, '/')
    .replace(/^\/|\/$/g, '');
  return cleaned === '' ? '/' : cleaned.normalize('NFC');
}

export abstract class TAbstractFile {
  vault: Vault;
  path: string;
  name: string;
  parent: TFolder | null;

  constructor(vault: Vault, path: string, parent: TFolder | null) {
    this.vault = vault;
    this.path = path;
    this.name = path.split('/').pop() ?? path;
    this.parent = parent;
  }
}

export class TFolder extends TAbstractFile {
  children: TAbstractFile[] = [];

  isRoot(): boolean {
    return this.path === '/';
  }
}

export class TFile extends TAbstractFile {
  basename: string;
  extension: string;
  stat = { ctime: 0, mtime: 0, size: 0 };

  constructor(vault: Vault, path: string, parent: TFolder | null) {
    super(vault, path, parent);
    const dot = this.name.lastIndexOf('.');
    this.basename = dot > 0 ? this.name.slice(0, dot) : this.name;
    this.extension = dot > 0 ? this.name.slice(dot + 1) : '';
  }
}

type Content = string | ArrayBuffer;

export class Vault extends Events {
  readonly #root: TFolder;
  readonly #entries = new Map<string, TAbstractFile>();
  readonly #contents = new Map<TFile, Content>();
  /** The files on disk, including those outside the index (the config folder). */
  readonly adapter = new DataAdapter(this);
  /** The config folder, usually `.obsidian`. */
  readonly configDir = '.obsidian';
  /** Obsidian's "Files and links" settings the fake honours. */
  config: { attachmentFolderPath: string; useMarkdownLinks: boolean } = {
    attachmentFolderPath: '/',
    useMarkdownLinks: false,
  };

  constructor() {
    super();
    this.#root = new TFolder(this, '/', null);
    this.#root.name = '';
    this.#entries.set('/', this.#root);
  }

  getName(): string {
    return 'Test vault';
  }

  getConfig(key: string): unknown {
    return (this.config as Record<string, unknown>)[key];
  }

  getRoot(): TFolder {
    return this.#root;
  }

  getAbstractFileByPath(path: string): TAbstractFile | null {
    return this.#entries.get(normalizePath(path)) ?? null;
  }

  getFileByPath(path: string): TFile | null {
    const entry = this.getAbstractFileByPath(path);
    return entry instanceof TFile ? entry : null;
  }

  getFolderByPath(path: string): TFolder | null {
    const entry = this.getAbstractFileByPath(path);
    return entry instanceof TFolder ? entry : null;
  }

  getFiles(): TFile[] {
    return [...this.#contents.keys()];
  }

  getMarkdownFiles(): TFile[] {
    return this.getFiles().filter((file) => file.extension === 'md');
  }

  async createFolder(path: string): Promise<TFolder> {
    const normalized = normalizePath(path);
    if (this.#entries.has(normalized)) throw new Error('Folder already exists.');
    return this.#mkdirp(normalized);
  }

  async create(path: string, data: string): Promise<TFile> {
    return this.#createFile(path, data);
  }

  async createBinary(path: string, data: ArrayBuffer): Promise<TFile> {
    if (!(data instanceof ArrayBuffer)) throw new TypeError('createBinary expects an ArrayBuffer');
    return this.#createFile(path, data.slice(0));
  }

  async read(file: TFile): Promise<string> {
    return this.readSync(file);
  }

  async cachedRead(file: TFile): Promise<string> {
    return this.readSync(file);
  }

  async readBinary(file: TFile): Promise<ArrayBuffer> {
    const content = this.#content(file);
    return typeof content === 'string' ? new TextEncoder().encode(content).buffer : content.slice(0);
  }

  async modify(file: TFile, data: string): Promise<void> {
    this.#content(file);
    this.#write(file, data);
  }

  async modifyBinary(file: TFile, data: ArrayBuffer): Promise<void> {
    this.#content(file);
    this.#write(file, data.slice(0));
  }

  async append(file: TFile, data: string): Promise<void> {
    this.#write(file, this.readSync(file) + data);
  }

  /** Atomically reads, transforms and writes a text file, as Obsidian's `process` does. */
  async process(file: TFile, fn: (data: string) => string): Promise<string> {
    const next = fn(this.readSync(file));
    this.#write(file, next);
    return next;
  }

  async delete(file: TAbstractFile): Promise<void> {
    this.#remove(file);
  }

  async trash(file: TAbstractFile): Promise<void> {
    this.#remove(file);
  }

  async rename(file: TAbstractFile, newPath: string): Promise<void> {
    const normalized = normalizePath(newPath);
    if (this.#entries.has(normalized)) throw new Error('Destination file already exists!');
    const oldPath = file.path;
    const parent = this.#parentOf(normalized);
    file.parent?.children.splice(file.parent.children.indexOf(file), 1);
    this.#entries.delete(oldPath);
    file.path = normalized;
    file.name = normalized.split('/').pop() ?? normalized;
    if (file instanceof TFile) {
      const dot = file.name.lastIndexOf('.');
      file.basename = dot > 0 ? file.name.slice(0, dot) : file.name;
      file.extension = dot > 0 ? file.name.slice(dot + 1) : '';
    }
    file.parent = parent;
    parent.children.push(file);
    this.#entries.set(normalized, file);
    this.trigger('rename', file, oldPath);
  }

  /** Test helper: a file's text, synchronously. */
  readSync(file: TFile): string {
    const content = this.#content(file);
    return typeof content === 'string' ? content : new TextDecoder().decode(content);
  }

  /** Test helper: creates parent folders as needed, then the file. */
  async seed(path: string, data: Content): Promise<TFile> {
    const normalized = normalizePath(path);
    const folder = normalized.includes('/') ? normalized.slice(0, normalized.lastIndexOf('/')) : '/';
    if (folder !== '/') this.#mkdirp(folder);
    return this.#createFile(normalized, data);
  }

  #content(file: TFile): Content {
    const content = this.#contents.get(file);
    if (content === undefined) throw new Error(`ENOENT: no such file '${file.path}'`);
    return content;
  }

  #write(file: TFile, data: Content): void {
    this.#contents.set(file, data);
    file.stat = {
      ...file.stat,
      mtime: file.stat.mtime + 1,
      size: typeof data === 'string' ? new TextEncoder().encode(data).length : data.byteLength,
    };
    this.trigger('modify', file);
  }

  #parentOf(path: string): TFolder {
    const folderPath = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '/';
    const folder = this.getFolderByPath(folderPath);
    if (folder === null) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return folder;
  }

  #createFile(path: string, data: Content): TFile {
    const normalized = normalizePath(path);
    if (this.#entries.has(normalized)) throw new Error('File already exists.');
    const parent = this.#parentOf(normalized);
    const file = new TFile(this, normalized, parent);
    parent.children.push(file);
    this.#entries.set(normalized, file);
    this.#write(file, data);
    this.trigger('create', file);
    return file;
  }

  #mkdirp(path: string): TFolder {
    let current = this.#root;
    let soFar = '';
    for (const segment of path.split('/')) {
      soFar = soFar === '' ? segment : `${soFar}/${segment}`;
      const existing = this.#entries.get(soFar);
      if (existing instanceof TFile) throw new Error(`'${soFar}' is a file, not a folder`);
      if (existing instanceof TFolder) {
        current = existing;
        continue;
      }
      const folder = new TFolder(this, soFar, current);
      current.children.push(folder);
      this.#entries.set(soFar, folder);
      current = folder;
    }
    return current;
  }

  #remove(file: TAbstractFile): void {
    if (!this.#entries.has(file.path)) throw new Error(`ENOENT: '${file.path}' does not exist`);
    file.parent?.children.splice(file.parent.children.indexOf(file), 1);
    this.#entries.delete(file.path);
    if (file instanceof TFile) this.#contents.delete(file);
    this.trigger('delete', file);
  }
}
