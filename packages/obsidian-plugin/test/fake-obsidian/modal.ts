/** Obsidian's `Modal`: `open()` shows it and calls `onOpen`, `close()` hides it and calls `onClose`. */
import type { App } from './app';
import { FakeElement } from './dom';

export class Modal {
  /** Test helper: the modals open now, oldest first. */
  static readonly open: Modal[] = [];
  static readonly #waiting: ((modal: Modal) => void)[] = [];

  /** Test helper: resolves with the next modal opened. */
  static next(): Promise<Modal> {
    return new Promise((resolve) => Modal.#waiting.push(resolve));
  }
  readonly app: App;
  readonly containerEl = new FakeElement('div', { cls: 'modal-container' });
  readonly modalEl: FakeElement;
  readonly titleEl: FakeElement;
  readonly contentEl: FakeElement;
  #closeCallback: (() => unknown) | undefined;

  constructor(app: App) {
    this.app = app;
    this.modalEl = this.containerEl.createDiv({ cls: 'modal' });
    this.titleEl = this.modalEl.createDiv({ cls: 'modal-title' });
    this.contentEl = this.modalEl.createDiv({ cls: 'modal-content' });
  }

  open(): void {
    Modal.open.push(this);
    void this.onOpen();
    for (const resolve of Modal.#waiting.splice(0)) resolve(this);
  }

  close(): void {
    const index = Modal.open.indexOf(this);
    if (index === -1) return;
    Modal.open.splice(index, 1);
    this.onClose();
    this.#closeCallback?.();
  }

  onOpen(): Promise<void> | void {}

  onClose(): void {}

  setTitle(title: string): this {
    this.titleEl.setText(title);
    return this;
  }

  setContent(content: string): this {
    this.contentEl.setText(content);
    return this;
  }

  setCloseCallback(callback: () => unknown): this {
    this.#closeCallback = callback;
    return this;
  }
}

/**
 * `app.setting`, the settings modal. Not in obsidian.d.ts, but present in every Obsidian release and the only way
 * to open a plugin's tab (`open()`, then `openTabById(manifest.id)`); the plugin uses it only when it is there.
 */
export class SettingModal {
  /** Test helper: the tab last opened, or null while closed. */
  openTab: string | null = null;
  #open = false;

  open(): void {
    this.#open = true;
  }

  openTabById(id: string): void {
    if (this.#open) this.openTab = id;
  }

  close(): void {
    this.#open = false;
    this.openTab = null;
  }
}
