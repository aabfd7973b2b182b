/**
 * A faithful in-memory fake of the parts of the `vscode` API the extension uses. Vitest aliases `vscode` to this file.
 * It copies VS Code's observable behaviour where the extension depends on it: documents have real offsets and a
 * version that grows with every edit, `workspace.applyEdit` fails when the document changed between the extension
 * reading it and the edit arriving (VS Code's "model changed in the meantime"), kinds follow HierarchicalKind, and
 * configuration defaults come from the extension's own package.json. Test-only controls live under `fake`.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { posix } from 'node:path';
// The glob dialect VS Code uses for findFiles is the one markdown.copyFiles uses; the extension has a port of it.
import { globToRegExp } from '../../src/glob';

// ---------------------------------------------------------------------------------------------------------------
// Basic types

export class Disposable {
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => {
      for (const item of items) item.dispose();
    });
  }
  constructor(private readonly onDispose: () => void) {}
  dispose(): void {
    this.onDispose();
  }
}

export type Event<T> = (listener: (event: T) => unknown) => Disposable;

export class EventEmitter<T> {
  private listeners = new Set<(event: T) => unknown>();
  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(event: T): void {
    for (const listener of [...this.listeners]) listener(event);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class CancellationError extends Error {
  constructor() {
    super('Canceled');
    this.name = 'Canceled';
  }
}

export interface CancellationToken {
  readonly isCancellationRequested: boolean;
  readonly onCancellationRequested: Event<unknown>;
}

export class CancellationTokenSource {
  private emitter = new EventEmitter<unknown>();
  private cancelled = false;
  readonly token: CancellationToken;
  constructor() {
    const self = this;
    this.token = {
      get isCancellationRequested() {
        return self.cancelled;
      },
      onCancellationRequested: (listener) => {
        // Like VS Code: a listener added after cancellation is called right away.
        if (self.cancelled) {
          queueMicrotask(() => listener(undefined));
          return new Disposable(() => undefined);
        }
        return self.emitter.event(listener);
      },
    };
  }
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.emitter.fire(undefined);
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {
    if (line < 0 || character < 0) throw new Error('Illegal argument: line and character must be ≥ 0');
  }
  isBefore(other: Position): boolean {
    return this.compareTo(other) < 0;
  }
  isEqual(other: Position): boolean {
    return this.compareTo(other) === 0;
  }
  compareTo(other: Position): number {
    return this.line === other.line ? this.character - other.character : this.line - other.line;
  }
  translate(lineDelta = 0, characterDelta = 0): Position {
    return new Position(this.line + lineDelta, this.character + characterDelta);
  }
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(start: Position, end: Position);
  constructor(startLine: number, startCharacter: number, endLine: number, endCharacter: number);
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    const start = typeof a === 'number' ? new Position(a, b as number) : a;
    const end = typeof a === 'number' ? new Position(c as number, d as number) : (b as Position);
    // VS Code orders the ends.
    [this.start, this.end] = start.isBefore(end) ? [start, end] : [end, start];
  }
  get isEmpty(): boolean {
    return this.start.isEqual(this.end);
  }
}

export class Selection extends Range {
  constructor(
    readonly anchor: Position,
    readonly active: Position,
  ) {
    super(anchor, active);
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query = '',
    readonly fragment = '',
  ) {}
  static file(path: string): Uri {
    return new Uri('file', '', posix.normalize(path));
  }
  static parse(value: string): Uri {
    const url = new URL(value);
    return new Uri(url.protocol.slice(0, -1), url.host, decodeURIComponent(url.pathname));
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return base.with({ path: posix.join(base.path, ...segments) });
  }
  get fsPath(): string {
    return this.path;
  }
  with(change: { scheme?: string; path?: string }): Uri {
    return new Uri(change.scheme ?? this.scheme, this.authority, change.path ?? this.path);
  }
  /** As VS Code writes it: `//` only with an authority or for `file:`, the path percent-encoded. */
  toString(): string {
    const slashes = this.authority || this.scheme === 'file' ? `//${this.authority}` : '';
    return `${this.scheme}:${slashes}${this.path.split('/').map(encodeURIComponent).join('/')}`;
  }
  toJSON(): { scheme: string; authority: string; path: string } {
    return { scheme: this.scheme, authority: this.authority, path: this.path };
  }
}

export class SnippetString {
  constructor(readonly value = '') {}
}

// ---------------------------------------------------------------------------------------------------------------
// Documents and edits

export enum EndOfLine {
  LF = 1,
  CRLF = 2,
}

export interface TextDocumentContentChangeEvent {
  range: Range;
  rangeOffset: number;
  rangeLength: number;
  text: string;
}

export interface TextDocumentChangeEvent {
  document: FakeTextDocument;
  contentChanges: readonly TextDocumentContentChangeEvent[];
}

/** A text document with real offsets; every change bumps `version` and fires `onDidChangeTextDocument`. */
export class FakeTextDocument {
  version = 1;
  isClosed = false;
  isDirty = false;
  readonly eol = EndOfLine.LF;
  constructor(
    readonly uri: Uri,
    public languageId: string,
    private text: string,
  ) {}
  get fileName(): string {
    return this.uri.fsPath;
  }
  get isUntitled(): boolean {
    return this.uri.scheme === 'untitled';
  }
  get lineCount(): number {
    return this.text.split('\n').length;
  }
  getText(range?: Range): string {
    if (!range) return this.text;
    return this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }
  offsetAt(position: Position): number {
    const lines = this.text.split('\n');
    const line = Math.min(position.line, lines.length - 1);
    let offset = 0;
    for (let index = 0; index < line; index++) offset += (lines[index] as string).length + 1;
    return offset + Math.min(position.character, (lines[line] as string).length);
  }
  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const before = this.text.slice(0, clamped).split('\n');
    return new Position(before.length - 1, (before[before.length - 1] as string).length);
  }
  lineAt(line: number): { text: string; range: Range } {
    const text = this.text.split('\n')[line] ?? '';
    return { text, range: new Range(line, 0, line, text.length) };
  }
  async save(): Promise<boolean> {
    await workspace.fs.writeFile(this.uri, new TextEncoder().encode(this.text));
    this.isDirty = false;
    return true;
  }
  /** Applies non-overlapping edits at once (as one version step), like a model edit operation. */
  applyTextEdits(edits: readonly { range: Range; newText: string }[]): void {
    const resolved = edits
      .map((edit) => ({ start: this.offsetAt(edit.range.start), end: this.offsetAt(edit.range.end), edit }))
      .sort((a, b) => b.start - a.start);
    for (let index = 1; index < resolved.length; index++) {
      if ((resolved[index] as { end: number }).end > (resolved[index - 1] as { start: number }).start) {
        throw new Error('Overlapping ranges are not allowed!');
      }
    }
    const changes: TextDocumentContentChangeEvent[] = [];
    for (const { start, end, edit } of resolved) {
      changes.push({ range: edit.range, rangeOffset: start, rangeLength: end - start, text: edit.newText });
      this.text = this.text.slice(0, start) + edit.newText + this.text.slice(end);
    }
    this.version++;
    this.isDirty = true;
    onDidChangeTextDocumentEmitter.fire({ document: this, contentChanges: changes });
  }
}

export type TextDocument = FakeTextDocument;

export class TextEdit {
  constructor(
    readonly range: Range,
    readonly newText: string,
  ) {}
}

type FileOperation = {
  uri: Uri;
  options?: { contents?: Uint8Array | DataTransferFile; overwrite?: boolean; ignoreIfExists?: boolean };
};

export class WorkspaceEdit {
  readonly textEdits: { uri: Uri; edit: TextEdit }[] = [];
  readonly fileCreates: FileOperation[] = [];
  replace(uri: Uri, range: Range, newText: string): void {
    this.textEdits.push({ uri, edit: new TextEdit(range, newText) });
  }
  insert(uri: Uri, position: Position, newText: string): void {
    this.replace(uri, new Range(position, position), newText);
  }
  delete(uri: Uri, range: Range): void {
    this.replace(uri, range, '');
  }
  createFile(uri: Uri, options?: FileOperation['options']): void {
    this.fileCreates.push({ uri, ...(options ? { options } : {}) });
  }
  /** Like VS Code: the number of resources with text edits (file operations are not counted). */
  get size(): number {
    return new Set(this.textEdits.map(({ uri }) => uri.toString())).size;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Data transfer and paste/drop edits

export interface DataTransferFile {
  readonly name: string;
  readonly uri?: Uri;
  data(): Thenable<Uint8Array>;
}

export class DataTransferItem {
  constructor(readonly value: unknown) {}
  async asString(): Promise<string> {
    return typeof this.value === 'string' ? this.value : JSON.stringify(this.value);
  }
  asFile(): DataTransferFile | undefined {
    return undefined;
  }
}

/** The item VS Code hands to extensions for a pasted or dropped file: its bytes are fetched on `data()`. */
class FileDataTransferItem extends DataTransferItem {
  constructor(private readonly file: DataTransferFile) {
    super(file);
  }
  override async asString(): Promise<string> {
    return '';
  }
  override asFile(): DataTransferFile {
    return this.file;
  }
}

export class DataTransfer implements Iterable<[string, DataTransferItem]> {
  private items = new Map<string, DataTransferItem[]>();
  get(mimeType: string): DataTransferItem | undefined {
    return this.items.get(mimeType.toLowerCase())?.[0];
  }
  set(mimeType: string, value: DataTransferItem): void {
    this.items.set(mimeType.toLowerCase(), [value]);
  }
  /** VS Code keeps one entry per file even when several share a mime type; iteration yields each. */
  append(mimeType: string, value: DataTransferItem): void {
    const key = mimeType.toLowerCase();
    this.items.set(key, [...(this.items.get(key) ?? []), value]);
  }
  forEach(callback: (item: DataTransferItem, mimeType: string, transfer: DataTransfer) => void): void {
    for (const [mime, item] of this) callback(item, mime, this);
  }
  *[Symbol.iterator](): IterableIterator<[string, DataTransferItem]> {
    for (const [mime, items] of this.items) for (const item of items) yield [mime, item];
  }
}

/** Mirrors VS Code's HierarchicalKind: dot-separated, `Empty` contains everything. */
export class DocumentDropOrPasteEditKind {
  static readonly sep = '.';
  static readonly Empty = new DocumentDropOrPasteEditKind('');
  static readonly Text = new DocumentDropOrPasteEditKind('text');
  static readonly TextUpdateImports = new DocumentDropOrPasteEditKind('text.updateImports');
  constructor(readonly value: string) {}
  append(...parts: string[]): DocumentDropOrPasteEditKind {
    return new DocumentDropOrPasteEditKind((this.value ? [this.value, ...parts] : parts).join('.'));
  }
  contains(other: DocumentDropOrPasteEditKind): boolean {
    return this.value === other.value || this.value === '' || other.value.startsWith(`${this.value}.`);
  }
  intersects(other: DocumentDropOrPasteEditKind): boolean {
    return this.contains(other) || other.contains(this);
  }
}

export enum DocumentPasteTriggerKind {
  Automatic = 0,
  PasteAs = 1,
}

export class DocumentPasteEdit {
  additionalEdit?: WorkspaceEdit;
  yieldTo?: readonly DocumentDropOrPasteEditKind[];
  constructor(
    public insertText: string | SnippetString,
    public title: string,
    public kind: DocumentDropOrPasteEditKind,
  ) {}
}

export class DocumentDropEdit {
  additionalEdit?: WorkspaceEdit;
  yieldTo?: readonly DocumentDropOrPasteEditKind[];
  constructor(
    public insertText: string | SnippetString,
    public title?: string,
    public kind?: DocumentDropOrPasteEditKind,
  ) {}
}

// ---------------------------------------------------------------------------------------------------------------
// Workspace: file system, configuration, documents

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

const files = new Map<string, Uint8Array>();
const directories = new Set<string>(['/']);

function addParents(path: string): void {
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
const userSettings = new Map<string, unknown>();
const configurationReads: string[] = [];
const onDidChangeConfigurationEmitter = new EventEmitter<{
  affectsConfiguration(section: string): boolean;
}>();

function getConfiguration(section?: string) {
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

const documents: FakeTextDocument[] = [];
const onDidChangeTextDocumentEmitter = new EventEmitter<TextDocumentChangeEvent>();
const onDidCreateFilesEmitter = new EventEmitter<{ files: readonly Uri[] }>();
const onDidGrantWorkspaceTrustEmitter = new EventEmitter<void>();
let workspaceFolders: { uri: Uri; name: string; index: number }[] = [];
let applyHook: (() => void) | undefined;

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
    return workspaceFolders.length ? workspaceFolders : undefined;
  },
  /** Files of the workspace folders whose path relative to their folder matches `include`. */
  async findFiles(include: string, exclude?: string | null): Promise<Uri[]> {
    const matches = (glob: string, path: string) => globToRegExp(glob).test(path);
    const found: Uri[] = [];
    for (const folder of workspaceFolders) {
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
    const folder = workspaceFolders.find((candidate) => path.startsWith(`${candidate.uri.path}/`));
    return folder ? path.slice(folder.uri.path.length + 1) : path;
  },
  getWorkspaceFolder(uri: Uri) {
    return workspaceFolders.find(
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
    const hook = applyHook;
    applyHook = undefined;
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

// ---------------------------------------------------------------------------------------------------------------
// Window: progress, messages, pickers, editors

export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}

export interface ProgressRecord {
  options: { location: ProgressLocation; title?: string; cancellable?: boolean };
  reports: { message?: string; increment?: number }[];
  /** What the user does when clicking Cancel on the notification. */
  cancel(): void;
  done: boolean;
}

export interface MessageRecord {
  severity: 'error' | 'warning' | 'info';
  message: string;
  items: string[];
  /** The user clicks one of the message's buttons (or dismisses it with `undefined`). */
  respond(item: string | undefined): void;
}

const progressRecords: ProgressRecord[] = [];
const messages: MessageRecord[] = [];
const messageEmitter = new EventEmitter<MessageRecord>();
const inputBoxAnswers: (string | undefined)[] = [];
const openDialogAnswers: (Uri[] | undefined)[] = [];
const inputBoxOptions: Record<string, unknown>[] = [];
const quickPickAnswers: (string | undefined)[] = [];
const outputChannels = new Map<string, string[]>();

function showMessage(severity: MessageRecord['severity']) {
  return (message: string, ...rest: unknown[]): Promise<string | undefined> =>
    new Promise((resolve) => {
      // Options objects (modal, detail) may come first, like in VS Code.
      const items = rest.filter((item): item is string => typeof item === 'string');
      const record: MessageRecord = { severity, message, items, respond: resolve };
      messages.push(record);
      messageEmitter.fire(record);
    });
}

export interface FakeTextEditor {
  document: FakeTextDocument;
  selection: Selection;
  selections: Selection[];
  edit(
    callback: (builder: {
      replace(range: Range, text: string): void;
      insert(at: Position, text: string): void;
    }) => void,
  ): Promise<boolean>;
}

let activeTextEditor: FakeTextEditor | undefined;

export const window = {
  async withProgress<R>(
    options: ProgressRecord['options'],
    task: (
      progress: { report(value: { message?: string; increment?: number }): void },
      token: CancellationToken,
    ) => Thenable<R>,
  ): Promise<R> {
    const source = new CancellationTokenSource();
    const record: ProgressRecord = {
      options,
      reports: [],
      cancel: () => {
        if (!options.cancellable) throw new Error('this progress has no Cancel button');
        source.cancel();
      },
      done: false,
    };
    progressRecords.push(record);
    try {
      return await task({ report: (value) => record.reports.push(value) }, source.token);
    } finally {
      record.done = true;
    }
  },
  showErrorMessage: showMessage('error'),
  showWarningMessage: showMessage('warning'),
  showInformationMessage: showMessage('info'),
  /** Answers with the next of `fake.inputBoxAnswers`, refused like VS Code does when `validateInput` objects. */
  async showInputBox(options?: {
    validateInput?: (value: string) => string | undefined | Promise<string | undefined>;
  }): Promise<string | undefined> {
    inputBoxOptions.push(options ?? {});
    const answer = inputBoxAnswers.shift();
    if (answer !== undefined && (await options?.validateInput?.(answer)))
      throw new Error(`the input box refuses '${answer}': ${await options?.validateInput?.(answer)}`);
    return answer;
  },
  /** Answers with the next of `fake.quickPickAnswers` (an item's label), which must be one of the items. */
  async showQuickPick(items: readonly string[]): Promise<string | undefined> {
    const answer = quickPickAnswers.shift();
    if (answer !== undefined && !items.includes(answer))
      throw new Error(`'${answer}' is not offered: ${items.join(', ')}`);
    return answer;
  },
  async showOpenDialog(): Promise<Uri[] | undefined> {
    return openDialogAnswers.shift();
  },
  get activeTextEditor(): FakeTextEditor | undefined {
    return activeTextEditor;
  },
  createOutputChannel(name: string) {
    const lines: string[] = [];
    outputChannels.set(name, lines);
    return {
      name,
      append: (text: string) => lines.push(text),
      appendLine: (line: string) => lines.push(line),
      clear: () => lines.splice(0),
      show: () => undefined,
      dispose: () => undefined,
    };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Languages and commands

export type DocumentSelector =
  | string
  | { language?: string; scheme?: string }
  | readonly ({ language?: string; scheme?: string } | string)[];

function matchSelector(selector: DocumentSelector, document: FakeTextDocument): boolean {
  if (Array.isArray(selector)) return selector.some((entry) => matchSelector(entry, document));
  if (typeof selector === 'string') return selector === '*' || selector === document.languageId;
  const filter = selector as { language?: string; scheme?: string };
  return (
    (filter.language === undefined || filter.language === '*' || filter.language === document.languageId) &&
    (filter.scheme === undefined || filter.scheme === document.uri.scheme)
  );
}

interface PasteRegistration {
  selector: DocumentSelector;
  provider: {
    provideDocumentPasteEdits?(
      ...args: unknown[]
    ): Thenable<DocumentPasteEdit[] | undefined | null> | DocumentPasteEdit[] | undefined;
    resolveDocumentPasteEdit?(
      edit: DocumentPasteEdit,
      token: CancellationToken,
    ): Thenable<DocumentPasteEdit | undefined> | DocumentPasteEdit | undefined;
  };
  metadata: {
    providedPasteEditKinds: readonly DocumentDropOrPasteEditKind[];
    pasteMimeTypes?: readonly string[];
  };
}

interface DropRegistration {
  selector: DocumentSelector;
  provider: {
    provideDocumentDropEdits(
      ...args: unknown[]
    ):
      | Thenable<DocumentDropEdit | DocumentDropEdit[] | undefined | null>
      | DocumentDropEdit
      | DocumentDropEdit[]
      | undefined;
    resolveDocumentDropEdit?(
      edit: DocumentDropEdit,
      token: CancellationToken,
    ): Thenable<DocumentDropEdit | undefined> | DocumentDropEdit | undefined;
  };
  metadata?: {
    providedDropEditKinds?: readonly DocumentDropOrPasteEditKind[];
    dropMimeTypes: readonly string[];
  };
}

const pasteProviders: PasteRegistration[] = [];
const dropProviders: DropRegistration[] = [];
const commandHandlers = new Map<string, (...args: unknown[]) => unknown>();
const executedCommands: { id: string; args: unknown[] }[] = [];

export const languages = {
  registerDocumentPasteEditProvider(
    selector: DocumentSelector,
    provider: PasteRegistration['provider'],
    metadata: PasteRegistration['metadata'],
  ): Disposable {
    const registration = { selector, provider, metadata };
    pasteProviders.push(registration);
    return new Disposable(() => pasteProviders.splice(pasteProviders.indexOf(registration), 1));
  },
  registerDocumentDropEditProvider(
    selector: DocumentSelector,
    provider: DropRegistration['provider'],
    metadata?: DropRegistration['metadata'],
  ): Disposable {
    const registration = { selector, provider, ...(metadata ? { metadata } : {}) };
    dropProviders.push(registration);
    return new Disposable(() => dropProviders.splice(dropProviders.indexOf(registration), 1));
  },
  match(selector: DocumentSelector, document: FakeTextDocument): number {
    return matchSelector(selector, document) ? 10 : 0;
  },
};

export const commands = {
  registerCommand(id: string, handler: (...args: unknown[]) => unknown): Disposable {
    if (commandHandlers.has(id)) throw new Error(`command '${id}' already exists`);
    commandHandlers.set(id, handler);
    return new Disposable(() => commandHandlers.delete(id));
  },
  async executeCommand<T>(id: string, ...args: unknown[]): Promise<T> {
    const handler = commandHandlers.get(id);
    // The workbench's own commands (open settings…) only record that they ran.
    if (!handler && /^(workbench|editor)\./.test(id)) {
      executedCommands.push({ id, args });
      return undefined as T;
    }
    if (!handler) throw new Error(`command '${id}' not found`);
    return (await handler(...args)) as T;
  },
};

export const env = { appName: 'Fake Code', uiKind: 1, remoteName: undefined as string | undefined };

export enum ExtensionMode {
  Production = 1,
  Development = 2,
  Test = 3,
}

// ---------------------------------------------------------------------------------------------------------------
// Test controls: what the editor and the user do

function mimeMatches(pattern: string, dataTransfer: DataTransfer): boolean {
  for (const [mime, item] of dataTransfer) {
    if (pattern === 'files' && item.asFile()) return true;
    if (pattern === mime || (pattern.endsWith('/*') && mime.startsWith(pattern.slice(0, -1)))) return true;
  }
  return false;
}

type Ordered = { kind?: DocumentDropOrPasteEditKind; yieldTo?: readonly DocumentDropOrPasteEditKind[] };

/** VS Code's `sortEditsByYieldTo`: an edit that yields to another comes after it. */
function sortByYieldTo<T extends Ordered>(edits: readonly T[]): T[] {
  const yieldsTo = new Map<T, T[]>();
  for (const edit of edits)
    for (const kind of edit.yieldTo ?? [])
      for (const other of edits)
        if (other !== edit && other.kind && kind.contains(other.kind))
          yieldsTo.set(edit, [...(yieldsTo.get(edit) ?? []), other]);
  const placed = new Set<T>();
  const visit = (list: readonly T[]): T[] => {
    const [first, ...rest] = list;
    if (!first) return [];
    if (placed.has(first)) return visit(rest);
    placed.add(first);
    return [...visit(yieldsTo.get(first) ?? []), first, ...visit(rest)];
  };
  return visit(edits);
}

function preferred<T extends Ordered>(unsorted: T[], setting: string): T | undefined {
  const edits = sortByYieldTo(unsorted);
  const preferences = (getConfiguration().get<string[]>(setting) ?? []).map(
    (value) => new DocumentDropOrPasteEditKind(value),
  );
  for (const preference of preferences) {
    const edit = edits.find((candidate) => candidate.kind && preference.contains(candidate.kind));
    if (edit) return edit;
  }
  return edits[0];
}

async function applyInsert(
  document: FakeTextDocument,
  ranges: readonly Range[],
  edit: { insertText: string | SnippetString; additionalEdit?: WorkspaceEdit },
): Promise<boolean> {
  const text = typeof edit.insertText === 'string' ? edit.insertText : edit.insertText.value;
  const workspaceEdit = new WorkspaceEdit();
  for (const range of ranges) workspaceEdit.replace(document.uri, range, text);
  // VS Code applies the text, then the additional edit; a file it cannot write fails that part only (logged).
  const applied = await workspace.applyEdit(workspaceEdit);
  if (applied && edit.additionalEdit) await workspace.applyEdit(edit.additionalEdit).catch(() => false);
  return applied;
}

export interface PasteOutcome<T> {
  /** Every edit the providers offered, in order. */
  edits: T[];
  /** The edit the editor applied, if any. */
  applied?: T;
  /** The token the providers saw; cancelled when the user typed before they answered. */
  token: CancellationToken;
}

export const fake = {
  /** A fresh world for each test. */
  reset(): void {
    files.clear();
    directories.clear();
    directories.add('/');
    userSettings.clear();
    configurationReads.length = 0;
    for (const document of documents) document.isClosed = true;
    documents.length = 0;
    progressRecords.length = 0;
    messages.length = 0;
    inputBoxAnswers.length = 0;
    inputBoxOptions.length = 0;
    quickPickAnswers.length = 0;
    openDialogAnswers.length = 0;
    outputChannels.clear();
    pasteProviders.length = 0;
    dropProviders.length = 0;
    commandHandlers.clear();
    executedCommands.length = 0;
    workspaceFolders = [];
    activeTextEditor = undefined;
    applyHook = undefined;
    workspace.isTrusted = true;
  },
  files,
  settings: userSettings,
  configurationReads,
  progress: progressRecords,
  messages,
  inputBoxAnswers,
  inputBoxOptions,
  quickPickAnswers,
  openDialogAnswers,
  outputChannels,
  pasteProviders,
  dropProviders,
  executedCommands,
  setWorkspaceFolder(path: string): Uri {
    const uri = Uri.file(path);
    workspaceFolders = [{ uri, name: posix.basename(path), index: 0 }];
    directories.add(path);
    addParents(`${path}/x`);
    return uri;
  },
  /** Opens a document (and writes it to the file system, like a saved file). */
  openDocument(path: string, text: string, languageId = 'markdown'): FakeTextDocument {
    const uri = Uri.file(path);
    addParents(path);
    files.set(path, new TextEncoder().encode(text));
    const document = new FakeTextDocument(uri, languageId, text);
    documents.push(document);
    return document;
  },
  /** An empty window: no folder open. */
  removeWorkspaceFolders(): void {
    workspaceFolders = [];
  },
  /** A new, never saved document (`untitled:` scheme). */
  openUntitled(text: string, languageId = 'markdown'): FakeTextDocument {
    const count = documents.filter((document) => document.uri.scheme === 'untitled').length + 1;
    const document = new FakeTextDocument(Uri.parse(`untitled:Untitled-${count}`), languageId, text);
    documents.push(document);
    return document;
  },
  closeDocument(document: FakeTextDocument): void {
    document.isClosed = true;
  },
  showEditor(document: FakeTextDocument, offset = document.getText().length): FakeTextEditor {
    const position = document.positionAt(offset);
    const selection = new Selection(position, position);
    const editor: FakeTextEditor = {
      document,
      selection,
      selections: [selection],
      async edit(callback) {
        const edits: { range: Range; newText: string }[] = [];
        callback({
          replace: (range, newText) => edits.push({ range, newText }),
          insert: (at, newText) => edits.push({ range: new Range(at, at), newText }),
        });
        document.applyTextEdits(edits);
        return true;
      },
    };
    activeTextEditor = editor;
    return editor;
  },
  /** The user types `text` at `offset` (a local edit: applied at once, version bumped). */
  type(document: FakeTextDocument, offset: number, text: string): void {
    const at = document.positionAt(offset);
    document.applyTextEdits([{ range: new Range(at, at), newText: text }]);
  },
  /** Runs `action` while the next `workspace.applyEdit` is in flight, as a user typing at that instant. */
  duringNextApplyEdit(action: () => void): void {
    applyHook = action;
  },
  /** A file as the clipboard or a drop hands it over; `data` may be a function to observe the read. */
  fileItem(name: string, data: Uint8Array | (() => Promise<Uint8Array>), uri?: Uri): DataTransferItem {
    return new FileDataTransferItem({
      name,
      ...(uri ? { uri } : {}),
      data: typeof data === 'function' ? data : async () => data,
    });
  },
  /** Resolves with the next message shown (or one already shown that matches). */
  nextMessage(predicate: (message: MessageRecord) => boolean = () => true): Promise<MessageRecord> {
    const existing = messages.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const subscription = messageEmitter.event((message) => {
        if (!predicate(message)) return;
        subscription.dispose();
        resolve(message);
      });
    });
  },
  /**
   * What VS Code does on Ctrl+V: ask every matching paste provider, pick the preferred edit
   * (`editor.pasteAs.preferences`, else the first), resolve it, then apply it — unless the document changed while
   * providers ran, which cancels the paste. `whileProviding` runs once each provider has started and not yet
   * answered: a user typing at that instant.
   */
  async paste(
    document: FakeTextDocument,
    ranges: readonly Range[],
    dataTransfer: DataTransfer,
    context: {
      only?: DocumentDropOrPasteEditKind;
      triggerKind?: DocumentPasteTriggerKind;
      whileProviding?: () => void;
    } = {},
  ): Promise<PasteOutcome<DocumentPasteEdit>> {
    const source = new CancellationTokenSource();
    const version = document.version;
    const cancelOnType = onDidChangeTextDocumentEmitter.event((event) => {
      if (event.document === document) source.cancel();
    });
    const edits: DocumentPasteEdit[] = [];
    // VS Code resolves an edit with the provider that made it.
    const owners = new Map<DocumentPasteEdit, PasteRegistration['provider']>();
    try {
      for (const { selector, provider, metadata } of pasteProviders) {
        if (!matchSelector(selector, document)) continue;
        if (!(metadata.pasteMimeTypes ?? []).some((pattern) => mimeMatches(pattern, dataTransfer))) continue;
        const answer = provider.provideDocumentPasteEdits?.(
          document,
          ranges,
          dataTransfer,
          { only: context.only, triggerKind: context.triggerKind ?? DocumentPasteTriggerKind.Automatic },
          source.token,
        );
        context.whileProviding?.();
        const result = await answer;
        for (const edit of result ?? []) {
          if (context.only && !context.only.contains(edit.kind)) continue;
          edits.push(edit);
          owners.set(edit, provider);
        }
      }
      const chosen = preferred(edits, 'editor.pasteAs.preferences');
      if (!chosen || source.token.isCancellationRequested) return { edits, token: source.token };
      const provider = owners.get(chosen);
      const resolved = (await provider?.resolveDocumentPasteEdit?.(chosen, source.token)) ?? chosen;
      if (source.token.isCancellationRequested || document.version !== version)
        return { edits, token: source.token };
      cancelOnType.dispose();
      return (await applyInsert(document, ranges, resolved))
        ? { edits, applied: resolved, token: source.token }
        : { edits, token: source.token };
    } finally {
      cancelOnType.dispose();
    }
  },
  /**
   * What VS Code 1.139 does when files are dropped into the editor: asks the drop providers, picks the preferred edit
   * (`editor.dropIntoEditor.preferences`) and applies it without resolving it.
   */
  async drop(
    document: FakeTextDocument,
    position: Position,
    dataTransfer: DataTransfer,
  ): Promise<PasteOutcome<DocumentDropEdit>> {
    const source = new CancellationTokenSource();
    const edits: DocumentDropEdit[] = [];
    for (const { selector, provider, metadata } of dropProviders) {
      if (!matchSelector(selector, document)) continue;
      if (metadata && !metadata.dropMimeTypes.some((pattern) => mimeMatches(pattern, dataTransfer))) continue;
      const result = await provider.provideDocumentDropEdits(document, position, dataTransfer, source.token);
      edits.push(...(result ? (Array.isArray(result) ? result : [result]) : []));
    }
    const chosen = preferred(edits, 'editor.dropIntoEditor.preferences');
    if (!chosen) return { edits, token: source.token };
    // VS Code 1.139 applies the chosen drop edit as provided: resolveDocumentDropEdit is never called.
    const applied = await applyInsert(document, [new Range(position, position)], chosen);
    return applied ? { edits, applied: chosen, token: source.token } : { edits, token: source.token };
  },
};

export interface ExtensionContext {
  subscriptions: { dispose(): unknown }[];
  secrets: FakeSecretStorage;
  globalState: FakeMemento;
  /** The workspace's storage folder (undefined in a window without a folder). */
  storageUri: Uri | undefined;
  globalStorageUri: Uri;
  extensionUri: Uri;
  extensionMode: ExtensionMode;
}

/** A Memento: values kept across reloads as long as the test reuses it. */
export class FakeMemento {
  private readonly values = new Map<string, unknown>();
  get<T>(key: string, defaultValue?: T): T | undefined {
    return this.values.has(key) ? (structuredClone(this.values.get(key)) as T) : defaultValue;
  }
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, structuredClone(value));
  }
}

/** SecretStorage: an in-memory map that records reads, so tests can see where secrets come from. */
export class FakeSecretStorage {
  private values = new Map<string, string>();
  private emitter = new EventEmitter<{ key: string }>();
  readonly reads: string[] = [];
  readonly onDidChange = this.emitter.event;
  async get(key: string): Promise<string | undefined> {
    this.reads.push(key);
    return this.values.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    this.emitter.fire({ key });
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
    this.emitter.fire({ key });
  }
}

/**
 * A context as VS Code gives `activate`. Pass the previous one's `secrets` and `globalState` to start the extension
 * again over the same machine (a window reload): storage folders are the same paths in the fake file system.
 */
export function createExtensionContext(
  previous?: Pick<ExtensionContext, 'secrets' | 'globalState'>,
): ExtensionContext {
  return {
    subscriptions: [],
    secrets: previous?.secrets ?? new FakeSecretStorage(),
    globalState: previous?.globalState ?? new FakeMemento(),
    storageUri: workspaceFolders.length ? Uri.file('/storage/workspace') : undefined,
    globalStorageUri: Uri.file('/storage/global'),
    extensionUri: Uri.file('/extension'),
    extensionMode: ExtensionMode.Test,
  };
}
