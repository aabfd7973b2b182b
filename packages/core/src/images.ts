/**
 * Image metadata and dimensions, isomorphic (browsers, Obsidian mobile, Node; no native code). Stripping walks the
 * container (JPEG segments, PNG chunks, WebP RIFF chunks) and drops metadata segments whole: pixels are never
 * decoded or re-encoded, and the same input always gives the same bytes. Sizes come from `image-size`.
 */
import { imageSize } from 'image-size';
import { stripHeif } from './_strip-heif';
import { stripJpeg } from './_strip-jpeg';
import { stripPng } from './_strip-png';
import { stripWebp } from './_strip-webp';
import { KIND_ORDER, type MetadataKind, type Walked } from './_walked';

export type { MetadataKind } from './_walked';

/**
 * Why an image's metadata was left in it: `setting` (the user keeps metadata), `format` (a type stripping does not
 * handle yet: GIF, SVG, TIFF, …), `too-large` (above `STRIP_MAX_BYTES`, which stripping would have to
 * hold in memory), `unreadable` (its structure could not be walked safely: it is stored as it came).
 *
 * @example
 * ```ts
 * if (result.metadataKept === 'format') console.warn(`${result.filename}: metadata kept (format not stripped)`);
 * ```
 */
export type MetadataKept = 'setting' | 'format' | 'too-large' | 'unreadable';

/**
 * The largest image stripped (and read whole for its size): 32 MiB, above any phone photo. A larger image is held in
 * memory by no one: it is uploaded as it is, with `metadataKept: 'too-large'`.
 *
 * @example
 * ```ts
 * if (file.size > STRIP_MAX_BYTES) console.warn('this image keeps its metadata');
 * ```
 */
export const STRIP_MAX_BYTES = 32 * 1024 * 1024;

/**
 * What `stripMetadata` gives: the bytes to store, what was removed, and what rendering needs from it.
 *
 * @example
 * ```ts
 * const { bytes, stripped } = await stripMetadata(photo, 'image/jpeg'); // stripped: ['gps', 'exif']
 * ```
 */
export interface StrippedImage {
  /** The stripped bytes; the input itself when nothing was removed or the file was kept (`kept`). */
  bytes: Uint8Array;
  /** What was removed, in a fixed order; empty when nothing was. */
  stripped: MetadataKind[];
  /** Set when the file was left as it is: its type is not handled (`format`) or could not be walked (`unreadable`). */
  kept?: Extract<MetadataKept, 'format' | 'unreadable'>;
  /** EXIF orientation (1–8) the file had; anything but 1 is kept in the stripped bytes as a minimal EXIF. */
  orientation?: number;
  /** 2 when the file says 144 DPI (PNG `pHYs`, EXIF resolution): a Retina screenshot shows at half its pixels. */
  pixelRatio?: number;
}

const WALKERS: Record<string, (bytes: Uint8Array) => Walked | undefined | Promise<Walked | undefined>> = {
  'image/jpeg': stripJpeg,
  'image/png': stripPng,
  'image/apng': stripPng,
  'image/webp': stripWebp,
  'image/heic': stripHeif,
  'image/heif': stripHeif,
  'image/avif': stripHeif,
};

/**
 * True when `stripMetadata` handles this media type (JPEG, PNG, APNG, WebP, HEIC/HEIF, AVIF).
 *
 * @example
 * ```ts
 * canStripMetadata('image/jpeg'); // true
 * canStripMetadata('image/heic'); // true
 * canStripMetadata('image/gif'); // false: uploaded as it is, `metadataKept: 'format'`
 * ```
 */
export function canStripMetadata(contentType: string): boolean {
  return Object.hasOwn(WALKERS, contentType.toLowerCase());
}

/**
 * Removes location and camera metadata from an image without touching its pixels: EXIF (GPS, maker notes, serial
 * numbers, thumbnails), XMP, IPTC, comments, PNG text chunks and `eXIf`, WebP `EXIF`/`XMP ` chunks, and data after
 * the image's end. It keeps what rendering needs: the ICC profile, PNG `pHYs`, JFIF and Adobe colour segments, and
 * the orientation (as a minimal EXIF with only Orientation, so a portrait photo stays portrait). The same input
 * always gives the same bytes, so uploads of the same photo stay deduplicated. A type it does not handle, or a file
 * whose structure cannot be walked safely, comes back unchanged with `kept` saying why; it never throws on bad
 * bytes.
 *
 * @example
 * ```ts
 * const result = await stripMetadata(new Uint8Array(await file.arrayBuffer()), 'image/jpeg');
 * result.stripped; // ['gps', 'exif', 'xmp']
 * result.orientation; // 6: the stripped bytes still say so
 * ```
 */
export async function stripMetadata(bytes: Uint8Array, contentType: string): Promise<StrippedImage> {
  const walker = WALKERS[contentType.toLowerCase()];
  if (!walker) return { bytes, stripped: [], kept: 'format' };
  let walked: Walked | undefined;
  try {
    walked = await walker(bytes);
  } catch {
    walked = undefined; // a walker reads within bounds; this only guards the caller's upload
  }
  if (!walked) return { bytes, stripped: [], kept: 'unreadable' };
  return {
    bytes: walked.bytes,
    stripped: KIND_ORDER.filter((kind) => walked.removed.has(kind)),
    ...(walked.orientation === undefined ? {} : { orientation: walked.orientation }),
    ...(walked.pixelRatio === undefined ? {} : { pixelRatio: walked.pixelRatio }),
  };
}

/**
 * An image's size as it displays: `width` and `height` in pixels with the EXIF orientation applied (a portrait photo
 * stored sideways is taller than wide), and `pixelRatio` 2 for a 144 DPI file (links may show it at half).
 *
 * @example
 * ```ts
 * const size: ImageSize = { width: 3024, height: 4032 };
 * ```
 */
export interface ImageSize {
  width: number;
  height: number;
  pixelRatio?: number;
}

/**
 * Reads an image's size from its header with `image-size` (PNG, JPEG, GIF, WebP, AVIF, SVG and more), never
 * decoding pixels nor fetching anything an SVG refers to. JPEG orientations 5–8 (90° and 270°) swap width and
 * height; `hints` gives what stripping learnt (orientation and density of PNG and WebP, which image-size does not
 * read). Undefined when the bytes do not say (truncated, unknown type, an SVG without a size).
 *
 * @example
 * ```ts
 * readImageSize(png); // { width: 2880, height: 1800 }
 * readImageSize(png, { pixelRatio: 2 }); // { width: 2880, height: 1800, pixelRatio: 2 }
 * ```
 */
export function readImageSize(
  bytes: Uint8Array,
  hints: { orientation?: number; pixelRatio?: number } = {},
): ImageSize | undefined {
  let read: ReturnType<typeof imageSize>;
  try {
    read = imageSize(bytes);
  } catch {
    return undefined;
  }
  const { width, height } = read;
  if (!width || !height || !Number.isFinite(width) || !Number.isFinite(height)) return undefined;
  const orientation = read.orientation ?? hints.orientation ?? 1;
  const turned = orientation >= 5 && orientation <= 8;
  return {
    width: turned ? height : width,
    height: turned ? width : height,
    ...(hints.pixelRatio === undefined ? {} : { pixelRatio: hints.pixelRatio }),
  };
}
