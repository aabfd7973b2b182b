/**
 * "Change link base URL": every link under one public base URL (an old CDN domain) is rewritten to another, across
 * the vault. A dry run lists what would change where; nothing is written until the user confirms, and then each note
 * is rewritten from its text at that moment (by core's `findLinks`, so links written in code stay as they are).
 */
import { type App, Modal, Setting, type TFile } from 'obsidian';
import { rewriteLinks } from '../note-edit';
import { notify } from '../notices';
import type { UploadHost } from '../paste-flow';
import { urlOf, vaultLinks } from '../remote-links';
import { SETTING } from '../setting-names';

/** A base URL as compared: trimmed, without trailing slashes. */
function normalize(base: string): string {
  return base.trim().replace(/\/+$/, '');
}

/** Why `value` cannot be a base URL, or undefined when it can. */
function problemOf(label: string, value: string): string | undefined {
  if (!/^https?:\/\/[^/?#\s]+/i.test(value.trim())) {
    return `${label} '${value.trim()}' is not an http(s) URL: write it like https://cdn.example.com`;
  }
  return undefined;
}

/** `url` moved from under `from` to under `to`, or undefined when it is not under `from`. */
export function rebased(url: string, from: string, to: string): string | undefined {
  if (!url.startsWith(from)) return undefined;
  const rest = url.slice(from.length);
  // A whole path segment only: https://cdn.example.com/a is not under https://cdn.example.com/ab.
  return rest === '' || /^[/?#]/.test(rest) ? `${to}${rest}` : undefined;
}

/** One link that would change. */
export interface PlannedChange {
  note: TFile;
  from: string;
  to: string;
}

/** The dry run: every link under `from` in the vault and its new URL. */
export async function planBaseChange(app: App, from: string, to: string): Promise<PlannedChange[]> {
  const changes: PlannedChange[] = [];
  for (const { note, links } of await vaultLinks(app)) {
    for (const link of links) {
      const url = urlOf(link);
      const moved = url === undefined ? undefined : rebased(url, from, to);
      if (url !== undefined && moved !== undefined) changes.push({ note, from: url, to: moved });
    }
  }
  return changes;
}

/** Rewrites the links of the notes in `plan`; returns how many links in how many notes changed. */
async function applyBaseChange(host: UploadHost, plan: readonly PlannedChange[], from: string, to: string) {
  const moved = new Map<string, string>();
  let links = 0;
  let notes = 0;
  for (const note of new Set(plan.map((change) => change.note))) {
    const count = await rewriteLinks(host.app, note, (link) => {
      const url = urlOf(link);
      const target = url === undefined ? undefined : rebased(url, from, to);
      if (url === undefined || target === undefined) return undefined;
      moved.set(url, target);
      return link.withUrl(target);
    });
    links += count;
    if (count > 0) notes++;
  }
  await host.ledger.move(moved);
  return { links, notes };
}

const SHOWN = 20;
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The dialog: two URLs, a preview, then the button that writes. */
export class ChangeBaseModal extends Modal {
  readonly #host: UploadHost;
  #from: string;
  #to = '';

  constructor(host: UploadHost) {
    super(host.app);
    this.#host = host;
    this.#from = host.settings.publicBaseUrl;
  }

  override onOpen(): void {
    this.setTitle('Change link base URL');
    const { contentEl } = this;
    contentEl.createEl('p', {
      text: 'Rewrites every link under the old base URL, in every note, to the same path under the new one.',
    });
    // Filled by the preview, emptied by any edit: a preview of other URLs than those in the fields is never applied.
    let result: HTMLElement | undefined;
    new Setting(contentEl).setName('Old base URL').addText((text) =>
      text
        .setPlaceholder('https://old-cdn.example.com')
        .setValue(this.#from)
        .onChange((value) => {
          this.#from = value;
          result?.empty();
        }),
    );
    new Setting(contentEl).setName('New base URL').addText((text) =>
      text.setPlaceholder('https://cdn.example.com').onChange((value) => {
        this.#to = value;
        result?.empty();
      }),
    );
    new Setting(contentEl).addButton((button) =>
      button.setButtonText('Preview').onClick(() => (result ? this.#preview(result) : undefined)),
    );
    result = contentEl.createDiv({ cls: 'bytedrop-preview' });
  }

  async #preview(result: HTMLElement): Promise<void> {
    result.empty();
    const problem =
      problemOf('Old base URL', this.#from) ??
      problemOf('New base URL', this.#to) ??
      (normalize(this.#from) === normalize(this.#to) ? 'The old and new base URLs are the same.' : undefined);
    if (problem) {
      result.createEl('p', { text: problem, cls: 'bytedrop-check-fail' });
      return;
    }
    const from = normalize(this.#from);
    const to = normalize(this.#to);
    const plan = await planBaseChange(this.app, from, to);
    const notes = new Set(plan.map((change) => change.note)).size;
    if (plan.length === 0) {
      result.createEl('p', { text: `No note links anything under ${from}.` });
      return;
    }
    result.createEl('p', { text: `${plural(plan.length, 'link')} in ${plural(notes, 'note')} will change:` });
    const list = result.createEl('ul');
    for (const change of plan.slice(0, SHOWN)) {
      list.createEl('li', { text: `${change.note.path}: ${change.from} → ${change.to}` });
    }
    if (plan.length > SHOWN) result.createEl('p', { text: `…and ${plan.length - SHOWN} more.` });
    new Setting(result).addButton((button) =>
      button
        .setButtonText(`Change ${plural(plan.length, 'link')}`)
        .setCta()
        .onClick(() => {
          this.close();
          this.#host.track(this.#apply(plan, from, to));
        }),
    );
  }

  async #apply(plan: readonly PlannedChange[], from: string, to: string): Promise<void> {
    const done = await applyBaseChange(this.#host, plan, from, to);
    const stale = normalize(this.#host.settings.publicBaseUrl) === from;
    notify(
      this.#host,
      `Bytedrop: changed ${plural(done.links, 'link')} in ${plural(done.notes, 'note')}.${
        stale ? ` “${SETTING.publicBaseUrl}” is still ${from}: new uploads use it until you change it.` : ''
      }`,
      stale ? ['open-settings'] : [],
    );
  }
}
