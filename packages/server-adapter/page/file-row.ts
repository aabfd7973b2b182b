/** One row of the Files view: select box, thumbnail, name, size, type, date, and the copy buttons. */
import { api } from './api';
import { button, copy, el, formatBytes, say } from './dom';

/** A file as GET /api/files lists it. */
export interface ListedFile {
  key: string;
  filename: string;
  size: number;
  contentType: string;
  createdAt: string;
  /** null for a private file: only a signed link opens it. */
  url: string | null;
  thumbnail?: string;
  private: boolean;
}

const isImage = (file: ListedFile) => file.contentType.startsWith('image/');
const html = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const markdownText = (text: string) => text.replace(/[[\]\\]/g, '\\$&');

/** The link formats of a file at `url`. */
export function linkFormats(file: ListedFile, url: string): Record<'URL' | 'Markdown' | 'HTML', string> {
  return {
    URL: url,
    Markdown: `${isImage(file) ? '!' : ''}[${markdownText(file.filename)}](${url})`,
    HTML: isImage(file)
      ? `<img src="${html(url)}" alt="${html(file.filename)}">`
      : `<a href="${html(url)}">${html(file.filename)}</a>`,
  };
}

/** Asks for a link to `file` that works without a key for `seconds`, and copies it. */
async function copyExpiring(file: ListedFile, seconds: number): Promise<void> {
  try {
    const { url, expiresAt } = await api<{ url: string; expiresAt: string }>(
      'links',
      { method: 'POST', body: JSON.stringify({ key: file.key, expiresIn: seconds }) },
      'The link could not be made',
    );
    if (await copy(url, 'the link')) {
      say(`Copied a link to ${file.filename} that expires ${new Date(expiresAt).toLocaleString()}.`, 'ok');
    }
  } catch (error) {
    say((error as Error).message, 'error');
  }
}

let ids = 0;

/** The row of `file`; `selected` holds the checked keys, `expiry` gives the expiring link's life in seconds. */
export function fileRow(file: ListedFile, selected: Set<string>, expiry: () => number, onSelect: () => void) {
  const id = `file-${++ids}`;
  const box = el('input', { type: 'checkbox', checked: selected.has(file.key), className: 'pick' });
  box.setAttribute('aria-label', `Select ${file.filename}`);
  box.addEventListener('change', () => {
    if (box.checked) selected.add(file.key);
    else selected.delete(file.key);
    onSelect();
  });
  const preview = file.url ?? '';
  const thumb =
    isImage(file) && preview
      ? el('img', { className: 'thumb', alt: '', loading: 'lazy', src: file.thumbnail ?? preview })
      : el('span', {
          className: 'thumb kind',
          textContent: file.contentType.split('/')[1]?.slice(0, 4) ?? '?',
        });
  if (thumb instanceof HTMLImageElement && file.thumbnail) {
    // The thumbnail may not be made yet: the file itself then.
    thumb.addEventListener(
      'error',
      () => {
        thumb.src = preview;
      },
      { once: true },
    );
  }
  const when = new Date(file.createdAt);
  const meta = el(
    'span',
    { className: 'hint' },
    `${formatBytes(file.size)} · ${file.contentType} · `,
    el('time', { dateTime: file.createdAt, textContent: when.toLocaleString() }),
    ...(file.private ? [' · ', el('strong', { textContent: 'private' })] : []),
  );
  const copies = file.url
    ? Object.entries(linkFormats(file, file.url)).map(([format, text]) =>
        button(`Copy ${format}`, () => copy(text, `the ${format}`), id),
      )
    : [];
  const actions = el(
    'div',
    { className: 'actions' },
    ...copies,
    button('Copy expiring link', () => copyExpiring(file, expiry()), id),
  );
  const info = el(
    'div',
    { className: 'info' },
    el('span', { className: 'name', id, textContent: file.filename }),
    meta,
  );
  return el('li', { className: 'file' }, box, thumb, info, actions);
}
