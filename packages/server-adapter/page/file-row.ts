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

/** Makes `file` private or public (PATCH /api/files/{key}: the object moves, so its key and link change). */
async function togglePrivacy(file: ListedFile, done: () => void): Promise<void> {
  const path = file.key.split('/').map(encodeURIComponent).join('/');
  try {
    await api(
      `files/${path}`,
      { method: 'PATCH', body: JSON.stringify({ private: !file.private }) },
      `${file.filename} could not be changed`,
    );
    say(`${file.filename} is ${file.private ? 'public' : 'private'} now.`, 'ok');
    done();
  } catch (error) {
    say((error as Error).message, 'error');
  }
}

/** What a row needs from its list: the checked keys, the expiring link's life, and what to do on changes. */
export interface RowContext {
  selected: Set<string>;
  expiry: () => number;
  onSelect: () => void;
  /** A file moved (made private or public): the list is read again. */
  onMoved: () => void;
}

let ids = 0;

/** The row of `file`. */
export function fileRow(file: ListedFile, { selected, expiry, onSelect, onMoved }: RowContext) {
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
    button(file.private ? 'Make public' : 'Make private', () => togglePrivacy(file, onMoved), id),
  );
  const info = el(
    'div',
    { className: 'info' },
    el('span', { className: 'name', id, textContent: file.filename }),
    meta,
  );
  return el('li', { className: 'file' }, box, thumb, info, actions);
}
