/**
 * Internal: the little of EXIF that stripping needs. It reads only the first IFD of a TIFF block (never follows an
 * offset to another IFD, so a wrong offset or a loop cannot hang it), and writes the minimal EXIF that keeps a
 * photo's orientation once everything else is gone.
 */

/** What the first IFD says: the orientation a viewer applies, a GPS block, and a 2× (144 DPI) resolution. */
export interface ExifFacts {
  orientation?: number;
  gps: boolean;
  pixelRatio?: number;
}

const ORIENTATION = 0x0112;
const X_RESOLUTION = 0x011a;
const Y_RESOLUTION = 0x011b;
const RESOLUTION_UNIT = 0x0128;
const GPS_IFD = 0x8825;
const SHORT = 3;
const RATIONAL = 5;

/**
 * The display density a resolution stands for: 2 for 144 DPI (macOS Retina screenshots), else undefined. Only the
 * exact 2× density counts: 300 DPI is a print setting, not a screen's.
 */
export function pixelRatioOf(dpiX: number, dpiY: number): number | undefined {
  return Math.abs(dpiX - 144) < 0.5 && Math.abs(dpiY - 144) < 0.5 ? 2 : undefined;
}

/** Reads the first IFD of a TIFF block (`II*\0` or `MM\0*`); undefined when it is not one. Bounds-checked throughout. */
export function readExif(tiff: Uint8Array): ExifFacts | undefined {
  if (tiff.byteLength < 8) return undefined;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return undefined;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  if (view.getUint16(2, little) !== 42) return undefined;
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > tiff.byteLength) return undefined;
  const count = view.getUint16(ifd, little);
  const facts: ExifFacts = { gps: false };
  let dpiX: number | undefined;
  let dpiY: number | undefined;
  let unit = 2;
  const rational = (at: number): number | undefined => {
    const offset = view.getUint32(at, little);
    if (offset + 8 > tiff.byteLength) return undefined;
    const denominator = view.getUint32(offset + 4, little);
    return denominator === 0 ? undefined : view.getUint32(offset, little) / denominator;
  };
  // Entries past the end of the block are ignored: what is there is still read.
  for (let entry = ifd + 2; entry + 12 <= tiff.byteLength && entry < ifd + 2 + count * 12; entry += 12) {
    const tag = view.getUint16(entry, little);
    const type = view.getUint16(entry + 2, little);
    if (tag === GPS_IFD) facts.gps = true;
    if (tag === ORIENTATION && type === SHORT) {
      const value = view.getUint16(entry + 8, little);
      if (value >= 1 && value <= 8) facts.orientation = value;
    }
    if (tag === RESOLUTION_UNIT && type === SHORT) unit = view.getUint16(entry + 8, little);
    if (tag === X_RESOLUTION && type === RATIONAL) dpiX = rational(entry + 8);
    if (tag === Y_RESOLUTION && type === RATIONAL) dpiY = rational(entry + 8);
  }
  // Unit 3 is per centimetre; 1 (none) says nothing about the screen.
  const perInch = unit === 3 ? 2.54 : unit === 2 ? 1 : undefined;
  if (perInch !== undefined && dpiX !== undefined && dpiY !== undefined) {
    const ratio = pixelRatioOf(dpiX * perInch, dpiY * perInch);
    if (ratio !== undefined) facts.pixelRatio = ratio;
  }
  return facts;
}

/**
 * A TIFF block holding one entry, Orientation: what stripping leaves so a portrait photo stays portrait. Big-endian,
 * 26 bytes, always the same bytes for the same orientation (so stripped files stay deduplicated).
 */
export function minimalExif(orientation: number): Uint8Array {
  const tiff = new Uint8Array(26);
  const view = new DataView(tiff.buffer);
  tiff.set([0x4d, 0x4d, 0x00, 0x2a]);
  view.setUint32(4, 8); // the first IFD right after the header
  view.setUint16(8, 1); // one entry
  view.setUint16(10, ORIENTATION);
  view.setUint16(12, SHORT);
  view.setUint32(14, 1);
  view.setUint16(18, orientation);
  view.setUint32(22, 0); // no next IFD
  return tiff;
}

/** `Exif\0\0`, the header of EXIF in a JPEG APP1 segment (and in some WebP EXIF chunks). */
export const EXIF_HEADER = Uint8Array.of(0x45, 0x78, 0x69, 0x66, 0x00, 0x00);

/** True when `bytes` starts with `prefix`. */
export function startsWith(bytes: Uint8Array, prefix: Uint8Array | string): boolean {
  const expected = typeof prefix === 'string' ? new TextEncoder().encode(prefix) : prefix;
  if (bytes.byteLength < expected.byteLength) return false;
  for (let i = 0; i < expected.byteLength; i++) if (bytes[i] !== expected[i]) return false;
  return true;
}
