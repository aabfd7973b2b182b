/**
 * Obsidian's `Editor` over a plain string, with CodeMirror's offset/position semantics: positions are
 * `{ line, ch }` (0-based), lines split on '\n', out-of-range positions clamp, and edits move the cursor the way
 * CodeMirror maps a selection through a change.
 */
export interface EditorPosition {
  line: number;
  ch: number;
}

export class Editor {
  #text: string;
  #anchor = 0;
  #head = 0;
  /** Test helper: every change as it happened, to prove what the plugin touched. */
  readonly changes: { from: number; to: number; text: string }[] = [];

  constructor(text = '') {
    this.#text = text;
  }

  getValue(): string {
    return this.#text;
  }

  setValue(text: string): void {
    this.#text = text;
    this.#anchor = Math.min(this.#anchor, text.length);
    this.#head = Math.min(this.#head, text.length);
  }

  lineCount(): number {
    return this.#text.split('\n').length;
  }

  lastLine(): number {
    return this.lineCount() - 1;
  }

  getLine(line: number): string {
    return this.#text.split('\n')[line] ?? '';
  }

  posToOffset(pos: EditorPosition): number {
    const lines = this.#text.split('\n');
    const line = Math.max(0, Math.min(pos.line, lines.length - 1));
    let offset = 0;
    for (let index = 0; index < line; index++) offset += (lines[index]?.length ?? 0) + 1;
    return offset + Math.max(0, Math.min(pos.ch, lines[line]?.length ?? 0));
  }

  offsetToPos(offset: number): EditorPosition {
    const clamped = Math.max(0, Math.min(offset, this.#text.length));
    const before = this.#text.slice(0, clamped).split('\n');
    return { line: before.length - 1, ch: before[before.length - 1]?.length ?? 0 };
  }

  getRange(from: EditorPosition, to: EditorPosition): string {
    return this.#text.slice(this.posToOffset(from), this.posToOffset(to));
  }

  getCursor(which: 'from' | 'to' | 'head' | 'anchor' = 'head'): EditorPosition {
    const from = Math.min(this.#anchor, this.#head);
    const to = Math.max(this.#anchor, this.#head);
    const offset = { from, to, head: this.#head, anchor: this.#anchor }[which];
    return this.offsetToPos(offset);
  }

  setCursor(pos: EditorPosition | number, ch?: number): void {
    const target = typeof pos === 'number' ? { line: pos, ch: ch ?? 0 } : pos;
    this.#anchor = this.#head = this.posToOffset(target);
  }

  setSelection(anchor: EditorPosition, head: EditorPosition = anchor): void {
    this.#anchor = this.posToOffset(anchor);
    this.#head = this.posToOffset(head);
  }

  somethingSelected(): boolean {
    return this.#anchor !== this.#head;
  }

  getSelection(): string {
    return this.#text.slice(Math.min(this.#anchor, this.#head), Math.max(this.#anchor, this.#head));
  }

  /** Replaces the selection (or inserts at the cursor); the cursor ends after the inserted text. */
  replaceSelection(text: string): void {
    const from = Math.min(this.#anchor, this.#head);
    const to = Math.max(this.#anchor, this.#head);
    this.#change(from, to, text);
    this.#anchor = this.#head = from + text.length;
  }

  replaceRange(text: string, from: EditorPosition, to: EditorPosition = from): void {
    const start = this.posToOffset(from);
    const end = Math.max(start, this.posToOffset(to));
    this.#change(start, end, text);
  }

  /** Test helper: the user types `text` at `offset` (cursor moves there, then the text goes in). */
  typeAt(offset: number, text: string): void {
    this.#anchor = this.#head = offset;
    this.replaceSelection(text);
  }

  #change(from: number, to: number, text: string): void {
    this.#text = this.#text.slice(0, from) + text + this.#text.slice(to);
    this.changes.push({ from, to, text });
    const delta = text.length - (to - from);
    // A position before the change stays; one after it shifts; one inside the replaced range lands at its end.
    const map = (pos: number): number => (pos <= from ? pos : pos >= to ? pos + delta : from + text.length);
    this.#anchor = map(this.#anchor);
    this.#head = map(this.#head);
  }
}
