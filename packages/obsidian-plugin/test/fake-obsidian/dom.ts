/** Just enough of Obsidian's HTMLElement helpers (`createEl`, `createDiv`, `empty`, `setText`) to build a settings tab. */
export interface ElementOptions {
  text?: string;
  cls?: string | string[];
  attr?: Record<string, string>;
}

export class FakeElement {
  readonly tag: string;
  readonly children: FakeElement[] = [];
  readonly classes = new Set<string>();
  readonly attrs: Record<string, string> = {};
  parent: FakeElement | null = null;
  #text = '';

  constructor(tag = 'div', options: ElementOptions = {}) {
    this.tag = tag;
    if (options.text !== undefined) this.#text = options.text;
    // Like className, a string holds space-separated classes.
    for (const cls of [options.cls ?? []].flat().flatMap((value) => value.split(/\s+/)))
      if (cls) this.classes.add(cls);
    Object.assign(this.attrs, options.attr);
  }

  get textContent(): string {
    return this.#text + this.children.map((child) => child.textContent).join('');
  }

  createEl(tag: string, options: ElementOptions | string = {}): FakeElement {
    const child = new FakeElement(tag, typeof options === 'string' ? { cls: options } : options);
    child.parent = this;
    this.children.push(child);
    return child;
  }

  createDiv(options: ElementOptions | string = {}): FakeElement {
    return this.createEl('div', options);
  }

  createSpan(options: ElementOptions | string = {}): FakeElement {
    return this.createEl('span', options);
  }

  empty(): void {
    this.children.length = 0;
    this.#text = '';
  }

  setText(text: string): void {
    this.children.length = 0;
    this.#text = text;
  }

  addClass(...classes: string[]): void {
    for (const cls of classes) this.classes.add(cls);
  }

  removeClass(...classes: string[]): void {
    for (const cls of classes) this.classes.delete(cls);
  }

  toggleClass(cls: string, on: boolean): void {
    if (on) this.classes.add(cls);
    else this.classes.delete(cls);
  }

  hasClass(cls: string): boolean {
    return this.classes.has(cls);
  }

  setAttr(name: string, value: string): void {
    this.attrs[name] = value;
  }

  /** Every descendant, depth first. */
  *walk(): Generator<FakeElement> {
    for (const child of this.children) {
      yield child;
      yield* child.walk();
    }
  }
}
