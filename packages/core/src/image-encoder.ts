/**
 * Optional image conversion (WebP or AVIF at a quality, a longest-side limit): the settings, the outcome an upload
 * reports, and the one-method encoder a host injects. Core never decodes pixels itself; each encoder is a file of its
 * own (`createCanvasEncoder` for browsers and Obsidian, `createSharpEncoder` under `@bytedrop/core/node`), like the
 * stores.
 */

/**
 * The formats an image can be converted to.
 *
 * @example
 * ```ts
 * const format: ImageFormat = 'avif';
 * ```
 */
export type ImageFormat = 'webp' | 'avif';

/**
 * What an encoder is asked for: one still image, re-encoded as `format` at `quality`, turned upright by its EXIF
 * orientation, and scaled down (never up) so its longest side is at most `maxSide`.
 *
 * @example
 * ```ts
 * const request: EncodeRequest = { contentType: 'image/jpeg', format: 'webp', quality: 80, maxSide: 2560, maxPixels: 100e6, keepMetadata: false };
 * ```
 */
export interface EncodeRequest {
  /** The sniffed type of the input. */
  contentType: string;
  format: ImageFormat;
  /** 1–100. */
  quality: number;
  /** Longest side in pixels of the output; the input's own size when undefined. */
  maxSide: number | undefined;
  /** The most pixels the encoder may decode (core checked the header already; this guards the decoder too). */
  maxPixels: number;
  /** Keep EXIF and ICC in the output (`stripMetadata: false`); encoders that cannot, drop them. */
  keepMetadata: boolean;
}

/**
 * Turns one image into another format. It throws a `BytedropError` with code `ERR_IMAGE` when it cannot encode
 * `request.format` at all on this host (the upload then fails: the user asked for a conversion that cannot be done);
 * any other error means this input could not be decoded, and the upload stores it as it came.
 *
 * @example
 * ```ts
 * const encoder: ImageEncoder = { encode: async (bytes, request) => myCodec(bytes, request.format, request.quality) };
 * createUploader(config, { convert: { encoder, format: 'webp', quality: 80 } });
 * ```
 */
export interface ImageEncoder {
  encode(input: Uint8Array, request: EncodeRequest): Promise<Uint8Array>;
}

/**
 * `createUploader`'s `convert` option: images are re-encoded before hashing (so the key names the stored bytes).
 * Animated images, SVG, files above `maxPixels` or that cannot be decoded are stored as they came, and so is the
 * original when the conversion would be larger.
 *
 * @example
 * ```ts
 * import { createSharpEncoder } from '@bytedrop/core/node';
 * createUploader(config, { convert: { encoder: createSharpEncoder(), format: 'webp', quality: 80, maxSide: 2560 } });
 * ```
 */
export interface ImageConversion {
  encoder: ImageEncoder;
  /** Default `webp`. */
  format?: ImageFormat;
  /** 1–100, default 80. */
  quality?: number;
  /** Longest side in pixels; larger images are scaled down. No limit when absent. */
  maxSide?: number;
  /** Images whose header declares more pixels are never decoded (default `DEFAULT_MAX_PIXELS`). */
  maxPixels?: number;
  /**
   * Finished conversions kept beyond this uploader's own memory (which lives as long as the uploader), so that a
   * re-paste of the same source in a new process is not encoded again: `createDiskConversionCache()` on Node.
   */
  cache?: ConversionCache;
}

/**
 * What a `ConversionCache` holds for one source and settings: the converted bytes, or that the conversion came out
 * larger than the source (so the source is stored, and finding that out again would cost an encode).
 *
 * @example
 * ```ts
 * const entry: CachedConversion = { bytes: webpBytes, format: 'webp' };
 * ```
 */
export type CachedConversion = { bytes: Uint8Array; format: ImageFormat } | { skipped: 'larger' };

/**
 * A store of finished conversions, keyed by the source's SHA-256 and the settings. Bytedrop trusts an entry only if
 * its bytes are what it says they are (their format, smaller than the source); a failing cache is a miss, never a
 * failed upload.
 *
 * @example
 * ```ts
 * const entries = new Map<string, CachedConversion>();
 * const cache: ConversionCache = { get: async (key) => entries.get(key), set: async (key, entry) => void entries.set(key, entry) };
 * createUploader(config, { convert: { encoder, format: 'webp', cache } });
 * ```
 */
export interface ConversionCache {
  get(key: string): Promise<CachedConversion | undefined>;
  set(key: string, conversion: CachedConversion): Promise<void>;
}

/**
 * What an upload may change of the uploader's conversion: `false` skips it, an object overrides its settings.
 *
 * @example
 * ```ts
 * await uploader.upload(bytes, { filename: 'scan.png', convert: false });
 * await uploader.upload(bytes, { filename: 'photo.jpg', convert: { format: 'avif', quality: 60 } });
 * ```
 */
export type ConvertOption = boolean | Partial<Omit<ImageConversion, 'encoder' | 'cache'>>;

/**
 * 100 megapixels: every phone photo, and far below a decompression bomb (a small PNG declaring 50,000 × 50,000 is
 * 2,500 megapixels, 10 GB once decoded).
 *
 * @example
 * ```ts
 * createUploader(config, { convert: { encoder, maxPixels: DEFAULT_MAX_PIXELS * 2 } });
 * ```
 */
export const DEFAULT_MAX_PIXELS = 100_000_000;

/**
 * Why an image that conversion was asked for was stored as it came:
 * `larger` (the conversion was not smaller), `animated` (GIF, APNG or WebP with frames: never flattened),
 * `same-format` (already in the target format and within `maxSide`), `format` (a type not converted: SVG, HEIC, …),
 * `too-many-pixels` (its header declares more than `maxPixels`: refused before decoding), `too-large` (above
 * `STRIP_MAX_BYTES`, which conversion would have to hold in memory), `undecodable` (the encoder could not read it).
 *
 * @example
 * ```ts
 * if (result.conversionSkipped === 'undecodable') console.warn(`${result.filename} was uploaded unconverted`);
 * ```
 */
export type ConversionSkipped =
  | 'larger'
  | 'animated'
  | 'same-format'
  | 'format'
  | 'too-many-pixels'
  | 'too-large'
  | 'undecodable';

/**
 * Why an image went unconverted, said to the user who asked for the conversion (the CLI's stderr, Obsidian's notice),
 * for the reasons worth saying; undefined for the rest (the conversion was not smaller, or not needed).
 *
 * @example
 * ```ts
 * const why = result.conversionSkipped && unconvertedReason(result.conversionSkipped);
 * if (why) console.warn(`${result.filename} was uploaded unconverted: ${why}`);
 * ```
 */
export function unconvertedReason(skipped: ConversionSkipped): string | undefined {
  return UNCONVERTED[skipped];
}

const UNCONVERTED: Partial<Record<ConversionSkipped, string>> = {
  animated: 'it is animated (kept as it is, never flattened)',
  format: 'its type is not converted',
  'too-many-pixels': 'it declares more pixels than the limit (a possible decompression bomb: never decoded)',
  undecodable: 'it could not be decoded',
};

/**
 * What a converted upload reports: the type and size it had before conversion.
 *
 * @example
 * ```ts
 * result.converted; // { from: 'image/jpeg', size: 4200123 }
 * ```
 */
export interface ConvertedFrom {
  from: string;
  size: number;
}
