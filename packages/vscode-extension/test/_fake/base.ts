/**
 * Basic types of the fake `vscode` API: disposables, events, cancellation, positions, ranges, URIs.
 */
import { posix } from 'node:path';

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
