/**
 * Data transfer and paste/drop edits of the fake `vscode` API, with HierarchicalKind.
 */
import type { SnippetString, Uri } from './base';
import type { WorkspaceEdit } from './documents';

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
export class FileDataTransferItem extends DataTransferItem {
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
