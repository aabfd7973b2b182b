/**
 * The fake `vscode.workspace`: an in-memory file system over the real disk, configuration with the
 * manifest's defaults, and open documents.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { posix } from 'node:path';
// The glob dialect VS Code uses for findFiles is the one markdown.copyFiles uses; the extension has a port of it.
import { globToRegExp } from '../../src/glob';
import { EventEmitter, Uri } from './base';
import { FakeTextDocument, type TextDocumentChangeEvent, type WorkspaceEdit } from './documents';

export class FileSystemError extends Error {
  static FileNotFound(uri?: Uri): FileSystemError {
    return new FileSystemError(`EntryNotFound (FileSystemError): ${uri?.path}`, 'FileNotFound');
  }
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export enum FileType {
  File = 1,
  Directory = 2,
}

export const files = new Map<string, Uint8Array>();
export const directories = new Set<string>(['/']);

export function addParents(path: string): void {
  for (let dir = posix.dirname(path); !directories.has(dir); dir = posix.dirname(dir)) directories.add(dir);
}

/**
 * Files under the OS temp folder are read from the real disk when the fake has none there: tests write files there
 * for the code that opens them with Node itself (core's openFile), and VS Code reads the same disk.
 */
function realFile(path: string): Uint8Array | undefined {
  if (!path.startsWith(`${tmpdir()}/`)) return undefined;
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    return undefined;
  }
}

/**
 * The fake disk as Node's `statSync` sees it (test/_setup/env.ts routes `node:fs` statSync here first): the extension
 * runs where the workspace is and asks Node about `file:` URIs directly.
 */
function statPath(path: string): { isDirectory(): boolean; isFile(): boolean; size: number } | undefined {
  const data = files.get(path) ?? realFile(path);
  if (data) return { isDirectory: () => false, isFile: () => true, size: data.length };
  if (directories.has(path)) return { isDirectory: () => true, isFile: () => false, size: 0 };
  return undefined;
}
(globalThis as { fakeDiskStat?: typeof statPath }).fakeDiskStat = statPath;

const fs = {
  async readFile(uri: Uri): Promise<Uint8Array> {
    const data = files.get(uri.path) ?? realFile(uri.path);
    if (!data) throw FileSystemError.FileNotFound(uri);
    return data;
  },
  async writeFile(uri: Uri, content: Uint8Array): Promise<void> {
    // VS Code's workspace.fs.writeFile creates missing parent folders.
    addParents(uri.path);
    files.set(uri.path, new Uint8Array(content));
  },
  async stat(uri: Uri): Promise<{ type: FileType; size: number; ctime: number; mtime: number }> {
    if (directories.has(uri.path)) return { type: FileType.Directory, size: 0, ctime: 0, mtime: 0 };
    const data = files.get(uri.path) ?? realFile(uri.path);
    if (!data) throw FileSystemError.FileNotFound(uri);
    return { type: FileType.File, size: data.length, ctime: 0, mtime: 0 };
  },
  async createDirectory(uri: Uri): Promise<void> {
    addParents(`${uri.path}/x`);
  },
  async delete(uri: Uri, options?: { recursive?: boolean; useTrash?: boolean }): Promise<void> {
    if (files.delete(uri.path)) return;
    if (!directories.has(uri.path)) throw FileSystemError.FileNotFound(uri);
    const inside = [...files.keys(), ...directories].filter((path) => path.startsWith(`${uri.path}/`));
    if (inside.length && !options?.recursive) throw new FileSystemError('directory not empty', 'Unknown');
    for (const path of inside) files.delete(path) || directories.delete(path);
    directories.delete(uri.path);
  },
  async copy(source: Uri, target: Uri, options?: { overwrite?: boolean }): Promise<void> {
    if (!options?.overwrite && files.has(target.path)) throw new FileSystemError('exists', 'FileExists');
    await fs.writeFile(target, await fs.readFile(source));
  },
  async readDirectory(uri: Uri): Promise<[string, FileType][]> {
    if (!directories.has(uri.path)) throw FileSystemError.FileNotFound(uri);
    const children = new Map<string, FileType>();
    for (const path of files.keys())
      if (posix.dirname(path) === uri.path) children.set(posix.basename(path), FileType.File);
    for (const path of directories)
      if (path !== uri.path && posix.dirname(path) === uri.path)
        children.set(posix.basename(path), FileType.Directory);
    return [...children];
  },
};

export enum ConfigurationTarget {
  Global = 1,
  Workspace = 2,
  WorkspaceFolder = 3,
}

interface ConfigurationProperty {
  default?: unknown;
}
const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  contributes?: { configuration?: { properties?: Record<string, ConfigurationProperty> } };
};
/** Defaults of contributed settings, plus the built-in ones the extension reads. */
const defaults = new Map<string, unknown>([
  ['markdown.copyFiles.destination', {}],
  ['editor.pasteAs.preferences', []],
  ['editor.dropIntoEditor.preferences', []],
  ...Object.entries(manifest.contributes?.configuration?.properties ?? {}).map(
    ([key, property]) => [key, property.default] as [string, unknown],
  ),
]);
export const userSettings = new Map<string, unknown>();
export const configurationReads: string[] = [];
const onDidChangeConfigurationEmitter = new EventEmitter<{
  affectsConfiguration(section: string): boolean;
}>();

export function getConfiguration(section?: string) {
  const full = (key: string) => (section ? `${section}.${key}` : key);
  return {
    get<T>(key: string, defaultValue?: T): T | undefined {
      configurationReads.push(full(key));
      if (userSettings.has(full(key))) return userSettings.get(full(key)) as T;
      if (defaults.has(full(key)) && defaults.get(full(key)) !== undefined)
        return defaults.get(full(key)) as T;
      return defaultValue;
    },
    has(key: string): boolean {
      return userSettings.has(full(key)) || defaults.has(full(key));
    },
    inspect<T>(key: string): { key: string; defaultValue?: T; globalValue?: T } {
      configurationReads.push(full(key));
      return {
        key: full(key),
        defaultValue: defaults.get(full(key)) as T,
        globalValue: userSettings.get(full(key)) as T,
      };
    },
    async update(key: string, value: unknown, _target?: ConfigurationTarget | boolean): Promise<void> {
      if (value === undefined) userSettings.delete(full(key));
      else userSettings.set(full(key), value);
      onDidChangeConfigurationEmitter.fire({
        affectsConfiguration: (changed) => full(key) === changed || full(key).startsWith(`${changed}.`),
      });
    },
  };
}

export const documents: FakeTextDocument[] = [];
export const onDidChangeTextDocumentEmitter = new EventEmitter<TextDocumentChangeEvent>();
const onDidCreateFilesEmitter = new EventEmitter<{ files: readonly Uri[] }>();
const onDidGrantWorkspaceTrustEmitter = new EventEmitter<void>();
/** What the test controls change between tests: the open folders, and a hook run inside the next applyEdit. */
export const workspaceState: {
  folders: { uri: Uri; name: string; index: number }[];
  applyHook: (() => void) | undefined;
} = { folders: [], applyHook: undefined };

export const workspace = {
  fs,
  getConfiguration,
  onDidChangeConfiguration: onDidChangeConfigurationEmitter.event,
  onDidChangeTextDocument: onDidChangeTextDocumentEmitter.event,
  /** Files created by applying a WorkspaceEdit (a paste's or drop's additional edit), not by workspace.fs. */
  onDidCreateFiles: onDidCreateFilesEmitter.event,
  onDidGrantWorkspaceTrust: onDidGrantWorkspaceTrustEmitter.event,
  isTrusted: true,
  get textDocuments(): readonly FakeTextDocument[] {
    return documents.filter((document) => !document.isClosed);
  },
  get workspaceFolders() {
    return workspaceState.folders.length ? workspaceState.folders : undefined;
  },
  /** Files of the workspace folders whose path relative to their folder matches `include`. */
  async findFiles(include: string, exclude?: string | null): Promise<Uri[]> {
    const matches = (glob: string, path: string) => globToRegExp(glob).test(path);
    const found: Uri[] = [];
    for (const folder of workspaceState.folders) {
      for (const path of [...files.keys()].sort()) {
        if (!path.startsWith(`${folder.uri.path}/`)) continue;
        const relative = path.slice(folder.uri.path.length + 1);
        if (matches(include, relative) && !(exclude && matches(exclude, relative)))
          found.push(Uri.file(path));
      }
    }
    return found;
  },
  asRelativePath(target: Uri | string): string {
    const path = typeof target === 'string' ? target : target.path;
    const folder = workspaceState.folders.find((candidate) => path.startsWith(`${candidate.uri.path}/`));
    return folder ? path.slice(folder.uri.path.length + 1) : path;
  },
  getWorkspaceFolder(uri: Uri) {
    return workspaceState.folders.find(
      (folder) => uri.path === folder.uri.path || uri.path.startsWith(`${folder.uri.path}/`),
    );
  },
  async openTextDocument(uri: Uri): Promise<FakeTextDocument> {
    const open = documents.find((document) => !document.isClosed && document.uri.path === uri.path);
    if (open) return open;
    const text = new TextDecoder().decode(await fs.readFile(uri));
    const document = new FakeTextDocument(uri, uri.path.endsWith('.md') ? 'markdown' : 'plaintext', text);
    documents.push(document);
    return document;
  },
  /**
   * Like VS Code: the edit carries the versions the extension host knows now; it crosses to the renderer
   * (a tick later) and is refused when a document changed meanwhile, e.g. because the user typed.
   */
  async applyEdit(edit: WorkspaceEdit): Promise<boolean> {
    const known = new Map(edit.textEdits.map(({ uri }) => [uri.path, findDocument(uri)?.version]));
    await new Promise((resolve) => setImmediate(resolve));
    const hook = workspaceState.applyHook;
    workspaceState.applyHook = undefined;
    hook?.();
    for (const [path, version] of known) if (findDocument(Uri.file(path))?.version !== version) return false;
    const created: Uri[] = [];
    for (const create of edit.fileCreates) {
      const exists = files.has(create.uri.path);
      if (exists && create.options?.ignoreIfExists) continue;
      if (exists && !create.options?.overwrite) return false;
      const contents = create.options?.contents ?? new Uint8Array();
      // A DataTransferFile (a paste's or drop's file) is written by the editor itself, read from the transfer.
      await fs.writeFile(create.uri, contents instanceof Uint8Array ? contents : await contents.data());
      created.push(create.uri);
    }
    if (created.length) onDidCreateFilesEmitter.fire({ files: created });
    for (const path of new Set(edit.textEdits.map(({ uri }) => uri.path))) {
      const document = findDocument(Uri.file(path)) ?? (await workspace.openTextDocument(Uri.file(path)));
      document.applyTextEdits(
        edit.textEdits.filter(({ uri }) => uri.path === path).map(({ edit: textEdit }) => textEdit),
      );
    }
    return true;
  },
};

function findDocument(uri: Uri): FakeTextDocument | undefined {
  return documents.find((document) => !document.isClosed && document.uri.path === uri.path);
}
