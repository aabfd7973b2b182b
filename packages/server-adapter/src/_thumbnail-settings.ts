/**
 * The server's thumbnail settings from its environment (or the config file's `server` object):
 * `BYTEDROP_THUMBNAILS` (longest sides in px, comma-separated, default `320`; `off` makes none) and
 * `BYTEDROP_THUMBNAIL_QUALITY` (WebP quality, default 75). sharp encodes them, through core's encoder.
 */
import { BytedropError } from '@bytedrop/core';
import { createSharpEncoder } from '@bytedrop/core/node';
import { createThumbnails, type Thumbnails } from './thumbnails';

const OFF = new Set(['off', 'none', 'false', 'no', '0']);

function whole(name: string, text: string, most: number, example: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > most) {
    throw new BytedropError(
      'ERR_CONFIG',
      `${name} '${text}' is not valid: use whole numbers from 1 to ${most}, e.g. ${example}`,
    );
  }
  return value;
}

/**
 * Thumbnails as configured, or undefined when `BYTEDROP_THUMBNAILS` is off. `ERR_CONFIG` names a bad value.
 *
 * @example
 * ```ts
 * thumbnailsFromEnv({ BYTEDROP_THUMBNAILS: '320,640' })?.sizes; // [320, 640]
 * ```
 */
export function thumbnailsFromEnv(env: Record<string, string | undefined>): Thumbnails | undefined {
  const sizesText = (env.BYTEDROP_THUMBNAILS ?? '320').trim().toLowerCase();
  const qualityText = env.BYTEDROP_THUMBNAIL_QUALITY?.trim();
  if (OFF.has(sizesText) || sizesText === '') {
    if (qualityText) {
      throw new BytedropError(
        'ERR_CONFIG',
        'BYTEDROP_THUMBNAIL_QUALITY has no effect while BYTEDROP_THUMBNAILS is off: unset it, or set BYTEDROP_THUMBNAILS=320',
      );
    }
    return undefined;
  }
  const sizes = sizesText
    .split(',')
    .map((size) => whole('BYTEDROP_THUMBNAILS', size.trim(), 10_000, '320 or 320,640 (or off)'));
  return createThumbnails({
    encoder: createSharpEncoder(),
    sizes,
    ...(qualityText ? { quality: whole('BYTEDROP_THUMBNAIL_QUALITY', qualityText, 100, '75') } : {}),
  });
}
