/**
 * Internal: PNG metadata stripping by walking the chunks. Text chunks (`tEXt`, `zTXt`, `iTXt`, XMP among them),
 * `eXIf` and `tIME` go; every other chunk is copied with its CRC as it is (image data, palette, `iCCP`, `sRGB`,
 * `pHYs`, animation), so pixels are never decoded. The orientation survives as a minimal `eXIf` where it was.
 */
import { minimalExif, pixelRatioOf, readExif, startsWith } from './_exif';
import { assemble, type MetadataKind, type Walked } from './_walked';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const ascii = new TextDecoder('latin1');

function metadataKind(type: string, data: Uint8Array): MetadataKind | undefined {
  if (type === 'eXIf') return 'exif';
  if (type === 'tEXt' || type === 'zTXt') return 'text';
  if (type === 'iTXt') return startsWith(data, 'XML:com.adobe.xmp\0') ? 'xmp' : 'text';
  if (type === 'tIME') return 'other';
  return undefined;
}

/** `pHYs`: pixels per metre (unit 1); 144 DPI is 5669 per metre. */
function physRatio(data: Uint8Array): number | undefined {
  if (data.byteLength < 9 || data[8] !== 1) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return pixelRatioOf(view.getUint32(0) * 0.0254, view.getUint32(4) * 0.0254);
}

/** An `eXIf` chunk holding only the orientation; its CRC from hash-wasm, loaded only for such a rare file. */
async function orientationChunk(orientation: number): Promise<Uint8Array> {
  const tiff = minimalExif(orientation);
  const chunk = new Uint8Array(12 + tiff.byteLength);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, tiff.byteLength);
  chunk.set(new TextEncoder().encode('eXIf'), 4);
  chunk.set(tiff, 8);
  const { createCRC32 } = await import('./_wasm-hashers');
  const crc = await createCRC32();
  crc.init();
  crc.update(chunk.subarray(4, 8 + tiff.byteLength));
  view.setUint32(8 + tiff.byteLength, Number.parseInt(crc.digest('hex'), 16));
  return chunk;
}

/** Strips a PNG (or APNG); undefined when a chunk runs past the end, so the caller keeps the file as it is. */
export async function stripPng(bytes: Uint8Array): Promise<Walked | undefined> {
  if (!startsWith(bytes, SIGNATURE)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  const removed = new Set<MetadataKind>();
  let orientation: number | undefined;
  let pixelRatio: number | undefined;
  let exifAt = -1;
  let at = 8;
  while (at < bytes.byteLength) {
    if (at + 12 > bytes.byteLength) return undefined;
    const end = at + 12 + view.getUint32(at);
    if (end > bytes.byteLength) return undefined;
    const type = ascii.decode(bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, end - 4);
    const kind = metadataKind(type, data);
    if (kind === undefined) parts.push(bytes.subarray(at, end));
    else removed.add(kind);
    if (type === 'pHYs') pixelRatio = physRatio(data);
    if (kind === 'exif') {
      const facts = readExif(data);
      if (facts?.gps) removed.add('gps');
      orientation ??= facts?.orientation;
      if (exifAt < 0) exifAt = parts.length;
    }
    at = end;
    if (type === 'IEND') {
      if (at < bytes.byteLength) removed.add('trailer');
      break;
    }
  }
  if (orientation !== undefined && orientation !== 1) {
    parts.splice(exifAt, 0, await orientationChunk(orientation));
  }
  return assemble(bytes, parts, {
    removed,
    ...(orientation === undefined ? {} : { orientation }),
    ...(pixelRatio === undefined ? {} : { pixelRatio }),
  });
}
