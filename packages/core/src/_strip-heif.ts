/**
 * Internal: HEIC/HEIF and AVIF metadata stripping. These are ISO-BMFF files: the `meta` box lists items (`iinf`),
 * and `iloc` says where each item's bytes are. EXIF is an item of type `Exif`, XMP an item of type `mime` with the
 * content type `application/rdf+xml`. Their bytes are overwritten where they lie, with an empty EXIF (a TIFF header
 * and an IFD of no entries) and an empty XMP packet padded with spaces: no offset, length or box moves, so the image
 * data and every other item stay byte for byte. The orientation of a HEIF image is its `irot`/`imir` property, not
 * EXIF, so it survives untouched. A file this walker cannot read safely comes back undefined (stored as it came).
 */
import { readExif } from './_exif';
import type { MetadataKind, Walked } from './_walked';

const ascii = new TextDecoder('latin1');
const XMP_TYPE = 'application/rdf+xml';

interface Box {
  type: string;
  /** Where the box's payload starts (after size, type and any 64-bit size). */
  start: number;
  end: number;
}

/** The boxes between `from` and `to`; undefined when one runs past `to`. */
function boxes(view: DataView, from: number, to: number): Box[] | undefined {
  const out: Box[] = [];
  let at = from;
  while (at + 8 <= to) {
    let size = view.getUint32(at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) return undefined;
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) size = to - at;
    if (size < header || at + size > to) return undefined;
    out.push({
      type: ascii.decode(new Uint8Array(view.buffer, view.byteOffset + at + 4, 4)),
      start: at + header,
      end: at + size,
    });
    at += size;
  }
  return at === to ? out : undefined;
}

/** A big-endian unsigned integer of 0, 4 or 8 bytes (iloc's field sizes); undefined past `end`. */
function uint(view: DataView, at: number, bytes: number, end: number): number | undefined {
  if (at + bytes > end) return undefined;
  if (bytes === 0) return 0;
  if (bytes === 4) return view.getUint32(at);
  if (bytes === 8) return Number(view.getBigUint64(at));
  if (bytes === 2) return view.getUint16(at);
  return undefined;
}

/** A NUL-terminated string at `at`, and where it ends (after the NUL). */
function cstring(bytes: Uint8Array, at: number, end: number): { text: string; next: number } {
  let stop = at;
  while (stop < end && bytes[stop] !== 0) stop++;
  return { text: ascii.decode(bytes.subarray(at, stop)), next: Math.min(end, stop + 1) };
}

/** Item ids of EXIF and XMP items, from `iinf`'s `infe` entries (version 2 and 3; older ones carry no type). */
function metadataItems(
  bytes: Uint8Array,
  view: DataView,
  iinf: Box,
): Map<number, 'exif' | 'xmp'> | undefined {
  const items = new Map<number, 'exif' | 'xmp'>();
  const version = bytes[iinf.start];
  const first = iinf.start + 4 + (version === 0 ? 2 : 4);
  const entries = boxes(view, first, iinf.end);
  if (!entries) return undefined;
  for (const entry of entries) {
    if (entry.type !== 'infe') continue;
    const entryVersion = bytes[entry.start] ?? 0;
    if (entryVersion < 2) continue;
    const idSize = entryVersion === 2 ? 2 : 4;
    const at = entry.start + 4;
    const id = uint(view, at, idSize, entry.end);
    const typeAt = at + idSize + 2;
    if (id === undefined || typeAt + 4 > entry.end) return undefined;
    const type = ascii.decode(bytes.subarray(typeAt, typeAt + 4));
    if (type === 'Exif') items.set(id, 'exif');
    else if (type === 'mime') {
      const name = cstring(bytes, typeAt + 4, entry.end);
      if (cstring(bytes, name.next, entry.end).text === XMP_TYPE) items.set(id, 'xmp');
    }
  }
  return items;
}

/** The file ranges of each wanted item, from `iloc` (construction methods 0, file offsets, and 1, `idat`). */
function itemRanges(
  view: DataView,
  iloc: Box,
  idat: Box | undefined,
  wanted: ReadonlyMap<number, unknown>,
): Map<number, [number, number][]> | undefined {
  const version = view.getUint8(iloc.start);
  if (version > 2) return undefined;
  let at = iloc.start + 4;
  if (at + 2 > iloc.end) return undefined;
  const sizes = view.getUint16(at);
  const [offsetSize, lengthSize, baseSize, indexSize] = [
    sizes >> 12,
    (sizes >> 8) & 15,
    (sizes >> 4) & 15,
    sizes & 15,
  ];
  at += 2;
  const count = uint(view, at, version < 2 ? 2 : 4, iloc.end);
  if (count === undefined) return undefined;
  at += version < 2 ? 2 : 4;
  const ranges = new Map<number, [number, number][]>();
  for (let item = 0; item < count; item++) {
    const id = uint(view, at, version < 2 ? 2 : 4, iloc.end);
    if (id === undefined) return undefined;
    at += version < 2 ? 2 : 4;
    let method = 0;
    if (version > 0) {
      const field = uint(view, at, 2, iloc.end);
      if (field === undefined) return undefined;
      method = field & 15;
      at += 2;
    }
    const base = uint(view, at + 2, baseSize, iloc.end);
    const extents = uint(view, at + 2 + baseSize, 2, iloc.end);
    if (base === undefined || extents === undefined) return undefined;
    at += 2 + baseSize + 2;
    const own: [number, number][] = [];
    for (let extent = 0; extent < extents; extent++) {
      if (version > 0 && indexSize > 0) at += indexSize;
      const offset = uint(view, at, offsetSize, iloc.end);
      const length = uint(view, at + offsetSize, lengthSize, iloc.end);
      if (offset === undefined || length === undefined) return undefined;
      at += offsetSize + lengthSize;
      own.push([base + offset, length]);
    }
    if (!wanted.has(id)) continue;
    // Method 1 counts from the start of `idat`'s data; 2 (from another item) is not something metadata uses.
    if (method === 2 || (method === 1 && !idat)) return undefined;
    const origin = method === 1 && idat ? idat.start : 0;
    const limit = method === 1 && idat ? idat.end : view.byteLength;
    const placed: [number, number][] = [];
    for (const [offset, length] of own) {
      const start = origin + offset;
      // A length of 0 means "to the end of the source", which never holds only metadata.
      if (length === 0 || start + length > limit) return undefined;
      placed.push([start, length]);
    }
    ranges.set(id, placed);
  }
  return ranges;
}

/** An EXIF item's payload: a 4-byte offset to the TIFF header (0), a big-endian TIFF header, an IFD of no entries. */
const EMPTY_EXIF = new Uint8Array([0, 0, 0, 0, 0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0]);
const XMP_OPEN = '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"/>';
const XMP_CLOSE = '<?xpacket end="w"?>';

/** `length` bytes saying "no metadata" in the item's own format; spaces where the empty form does not fit. */
function blank(kind: 'exif' | 'xmp', length: number): Uint8Array {
  const out = new Uint8Array(length).fill(kind === 'xmp' ? 0x20 : 0);
  if (kind === 'exif' && length >= EMPTY_EXIF.byteLength) out.set(EMPTY_EXIF);
  if (kind === 'xmp' && length >= XMP_OPEN.length + XMP_CLOSE.length) {
    out.set(new TextEncoder().encode(XMP_OPEN));
    out.set(new TextEncoder().encode(XMP_CLOSE), length - XMP_CLOSE.length);
  }
  return out;
}

/** Strips a HEIF-family file; undefined when it is not one this walker can read safely. */
export function stripHeif(bytes: Uint8Array): Walked | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const top = boxes(view, 0, bytes.byteLength);
  if (top?.[0]?.type !== 'ftyp') return undefined;
  const meta = top.find((box) => box.type === 'meta');
  if (!meta) return { bytes, removed: new Set() };
  const children = boxes(view, meta.start + 4, meta.end);
  const iinf = children?.find((box) => box.type === 'iinf');
  const iloc = children?.find((box) => box.type === 'iloc');
  if (!children || !iinf || !iloc) return undefined;
  const items = metadataItems(bytes, view, iinf);
  if (!items) return undefined;
  if (items.size === 0) return { bytes, removed: new Set() };
  const ranges = itemRanges(
    view,
    iloc,
    children.find((box) => box.type === 'idat'),
    items,
  );
  if (!ranges) return undefined;
  const removed = new Set<MetadataKind>();
  const out = bytes.slice();
  for (const [id, kind] of items) {
    const placed = ranges.get(id);
    if (!placed) continue;
    if (kind === 'exif') {
      const [[start, length] = [0, 0]] = placed;
      const payload = bytes.subarray(start, start + length);
      const tiffAt =
        payload.byteLength >= 4 ? new DataView(payload.buffer, payload.byteOffset).getUint32(0) + 4 : 0;
      if (readExif(payload.subarray(tiffAt))?.gps) removed.add('gps');
    }
    const total = placed.reduce((sum, [, length]) => sum + length, 0);
    const replacement = blank(kind, total);
    let used = 0;
    let changed = false;
    for (const [start, length] of placed) {
      const piece = replacement.subarray(used, used + length);
      // A file stripped before holds the blank already: it comes out the same, and reports nothing.
      if (!piece.every((byte, index) => byte === bytes[start + index])) changed = true;
      out.set(piece, start);
      used += length;
    }
    if (changed) removed.add(kind);
    else removed.delete('gps');
  }
  return { bytes: removed.size === 0 ? bytes : out, removed };
}
