/** Obsidian's `Events`: named callbacks, `EventRef`s to detach them. */
export interface EventRef {
  readonly events: Events;
  readonly name: string;
  readonly callback: (...args: unknown[]) => unknown;
}

export class Events {
  readonly #handlers = new Map<string, EventRef[]>();

  on(name: string, callback: (...args: never[]) => unknown): EventRef {
    const ref: EventRef = { events: this, name, callback: callback as (...args: unknown[]) => unknown };
    this.#handlers.set(name, [...(this.#handlers.get(name) ?? []), ref]);
    return ref;
  }

  offref(ref: EventRef): void {
    this.#handlers.set(
      ref.name,
      (this.#handlers.get(ref.name) ?? []).filter((candidate) => candidate !== ref),
    );
  }

  trigger(name: string, ...args: unknown[]): void {
    for (const ref of this.#handlers.get(name) ?? []) ref.callback(...args);
  }

  /** Test helper: how many handlers listen to `name`. */
  listenerCount(name: string): number {
    return this.#handlers.get(name)?.length ?? 0;
  }
}
