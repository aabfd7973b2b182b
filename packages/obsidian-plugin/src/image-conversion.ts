/**
 * Image conversion in Obsidian (desktop and mobile): the platform's canvas encoder from core, with a fallback for
 * what a platform cannot encode. Chromium (desktop, Android) encodes WebP but not AVIF; iOS may encode neither. AVIF
 * falls back to WebP, and when neither works the image is uploaded as it is. Each fallback is said once per session
 * in a notice, so a setting that cannot take effect here never goes unnoticed.
 *
 * "Keep image metadata" wins over it on the device: the canvas drops every tag, so an image whose metadata the user
 * keeps is uploaded exactly as it is, as that setting says (both settings' descriptions say so). An image that could
 * not be converted (undecodable, or declaring more pixels than the limit) is uploaded as it is, with a notice.
 */
import {
  type ConversionSkipped,
  createCanvasEncoder,
  type ImageConversion,
  type ImageEncoder,
  type ImageFormat,
  isBytedropError,
  type Uploader,
  unconvertedReason,
} from '@bytedrop/core';
import { SETTING } from './setting-names';
import type { BytedropSettings } from './settings';

/** Formats tried for each setting, in order. */
const TRIED: Readonly<Record<ImageFormat, readonly ImageFormat[]>> = {
  avif: ['avif', 'webp'],
  webp: ['webp'],
};

/**
 * `base` (the canvas encoder by default), trying the next format when this device cannot encode one, and giving the
 * input back (core then keeps the original) when it can encode none. `notify` is called once per format lost.
 */
export function fallbackEncoder(
  notify: (message: string) => void,
  base: ImageEncoder = createCanvasEncoder(),
): ImageEncoder {
  const unavailable = new Set<ImageFormat>();
  return {
    async encode(input, request) {
      for (const format of TRIED[request.format]) {
        if (unavailable.has(format)) continue;
        try {
          return await base.encode(input, { ...request, format });
        } catch (error) {
          if (!isBytedropError(error, 'ERR_IMAGE')) throw error;
          unavailable.add(format);
          const next = TRIED[request.format].find((other) => !unavailable.has(other));
          notify(
            `Bytedrop: this device cannot encode ${format.toUpperCase()} images; ${
              next ? `converting to ${next.toUpperCase()} instead` : 'uploading images unconverted'
            }. Change “${SETTING.convertImages}” in Bytedrop’s settings to hide this.`,
          );
        }
      }
      return input;
    },
  };
}

/** Core's `convert` option for an S3 target, or undefined when conversion is off. */
export function canvasConversion(
  settings: BytedropSettings,
  notify: (message: string) => void,
): ImageConversion | undefined {
  if (settings.convertImages === 'off' || settings.keepMetadata) return undefined;
  return {
    encoder: fallbackEncoder(notify),
    format: settings.convertImages,
    quality: settings.convertQuality,
    ...(settings.convertMaxSide > 0 ? { maxSide: settings.convertMaxSide } : {}),
  };
}

/** What a server target is asked for (its `convert` header); off asks for nothing, leaving the server's default. */
export function serverConversion(
  settings: BytedropSettings,
): { format: ImageFormat; quality: number; maxSide?: number } | undefined {
  if (settings.convertImages === 'off') return undefined;
  return {
    format: settings.convertImages,
    quality: settings.convertQuality,
    ...(settings.convertMaxSide > 0 ? { maxSide: settings.convertMaxSide } : {}),
  };
}

/** The reasons worth a notice: the user asked for a conversion that could not be done (an animation kept is not). */
const NOTICED: ReadonlySet<ConversionSkipped> = new Set(['undecodable', 'too-many-pixels']);

/**
 * `uploader` whose uploads say in a notice when an image conversion was asked for could not be done: the file was
 * uploaded as it is, and the user who turned conversion on should know. The uploader's other parts stay as they are.
 *
 * @example
 * ```ts
 * const uploader = withConversionNotices(createUploader(config, options), (message) => new Notice(message));
 * ```
 */
export function withConversionNotices(uploader: Uploader, notify: (message: string) => void): Uploader {
  return {
    ...uploader,
    async upload(body, options) {
      const result = await uploader.upload(body, options);
      const skipped = result.conversionSkipped;
      const why = skipped && NOTICED.has(skipped) ? unconvertedReason(skipped) : undefined;
      if (why) notify(`Bytedrop: ${result.filename} was uploaded unconverted: ${why}.`);
      return result;
    },
  };
}
