/**
 * How an uploaded file is served, wherever it is stored. Uploaded bytes are untrusted: a type a browser would run
 * (HTML, SVG, XML, JavaScript, PDF…) must never render from the bucket or the server, so it is stored and served as
 * a download under its honest type. Only inert types show inline.
 */

/** Types that cannot run script or be re-interpreted by a browser; they may show inline. */
const INERT_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'image/x-icon',
  'image/vnd.microsoft.icon',
  'video/mp4',
  'video/webm',
  'video/ogg',
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'audio/webm',
  'audio/flac',
  'audio/aac',
  'text/plain',
]);

/**
 * Types that can run script when a browser opens them. A wildcard in `allowedTypes` (`image/*`, `text/*`) never
 * admits these: an operator who allows images means pictures, not SVG documents; such a type must be named.
 */
const ACTIVE_TYPES = new Set([
  'image/svg+xml',
  'text/html',
  'application/xhtml+xml',
  'text/xml',
  'application/xml',
  'text/javascript',
  'application/javascript',
  'text/ecmascript',
  'application/ecmascript',
]);

/** Text types that get an explicit `charset=utf-8` when their bytes are UTF-8, so no browser guesses another. */
const TEXTUAL = /^(text\/|application\/(json|xml|javascript|ecmascript|x-sh|toml|yaml)|image\/svg\+xml)/;

function bare(type: string): string {
  return (type.split(';')[0] ?? '').trim().toLowerCase();
}

/**
 * True when a browser can show `type` inline without running anything (images, audio, video, plain text).
 *
 * @example
 * ```ts
 * isInertType('image/png'); // true
 * isInertType('image/svg+xml'); // false: SVG can carry script
 * ```
 */
export function isInertType(type: string): boolean {
  return INERT_TYPES.has(bare(type));
}

/**
 * True when `type` can run script in a browser (HTML, SVG, XML, JavaScript).
 *
 * @example
 * ```ts
 * isActiveType('image/svg+xml'); // true
 * isActiveType('text/markdown'); // false
 * ```
 */
export function isActiveType(type: string): boolean {
  return ACTIVE_TYPES.has(bare(type));
}

/**
 * A `Content-Disposition: attachment` for `filename`: an ASCII fallback plus the exact name (RFC 6266 / 8187).
 *
 * @example
 * ```ts
 * attachmentDisposition('résumé.html'); // `attachment; filename="r_sum_.html"; filename*=UTF-8''r%C3%A9sum%C3%A9.html`
 * ```
 */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const exact = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

function isUtf8(head: Uint8Array): boolean {
  try {
    // The head may end inside a multi-byte character: `stream: true` lets the decoder wait for the rest.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The headers an object is stored with: its type (with `charset=utf-8` for UTF-8 text) and, for any type that is not
 * inert, `attachment` with the file's name.
 *
 * @example
 * ```ts
 * servedHeaders('text/html', head, 'page.html');
 * // { contentType: 'text/html; charset=utf-8', contentDisposition: 'attachment; filename="page.html"; …' }
 * ```
 */
export function servedHeaders(
  contentType: string,
  head: Uint8Array,
  filename: string,
): { contentType: string; contentDisposition?: string } {
  const type = bare(contentType);
  const withCharset = TEXTUAL.test(type) && isUtf8(head) ? `${type}; charset=utf-8` : contentType;
  return isInertType(type)
    ? { contentType: withCharset }
    : { contentType: withCharset, contentDisposition: attachmentDisposition(filename) };
}
