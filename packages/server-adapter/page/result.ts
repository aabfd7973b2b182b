/** One uploaded file as a list item: name, progress, thumbnail, link and copy buttons (session and local history). */
import { button, copy, el } from './dom';

/** A file as the upload answer gives it. */
export interface Uploaded {
  key: string;
  filename: string;
  url: string;
  contentType?: string;
  markdown?: string;
  html?: string;
  thumbnail?: string;
  width?: number;
  height?: number;
  deleteUrl?: string;
}

let ids = 0;

/** Fills `item` with `file`; `extra` adds a button, `thumbnail` shows the server's small WebP when there is one. */
export function resultView(
  item: HTMLElement,
  file: Uploaded,
  options: { extra?: (id: string) => HTMLElement; progress?: HTMLProgressElement; thumbnail?: boolean } = {},
): void {
  const { extra, progress, thumbnail } = options;
  const id = `name-${++ids}`;
  item.replaceChildren(el('span', { className: 'name', id, textContent: file.filename }));
  if (progress) {
    progress.value = 100;
    progress.setAttribute('aria-label', `Uploaded ${file.filename}`);
    item.append(progress);
  }
  if (/^image\//.test(file.contentType || '')) {
    const img = el('img', { className: 'thumb', alt: '' });
    if (thumbnail && file.thumbnail) {
      // The server's small WebP, in the 6rem×4rem box from the start; the file itself if it is not there (yet).
      const fit = Math.min(96 / (file.width || 96), 64 / (file.height || 64), 1);
      img.width = Math.max(1, Math.round((file.width || 96) * fit));
      img.height = Math.max(1, Math.round((file.height || 64) * fit));
      img.loading = 'lazy';
      img.addEventListener(
        'error',
        () => {
          img.src = file.url;
        },
        { once: true },
      );
    }
    img.src = (thumbnail && file.thumbnail) || file.url;
    item.append(img);
  }
  item.append(
    el('a', {
      className: 'url',
      href: file.url,
      textContent: file.url,
      target: '_blank',
      rel: 'noopener noreferrer',
    }),
    el(
      'div',
      { className: 'actions' },
      button('Copy URL', () => copy(file.url, 'the URL'), id),
      button('Copy Markdown', () => copy(file.markdown || file.url, 'the Markdown'), id),
      button('Copy HTML', () => copy(file.html || file.url, 'the HTML'), id),
      ...(extra ? [extra(id)] : []),
    ),
  );
}
