/**
 * Image conversion settings as hosts receive them, as text: CLI flags (`--convert webp --quality 80 --max-side
 * 2560`) and server environment variables (`BYTEDROP_CONVERT=webp`, …). Turned into `createUploader`'s `convert`
 * option with the sharp encoder; a bad value is `ERR_CONFIG` naming where it came from and the fix.
 */
import { BytedropError } from '../errors';
import type { ImageConversion, ImageFormat } from '../image-encoder';
import { createSharpEncoder } from './encoders/sharp';

/**
 * Conversion settings as text, each with the name the user wrote it under (for messages).
 *
 * @example
 * ```ts
 * const text: ConversionText = { format: ['--convert', 'webp'], quality: ['--quality', '75'] };
 * ```
 */
export interface ConversionText {
  /** `webp`, `avif`, or `off`/`none`/empty for no conversion. */
  format?: [name: string, value: string | undefined];
  quality?: [name: string, value: string | number | undefined];
  maxSide?: [name: string, value: string | number | undefined];
  maxPixels?: [name: string, value: string | number | undefined];
}

const OFF = new Set(['', 'off', 'none', 'false', 'no']);

function whole(
  entry: [string, string | number | undefined] | undefined,
  example: string,
  most = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (entry === undefined || entry[1] === undefined || entry[1] === '') return undefined;
  const [name, value] = entry;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0 || number > most) {
    const range =
      most === Number.MAX_SAFE_INTEGER ? 'a whole number above 0' : `a whole number from 1 to ${most}`;
    throw new BytedropError('ERR_CONFIG', `${name} '${value}' is not valid: use ${range}, e.g. ${example}`);
  }
  return number;
}

/**
 * `createUploader`'s `convert` option from text settings, with `createSharpEncoder()`; undefined when no format is
 * given (or it is `off`). Quality or a size without a format is an error, not silently ignored.
 *
 * @example
 * ```ts
 * const convert = conversionFromText({ format: ['BYTEDROP_CONVERT', process.env.BYTEDROP_CONVERT] });
 * createUploader(config, convert ? { convert } : {});
 * ```
 */
export function conversionFromText(text: ConversionText): ImageConversion | undefined {
  const format = text.format?.[1]?.toString().trim().toLowerCase();
  const quality = whole(text.quality, '80', 100);
  const maxSide = whole(text.maxSide, '2560');
  const maxPixels = whole(text.maxPixels, '100000000');
  if (format === undefined || OFF.has(format)) {
    const stray = [text.quality, text.maxSide, text.maxPixels].find((entry) => entry?.[1]);
    if (stray) {
      throw new BytedropError(
        'ERR_CONFIG',
        `${stray[0]} has no effect without a format to convert to: add ${text.format?.[0] ?? 'a format'} webp (or avif)`,
      );
    }
    return undefined;
  }
  if (format !== 'webp' && format !== 'avif') {
    throw new BytedropError(
      'ERR_CONFIG',
      `${text.format?.[0]} '${text.format?.[1]}' is not a format images can be converted to: use webp, avif or off`,
    );
  }
  return {
    encoder: createSharpEncoder(),
    format: format as ImageFormat,
    ...(quality === undefined ? {} : { quality }),
    ...(maxSide === undefined ? {} : { maxSide }),
    ...(maxPixels === undefined ? {} : { maxPixels }),
  };
}

/**
 * The server's conversion settings from its environment: `BYTEDROP_CONVERT` (webp, avif or off),
 * `BYTEDROP_CONVERT_QUALITY`, `BYTEDROP_CONVERT_MAX_SIDE`, `BYTEDROP_CONVERT_MAX_PIXELS`.
 *
 * @example
 * ```ts
 * conversionFromEnv({ BYTEDROP_CONVERT: 'webp', BYTEDROP_CONVERT_MAX_SIDE: '2560' }); // { encoder, format: 'webp', maxSide: 2560 }
 * ```
 */
export function conversionFromEnv(env: Record<string, string | undefined>): ImageConversion | undefined {
  return conversionFromText({
    format: ['BYTEDROP_CONVERT', env.BYTEDROP_CONVERT],
    quality: ['BYTEDROP_CONVERT_QUALITY', env.BYTEDROP_CONVERT_QUALITY],
    maxSide: ['BYTEDROP_CONVERT_MAX_SIDE', env.BYTEDROP_CONVERT_MAX_SIDE],
    maxPixels: ['BYTEDROP_CONVERT_MAX_PIXELS', env.BYTEDROP_CONVERT_MAX_PIXELS],
  });
}
