/**
 * Internal: optional conversion between stripping and hashing. Decides whether an image is converted (type, frames,
 * pixel count from its header, so a decompression bomb is never decoded), asks the injected encoder, keeps the
 * original when the result is not smaller, and remembers recent conversions by the source's hash so a re-paste of
 * the same image costs a hash, not an encode.
 */
import { isAnimated } from './_animated';
import {
  type CachedOutcome,
  formatOf,
  readCachedConversion,
  writeCachedConversion,
} from './_conversion-cache';
import { BytedropError } from './errors';
import { createHasher } from './hash';
import {
  type ConversionCache,
  type ConversionSkipped,
  type ConvertOption,
  DEFAULT_MAX_PIXELS,
  type ImageConversion,
  type ImageEncoder,
  type ImageFormat,
} from './image-encoder';
import { readImageSize } from './images';

/** Conversion settings with every default filled in. */
export interface ConvertSettings {
  encoder: ImageEncoder;
  format: ImageFormat;
  quality: number;
  maxSide: number | undefined;
  maxPixels: number;
  cache: ConversionCache | undefined;
}

/** Types an encoder is given; others (SVG, HEIC, TIFF, …) are stored as they came. */
const CONVERTIBLE = new Set([
  'image/jpeg',
  'image/png',
  'image/apng',
  'image/webp',
  'image/avif',
  'image/gif',
]);

/** The most bytes of recent conversions remembered per uploader. */
const MEMO_BYTES = 64 * 1024 * 1024;

function positiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** Checks and completes `createUploader`'s `convert` option; `ERR_CONFIG` names the field and the fix. */
export function conversionSettings(conversion: ImageConversion): ConvertSettings {
  const settings: ConvertSettings = {
    encoder: conversion.encoder,
    format: conversion.format ?? 'webp',
    quality: conversion.quality ?? 80,
    maxSide: conversion.maxSide,
    maxPixels: conversion.maxPixels ?? DEFAULT_MAX_PIXELS,
    cache: conversion.cache,
  };
  const bad = (message: string): never => {
    throw new BytedropError('ERR_CONFIG', message);
  };
  if (typeof settings.encoder?.encode !== 'function') {
    bad(
      'convert.encoder must have an encode() method: use createSharpEncoder() (Node) or createCanvasEncoder() (browser)',
    );
  }
  if (settings.format !== 'webp' && settings.format !== 'avif') {
    bad(`convert.format '${String(settings.format)}' is not supported: use 'webp' or 'avif'`);
  }
  if (!positiveInteger(settings.quality) || settings.quality > 100) {
    bad(
      `convert.quality ${String(settings.quality)} is not valid: use a whole number from 1 to 100 (e.g. 80)`,
    );
  }
  if (settings.maxSide !== undefined && !positiveInteger(settings.maxSide)) {
    bad(
      `convert.maxSide ${String(settings.maxSide)} is not valid: use a number of pixels such as 2560, or leave it out`,
    );
  }
  const { cache } = settings;
  if (cache !== undefined && (typeof cache?.get !== 'function' || typeof cache.set !== 'function')) {
    bad(
      'convert.cache must have get() and set() methods: use createDiskConversionCache() (Node), or leave it out',
    );
  }
  if (!positiveInteger(settings.maxPixels)) {
    bad(
      `convert.maxPixels ${String(settings.maxPixels)} is not valid: use a number of pixels such as 100000000`,
    );
  }
  return settings;
}

/**
 * An upload's settings: the uploader's, overridden (or turned off) by the upload's own `convert`. Asking an uploader
 * without an encoder to convert is `ERR_IMAGE`: a request that cannot be honoured is said, not ignored.
 */
export function settingsFor(
  base: ConvertSettings | undefined,
  option: ConvertOption | undefined,
): ConvertSettings | undefined {
  if (option === false) return undefined;
  if (option === undefined) return base;
  if (base === undefined) {
    throw new BytedropError(
      'ERR_IMAGE',
      "image conversion was asked for, but this uploader converts nothing: give createUploader a convert option (server: BYTEDROP_CONVERT=webp; CLI: --convert webp), or don't ask for it",
    );
  }
  if (option === true) return base;
  return conversionSettings({ ...base, ...option });
}

/** The outcome: converted bytes and their type, or why the source is stored instead. */
export type Conversion =
  | { bytes: Uint8Array; contentType: `image/${ImageFormat}`; ext: ImageFormat }
  | { skipped: ConversionSkipped };

/** Recent conversions by source hash and settings: a re-paste of the same image is not encoded again. */
export interface ConversionMemo {
  get(key: string): Conversion | undefined;
  set(key: string, conversion: Conversion): void;
}

/** A memo holding up to `MEMO_BYTES` of converted images, the least recently used dropped first. */
export function createConversionMemo(limit = MEMO_BYTES): ConversionMemo {
  const entries = new Map<string, Conversion>();
  let bytes = 0;
  const sizeOf = (conversion: Conversion) => ('bytes' in conversion ? conversion.bytes.byteLength : 0);
  return {
    get(key) {
      const found = entries.get(key);
      if (found) {
        entries.delete(key);
        entries.set(key, found);
      }
      return found;
    },
    set(key, conversion) {
      if (sizeOf(conversion) > limit) return;
      entries.set(key, conversion);
      bytes += sizeOf(conversion);
      for (const [oldest, value] of entries) {
        if (bytes <= limit) break;
        entries.delete(oldest);
        bytes -= sizeOf(value);
      }
    },
  };
}

/**
 * Converts `source` (the bytes that would otherwise be stored) unless the image is to be left alone. Never throws
 * for a bad image; only an encoder's `ERR_IMAGE` (this host cannot encode the format at all) fails the upload.
 */
export async function convertImage(
  source: Uint8Array,
  contentType: string,
  settings: ConvertSettings,
  keepMetadata: boolean,
  memo: ConversionMemo,
): Promise<Conversion> {
  if (!CONVERTIBLE.has(contentType)) return { skipped: 'format' };
  if (isAnimated(source, contentType)) return { skipped: 'animated' };
  const size = readImageSize(source);
  if (size === undefined) return { skipped: 'undecodable' };
  // Judged on the header alone: a bomb is refused before a single pixel is decoded.
  if (size.width * size.height > settings.maxPixels) return { skipped: 'too-many-pixels' };
  const longest = Math.max(size.width, size.height);
  const resize = settings.maxSide !== undefined && longest > settings.maxSide;
  if (contentType === `image/${settings.format}` && !resize) return { skipped: 'same-format' };
  const hasher = await createHasher('sha256');
  hasher.update(source);
  const { format, quality, maxSide, maxPixels } = settings;
  const key = `${await hasher.digest()}:${format}:${quality}:${maxSide ?? ''}:${keepMetadata}`;
  const remembered = memo.get(key);
  if (remembered) return remembered;
  const cached = await readCachedConversion(settings.cache, key, source.byteLength);
  if (cached) {
    memo.set(key, cached);
    return cached;
  }
  let encoded: Uint8Array;
  try {
    encoded = await settings.encoder.encode(source, {
      contentType,
      format,
      quality,
      maxSide,
      maxPixels,
      keepMetadata,
    });
  } catch (error) {
    if (error instanceof BytedropError && error.code === 'ERR_IMAGE') throw error;
    return { skipped: 'undecodable' };
  }
  // The bytes say what they are: an encoder may fall back to another format than the one asked (Obsidian's does).
  const made = formatOf(encoded);
  const conversion: Conversion =
    made === undefined
      ? { skipped: 'undecodable' }
      : encoded.byteLength >= source.byteLength
        ? { skipped: 'larger' }
        : { bytes: encoded, contentType: `image/${made}`, ext: made };
  memo.set(key, conversion);
  if ('bytes' in conversion || conversion.skipped === 'larger') {
    await writeCachedConversion(settings.cache, key, conversion as CachedOutcome);
  }
  return conversion;
}
