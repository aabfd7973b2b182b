/**
 * Filename hygiene. A pasted file's name ends up inside an object key and a public URL, so it is cut to its last
 * path segment, normalised and slugged before anything else sees it.
 */
import { BytedropError } from './errors';

/**
 * Control and invisible format characters, which include every bidi override (U+202A–E, U+2066–9, U+200E/F, U+061C).
 *
 * @example
 * ```ts
 * 'a\u202Eb'.replace(INVISIBLE_CHARS, ''); // 'ab'
 * ```
 */
export const INVISIBLE_CHARS = /[\p{Cc}\p{Cf}]/gu;
/** Anything that is not a letter, mark, digit, `.`, `_` or `-`. Lone surrogates match too (`u` flag), so keys stay valid UTF-8. */
const UNSAFE_RUN = /[^\p{L}\p{M}\p{N}._-]+/gu;
/** Names the clipboard gives to pasted data; their extension says nothing, the bytes decide. */
const CLIPBOARD_NAME = /^(?:image|blob|clipboard|untitled|pasted[ _-]?(?:image|graphic|file)\b.*)$/i;
/** What counts as an extension after the last dot. */
const EXTENSION = /^[\p{L}\p{N}]{1,16}$/u;
/**
 * Longest name part, in UTF-8 bytes: keeps `name-hash.ext` under the 255-byte segment limit of common filesystems.
 *
 * @example
 * ```ts
 * new TextEncoder().encode(sanitizeFilename('漢'.repeat(300)).name).length <= MAX_NAME_BYTES; // true
 * ```
 */
export const MAX_NAME_BYTES = 200;

const encoder = new TextEncoder();

/**
 * UTF-8 length of a string.
 *
 * @example
 * ```ts
 * utf8Length('é'); // 2
 * ```
 */
export function utf8Length(text: string): number {
  return encoder.encode(text).byteLength;
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes without splitting a code point, and without leaving
 * a combining mark orphaned from its base.
 *
 * @example
 * ```ts
 * truncateUtf8('日本語', 7); // '日本' (a third character would need 9 bytes)
 * ```
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = utf8Length(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end).replace(/\p{M}+$/u, '');
}

/**
 * Slugs one key segment: NFC, invisible characters removed, runs of unsafe characters (spaces, punctuation, emoji,
 * slashes) become one `-`, runs of dots become one `.`, and the segment never starts with `.`/`-` nor ends with `.`/`-`.
 * The result never equals `.` or `..` and may be `''`.
 *
 * @example
 * ```ts
 * slugSegment(' My file (1)!.png '); // 'My-file-1.png'
 * ```
 */
export function slugSegment(segment: string): string {
  return (
    segment
      .normalize('NFC')
      .replace(INVISIBLE_CHARS, '')
      .replace(UNSAFE_RUN, '-')
      .replace(/-{2,}/g, '-')
      .replace(/\.{2,}/g, '.')
      // A slugged character right before an extension would leave 'name-.png'.
      .replace(/-\./g, '.')
      .replace(/^[.-]+|[.-]+$/g, '')
      // Removing characters can put a base next to a combining mark; normalise again so the result is NFC.
      .normalize('NFC')
  );
}

/**
 * A sanitised filename, split into the parts key templates use.
 *
 * @example
 * ```ts
 * const { name, ext, clipboard } = sanitizeFilename('Pasted image 2024.png');
 * ```
 */
export interface SanitizedFilename {
  /** Slugged name without extension; never empty (`file` when nothing printable was left). */
  name: string;
  /** Lower-case extension without the dot; `''` when there is none. */
  ext: string;
  /** True for clipboard names (`image.png`, `blob`, `Pasted image 2024…`): callers should prefer the sniffed extension. */
  clipboard: boolean;
}

/**
 * Makes a user-supplied filename safe for object keys: keeps the last path segment only (so `../../etc/passwd` gives
 * `passwd`), NFC-normalises, strips control and bidi-override characters, slugs unsafe characters, lower-cases the
 * extension and caps the name at `MAX_NAME_BYTES`. Throws `ERR_FILENAME` when no name is left at all.
 *
 * @example
 * ```ts
 * sanitizeFilename('../../etc/passwd'); // { name: 'passwd', ext: '', clipboard: false }
 * sanitizeFilename('Screen Shot 2024.PNG'); // { name: 'Screen-Shot-2024', ext: 'png', clipboard: false }
 * sanitizeFilename('image.png'); // { name: 'image', ext: 'png', clipboard: true }
 * ```
 */
export function sanitizeFilename(filename: string): SanitizedFilename {
  if (typeof filename !== 'string') {
    throw new BytedropError(
      'ERR_FILENAME',
      `filename must be a string, got ${filename === null ? 'null' : typeof filename}: pass the file's name, e.g. 'photo.png'`,
    );
  }
  const cleaned = filename.normalize('NFC').replace(INVISIBLE_CHARS, '');
  const segments = cleaned
    .split(/[/\\]/)
    .filter((segment) => segment.trim() !== '' && !/^\.+$/.test(segment.trim()));
  const last = segments.at(-1)?.trim();
  if (last === undefined) {
    throw new BytedropError(
      'ERR_FILENAME',
      `filename '${filename}' has no usable name: pass the file's name with an extension, e.g. 'photo.png' (or 'image.png' for pasted data)`,
    );
  }
  const dot = last.lastIndexOf('.');
  // A leading dot marks a hidden file ('.env'), not an extension; 'v1.2 final' has no extension either.
  const hasExt = dot > 0 && EXTENSION.test(last.slice(dot + 1));
  const rawName = hasExt ? last.slice(0, dot) : last;
  // Lower-casing can add combining marks ('İ' → 'i̇'); keep letters and digits only.
  const ext = hasExt
    ? last
        .slice(dot + 1)
        .toLowerCase()
        .normalize('NFC')
        .replace(/[^\p{L}\p{N}]/gu, '')
    : '';
  const name = truncateUtf8(slugSegment(rawName), MAX_NAME_BYTES).replace(/[.-]+$/, '') || 'file';
  return { name, ext, clipboard: CLIPBOARD_NAME.test(rawName.trim()) };
}
