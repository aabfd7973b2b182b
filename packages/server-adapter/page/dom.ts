/**
 * DOM helpers of the upload page. Text only ever goes in through `textContent` or text nodes (`el`'s children), never
 * `innerHTML`: a file named `<img src=x onerror=…>` shows as those characters.
 */

/** The element with `id` (the page's markup has every one the script asks for). */
export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

/** A new `tag` with `props` set and `children` appended (strings as text). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & Record<string, unknown> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), props);
  element.append(...children);
  return element;
}

/** A button that runs `onClick`; `describedBy` names what it acts on for screen readers. */
export function button(
  label: string,
  onClick: (event: MouseEvent) => void,
  describedBy?: string,
): HTMLButtonElement {
  const element = el('button', { type: 'button', textContent: label });
  if (describedBy) element.setAttribute('aria-describedby', describedBy);
  element.addEventListener('click', onClick);
  return element;
}

/** Shows `text` in the page's status line (announced politely); `kind` is `ok` or `error`. */
export function say(text: string, kind = ''): void {
  const message = $('message');
  message.textContent = text;
  message.className = kind;
}

/** Copies `text`, saying so; `what` names it in the message. */
export async function copy(text: string, what: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    say(`Copied ${what}.`, 'ok');
    return true;
  } catch {
    say(`Could not copy ${what} automatically: select it and copy by hand.`, 'error');
    return false;
  }
}

/** `bytes` for people: 1.5 MB (powers of 1000, as the server's own messages). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** The server's answer as a sentence saying what to do; `failed` starts it when nothing better is known. */
export function explain(
  status: number,
  body?: { msg?: string; hint?: string } | null,
  failed = 'Upload failed',
): string {
  const msg = body?.msg ? ` (${body.msg})` : '';
  if (status === 401) return `Wrong or missing access key${msg}. Enter it again.`;
  if (status === 403 && /banned|too many/i.test(body?.msg ?? '')) {
    return `Banned: too many wrong keys were sent from this address${msg}. Check your key and try again later.`;
  }
  if (status === 403) return `Not allowed${msg}.`;
  if (status === 413) return `Too large${msg}.`;
  if (status === 415) return `This file type is not accepted${msg}.`;
  if (status === 502 || status === 503) return `Storage is down or misconfigured; try again later${msg}.`;
  if (status === 0)
    return `The server could not be reached. Check your connection.${body?.hint ? ` ${body.hint}` : ''}`;
  return `${failed}: HTTP ${status}${msg}.`;
}
