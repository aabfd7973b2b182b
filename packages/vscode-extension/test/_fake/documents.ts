/**
 * Documents and edits of the fake `vscode` API: a text document with real offsets and versions, edits.
 */
import { Position, Range, type Uri } from './base';
import type { DataTransferFile } from './data-transfer';
import { onDidChangeTextDocumentEmitter, workspace } from './workspace';

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
