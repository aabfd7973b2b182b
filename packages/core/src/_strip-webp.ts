/**
 * Internal: WebP metadata stripping by walking the RIFF chunks. `EXIF` and `XMP ` chunks go, the `VP8X` header's
 * flags and the RIFF size are fixed to match; image data (`VP8 `, `VP8L`, `ALPH`, animation frames) and `ICCP` are
 * copied as they are. The orientation survives as a minimal `EXIF` chunk where it was.
 */
import { EXIF_HEADER, minimalExif, readExif, startsWith } from './_exif';
import { assemble, type MetadataKind, type Walked } from './_walked';

const ascii = new TextDecoder('latin1');
const EXIF_FLAG = 0x08;
const XMP_FLAG = 0x04;

function chunk(type: string, data: Uint8Array): Uint8Array {
  const padded = data.byteLength + (data.byteLength & 1);
  const bytes = new Uint8Array(8 + padded);
  bytes.set(new TextEncoder().encode(type));
  new DataView(bytes.buffer).setUint32(4, data.byteLength, true);
  bytes.set(data, 8);
  return bytes;
}

/** Strips a WebP; undefined when it is not a walkable RIFF WebP, so the caller keeps the file as it is. */
export function stripWebp(bytes: Uint8Array): Walked | undefined {
  if (bytes.byteLength < 20 || !startsWith(bytes, 'RIFF') || ascii.decode(bytes.subarray(8, 12)) !== 'WEBP') {
    return undefined;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riffEnd = Math.min(bytes.byteLength, 8 + view.getUint32(4, true));
  const parts: Uint8Array[] = [bytes.subarray(0, 12)];
  const removed = new Set<MetadataKind>();
  let orientation: number | undefined;
  let pixelRatio: number | undefined;
  let exifAt = -1;
  let vp8xAt = -1;
  let at = 12;
  while (at < riffEnd) {
    if (at + 8 > riffEnd) return undefined;
    const type = ascii.decode(bytes.subarray(at, at + 4));
    const size = view.getUint32(at + 4, true);
    if (at + 8 + size > riffEnd) return undefined;
    // A chunk of odd size is padded to even; a writer may leave out the last chunk's pad byte.
    const end = Math.min(riffEnd, at + 8 + size + (size & 1));
    const data = bytes.subarray(at + 8, at + 8 + size);
    if (type === 'EXIF') {
      removed.add('exif');
      const facts = readExif(startsWith(data, EXIF_HEADER) ? data.subarray(EXIF_HEADER.byteLength) : data);
      if (facts?.gps) removed.add('gps');
      orientation ??= facts?.orientation;
      pixelRatio ??= facts?.pixelRatio;
      if (exifAt < 0) exifAt = parts.length;
    } else if (type === 'XMP ') removed.add('xmp');
    else {
      if (type === 'VP8X') vp8xAt = parts.length;
      parts.push(bytes.subarray(at, end));
    }
    at = end;
  }
  if (riffEnd < bytes.byteLength) removed.add('trailer');
  // EXIF is allowed only in the extended format, whose VP8X header says which chunks follow.
  const keepOrientation = orientation !== undefined && orientation !== 1 && vp8xAt >= 0;
  if (vp8xAt >= 0) {
    const vp8x = (parts[vp8xAt] as Uint8Array).slice();
    vp8x[8] = ((vp8x[8] as number) & ~(EXIF_FLAG | XMP_FLAG)) | (keepOrientation ? EXIF_FLAG : 0);
    parts[vp8xAt] = vp8x;
  }
  if (keepOrientation) parts.splice(exifAt, 0, chunk('EXIF', minimalExif(orientation as number)));
  const walked = assemble(bytes, parts, {
    removed,
    ...(orientation === undefined ? {} : { orientation }),
    ...(pixelRatio === undefined ? {} : { pixelRatio }),
  });
  if (walked.bytes !== bytes)
    new DataView(walked.bytes.buffer).setUint32(4, walked.bytes.byteLength - 8, true);
  return walked;
}
