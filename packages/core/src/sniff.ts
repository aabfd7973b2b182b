/**
 * Content-type detection. Magic bytes win because pasted files lie about their names (`image.png` holding a JPEG);
 * then the extension; then what the caller declared; then `application/octet-stream`.
 */
import { asUint8Array } from './_body';
import { loadSniffers } from './_load';
import { isActiveType } from './served';

/**
 * How many leading bytes sniffing needs (file-type's reasonable detection size).
 *
 * @example
 * ```ts
 * const head = bytes.subarray(0, SNIFF_BYTES);
 * await sniffContentType(head, 'image.png');
 * ```
 */
export const SNIFF_BYTES = 4100;

const FALLBACK = 'application/octet-stream';

function extensionOf(filename: string): string {
  const last = filename.split(/[/\\]/).at(-1) ?? '';
  const dot = last.lastIndexOf('.');
  return dot > 0
    ? last
        .slice(dot + 1)
        .trim()
        .toLowerCase()
    : '';
}

/** `image/PNG; charset=x` → `image/png`; `undefined` when it does not look like a media type. */
function normalizeType(declared: string | undefined): string | undefined {
  const type = declared?.split(';')[0]?.trim().toLowerCase();
  return type && /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type) ? type : undefined;
}

/**
 * Detects a body's content type and the matching extension from its first bytes, its filename and a declared type,
 * in that order of trust. `ext` is lower-case without a dot, `''` when unknown.
 *
 * @example
 * ```ts
 * const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
 * await sniffContentType(png, 'blob'); // { contentType: 'image/png', ext: 'png' }
 * await sniffContentType(new TextEncoder().encode('# hi'), 'notes.md'); // { contentType: 'text/markdown', ext: 'md' }
 * ```
 */
export async function sniffContentType(
  head: Uint8Array,
  filename: string,
  declared?: string,
): Promise<{ contentType: string; ext: string }> {
  // Loaded by the first sniff (in Node): about 60 ms of CPU that a process which never uploads need not pay.
  const { fileTypeFromBuffer, mime } = await loadSniffers();
  const detected = head.byteLength > 0 ? await fileTypeFromBuffer(asUint8Array(head)) : undefined;
  if (detected) return { contentType: detected.mime, ext: detected.ext };

  const ext = extensionOf(filename);
  const byExtension = ext ? mime.getType(ext) : null;
  if (byExtension) return { contentType: byExtension, ext };

  const type = normalizeType(declared);
  if (type && type !== FALLBACK) return { contentType: type, ext: mime.getExtension(type) ?? '' };

  return { contentType: FALLBACK, ext: /^[a-z0-9]{1,16}$/.test(ext) ? ext : '' };
}

/**
 * True when a media type matches one of `patterns`: an exact type (`application/pdf`), a whole top-level type
 * (`image/*`) or everything (`*`). Case and parameters (`; charset=utf-8`) are ignored on both sides; an empty list
 * matches nothing. A top-level wildcard never matches a type that can run script (`image/*` does not admit
 * `image/svg+xml`, nor `text/*` `text/html`): those must be named. The uploaders apply it to the sniffed type when
 * `allowedTypes` is given.
 *
 * @example
 * ```ts
 * typeMatches('image/png', ['image/*', 'application/pdf']); // true
 * typeMatches('Application/PDF; x=1', ['application/pdf']); // true
 * typeMatches('text/html', ['image/*']); // false
 * typeMatches('image/svg+xml', ['image/*']); // false
 * typeMatches('image/svg+xml', ['image/*', 'image/svg+xml']); // true
 * ```
 */
export function typeMatches(type: string, patterns: readonly string[]): boolean {
  const bare = bareType(type);
  return patterns.some((raw) => {
    const pattern = bareType(raw);
    // `*/*` too: it is how Accept headers and file pickers spell "anything".
    if (pattern === '*' || pattern === '*/*') return true;
    if (pattern.endsWith('/*')) return bare.startsWith(pattern.slice(0, -1)) && !isActiveType(bare);
    return bare === pattern;
  });
}

function bareType(type: string): string {
  return (type.split(';')[0] ?? '').trim().toLowerCase();
}
