/**
 * Internal: JPEG metadata stripping by walking the marker segments. Segments a decoder needs (tables, frame and scan
 * headers, restart intervals), JFIF, the ICC profile and Adobe's colour-transform segment are copied as they are, and
 * the entropy-coded data is copied byte for byte: pixels are never decoded. Every other APPn segment, comments and
 * whatever follows the end-of-image marker go. The orientation survives as a minimal EXIF where the EXIF was.
 */
import { EXIF_HEADER, minimalExif, readExif, startsWith } from './_exif';
import { assemble, type MetadataKind, type Walked } from './_walked';

const SOS = 0xda;
const EOI = 0xd9;
const APP0 = 0xe0;
const APP1 = 0xe1;
const APP2 = 0xe2;
const APP13 = 0xed;
const APP14 = 0xee;
const APP15 = 0xef;
const COM = 0xfe;

/** What a segment is, when it is metadata; undefined keeps it. */
function metadataKind(marker: number, payload: Uint8Array): MetadataKind | undefined {
  if (marker === COM) return 'comment';
  if (marker < APP0 || marker > APP15) return undefined;
  if (marker === APP0 && startsWith(payload, 'JFIF\0')) return undefined;
  if (marker === APP2 && startsWith(payload, 'ICC_PROFILE\0')) return undefined;
  if (marker === APP14 && startsWith(payload, 'Adobe')) return undefined; // CMYK and YCCK need it to decode
  if (marker === APP1 && startsWith(payload, EXIF_HEADER)) return 'exif';
  if (marker === APP1 && startsWith(payload, 'http://ns.adobe.com/')) return 'xmp';
  if (marker === APP13) return 'iptc';
  return 'other';
}

/** The APP1 segment of a minimal EXIF. */
function orientationSegment(orientation: number): Uint8Array {
  const tiff = minimalExif(orientation);
  const length = 2 + EXIF_HEADER.byteLength + tiff.byteLength;
  const segment = new Uint8Array(2 + length);
  segment.set([0xff, APP1, length >> 8, length & 0xff]);
  segment.set(EXIF_HEADER, 4);
  segment.set(tiff, 4 + EXIF_HEADER.byteLength);
  return segment;
}

/** True when the 0xFF at `at` starts a marker: it is not stuffing (FF 00), a fill byte (FF FF) or a restart (RSTn). */
function isMarker(bytes: Uint8Array, at: number): boolean {
  const next = bytes[at + 1] as number;
  return next !== 0x00 && next !== 0xff && (next < 0xd0 || next > 0xd7);
}

/** `Buffer#indexOf`'s shape: the first index of `value` at or after `from`, or -1. */
export type IndexOf = (this: Uint8Array, value: number, from: number) => number;
const host = globalThis as {
  Buffer?: { prototype: { indexOf?: IndexOf } };
  process?: { versions?: { node?: string } };
};
/**
 * Node's `Buffer#indexOf` (any Uint8Array can be its `this`): memchr, about six times faster than the word loop below
 * on photo data. Only on Node itself (and Electron: Obsidian desktop, VS Code), not a bundler's Buffer polyfill.
 */
export const memchr: IndexOf | undefined =
  typeof host.process?.versions?.node === 'string' ? host.Buffer?.prototype.indexOf : undefined;

/**
 * Where the entropy-coded data that starts at `from` ends: at the first 0xFF that starts a marker other than a
 * restart; the input's length when none does. Entropy-coded data is most of a JPEG and holds an 0xFF about every
 * 300 bytes (each followed by a stuffed 00). Without memchr (browsers: TypedArray.indexOf is a plain loop in V8, ten
 * times slower than memchr), one loop reads the aligned part two words at a time (a word holds an 0xFF byte exactly
 * when its complement holds a zero byte) and looks at a word's bytes only when it has one. `find` is for tests of
 * both ways.
 */
export function scanEnd(
  bytes: Uint8Array,
  words: Uint32Array,
  from: number,
  find: IndexOf | undefined = memchr,
): number {
  const end = bytes.byteLength;
  const last = end - 1; // an 0xFF in the last byte starts nothing: the data runs to the end
  if (find) {
    for (let at = find.call(bytes, 0xff, from); at >= 0 && at < last; at = find.call(bytes, 0xff, at + 1)) {
      if (isMarker(bytes, at)) return at;
    }
    return end;
  }
  const base = bytes.byteOffset;
  let at = from;
  for (; at < end && (base + at) % 4 !== 0; at++) {
    if (bytes[at] === 0xff && at < last && isMarker(bytes, at)) return at;
  }
  let word = (base + at) / 4;
  const lastWord = Math.floor((base + end) / 4);
  while (word < lastWord) {
    const a = ~(words[word] as number);
    const b = word + 1 < lastWord ? ~(words[word + 1] as number) : -1;
    if (((((a - 0x01010101) & ~a) | ((b - 0x01010101) & ~b)) & 0x80808080) === 0) {
      word += 2;
      continue;
    }
    const stop = Math.min(word * 4 - base + 8, end);
    for (let index = word * 4 - base; index < stop; index++) {
      if (bytes[index] === 0xff && index < last && isMarker(bytes, index)) return index;
    }
    word += 2;
  }
  // A last pair may have been half past the words: its real word is read again here, byte by byte.
  for (at = Math.max(at, Math.min(word, lastWord) * 4 - base); at < end; at++) {
    if (bytes[at] === 0xff && at < last && isMarker(bytes, at)) return at;
  }
  return end;
}

/**
 * Strips a JPEG; undefined when its segments cannot be walked (a segment running past the end, garbage between
 * segments), so the caller keeps the file as it is. A file cut off inside its image data is still stripped: the
 * segments before it were whole.
 */
export function stripJpeg(bytes: Uint8Array): Walked | undefined {
  const length = bytes.byteLength;
  if (length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  const parts: Uint8Array[] = [bytes.subarray(0, 2)];
  const words = new Uint32Array(bytes.buffer, 0, bytes.buffer.byteLength >> 2);
  const removed = new Set<MetadataKind>();
  let orientation: number | undefined;
  let pixelRatio: number | undefined;
  let exifAt = -1;
  let at = 2;
  while (at < length) {
    if (bytes[at] !== 0xff) return undefined;
    let marker = at + 1;
    while (marker < length && bytes[marker] === 0xff) marker++; // fill bytes
    if (marker >= length) return undefined;
    const code = bytes[marker] as number;
    if (code === EOI) {
      parts.push(bytes.subarray(at, marker + 1));
      if (marker + 1 < length) removed.add('trailer');
      break;
    }
    if ((code >= 0xd0 && code <= 0xd7) || code === 0x01) {
      parts.push(bytes.subarray(at, marker + 1));
      at = marker + 1;
      continue;
    }
    if (marker + 2 >= length) return undefined;
    const end = marker + 1 + ((bytes[marker + 1] as number) << 8) + (bytes[marker + 2] as number);
    if (end > length || end < marker + 3) return undefined;
    if (code === SOS) {
      const scan = scanEnd(bytes, words, end);
      parts.push(bytes.subarray(at, scan));
      at = scan;
      continue;
    }
    const payload = bytes.subarray(marker + 3, end);
    const kind = metadataKind(code, payload);
    if (kind === undefined) parts.push(bytes.subarray(at, end));
    else {
      removed.add(kind);
      if (kind === 'exif') {
        const facts = readExif(payload.subarray(EXIF_HEADER.byteLength));
        if (facts?.gps) removed.add('gps');
        orientation ??= facts?.orientation;
        pixelRatio ??= facts?.pixelRatio;
        if (exifAt < 0) exifAt = parts.length;
      }
    }
    at = end;
  }
  if (orientation !== undefined && orientation !== 1)
    parts.splice(exifAt, 0, orientationSegment(orientation));
  return assemble(bytes, parts, {
    removed,
    ...(orientation === undefined ? {} : { orientation }),
    ...(pixelRatio === undefined ? {} : { pixelRatio }),
  });
}
