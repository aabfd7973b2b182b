/**
 * Internal: what a container walker (`_strip-jpeg.ts`, `_strip-png.ts`, `_strip-webp.ts`) answers, and the helpers
 * they share.
 */

/**
 * A kind of metadata stripping removes. `exif`: the EXIF block (camera, serial numbers, dates, its thumbnail);
 * `gps`: a location in it; `xmp`, `iptc`, `comment`; `text`: PNG text chunks; `trailer`: data after the image's end
 * (extra pictures, maker data); `other`: any other metadata segment (maker APPn segments, PNG `tIME`, …).
 *
 * @example
 * ```ts
 * const kinds: MetadataKind[] = ['exif', 'gps', 'xmp'];
 * ```
 */
export type MetadataKind = 'exif' | 'gps' | 'xmp' | 'iptc' | 'comment' | 'text' | 'trailer' | 'other';

/** Reporting order, so the same file always reports the same list. */
export const KIND_ORDER: readonly MetadataKind[] = [
  'gps',
  'exif',
  'xmp',
  'iptc',
  'comment',
  'text',
  'trailer',
  'other',
];

/** A walked container: the bytes without metadata, what went, and what rendering needs from what went. */
export interface Walked {
  bytes: Uint8Array;
  removed: Set<MetadataKind>;
  /** EXIF orientation (1–8), kept in the stripped bytes when it is not 1. */
  orientation?: number;
  /** 2 when the file says it was made at 144 DPI (a Retina screenshot). */
  pixelRatio?: number;
}

/** The parts joined, or the input itself when they spell the same bytes (nothing was removed). */
export function assemble(
  input: Uint8Array,
  parts: readonly Uint8Array[],
  walked: Omit<Walked, 'bytes'>,
): Walked {
  let size = 0;
  for (const part of parts) size += part.byteLength;
  // A file stripped before (a minimal EXIF already) comes out the same: say so, so re-stripping reports nothing.
  if (spellsInput(input, parts, size)) return { ...walked, bytes: input, removed: new Set() };
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return { ...walked, bytes };
}

/**
 * True when `parts`, joined, are `input`. A part that is the input's own view at its place is equal without a look
 * at its bytes (image data, the bulk of a file, always is); only generated parts (a minimal EXIF) are compared. A
 * byte-by-byte callback over the whole file cost about 10 ms per MiB on every paste.
 */
function spellsInput(input: Uint8Array, parts: readonly Uint8Array[], size: number): boolean {
  if (size !== input.byteLength) return false;
  let offset = 0;
  for (const part of parts) {
    const inPlace = part.buffer === input.buffer && part.byteOffset === input.byteOffset + offset;
    if (!inPlace) {
      for (let index = 0; index < part.byteLength; index++) {
        if (part[index] !== input[offset + index]) return false;
      }
    }
    offset += part.byteLength;
  }
  return true;
}
