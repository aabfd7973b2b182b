/**
 * The platform's own encoder (browsers, Obsidian desktop and mobile): `createImageBitmap` decodes and turns the image
 * upright, an `OffscreenCanvas` scales it and `convertToBlob` encodes it. No code is shipped for the codec itself,
 * so what can be encoded depends on the platform: Chromium encodes WebP but not AVIF, Safari may encode neither and
 * silently hands back a PNG, which is detected and reported as `ERR_IMAGE`.
 */
import { BytedropError } from '../errors';
import type { EncodeRequest, ImageEncoder, ImageFormat } from '../image-encoder';

/** What the platform must offer; passed in tests, `globalThis` otherwise. */
export interface CanvasPlatform {
  createImageBitmap?: (image: Blob, options?: ImageBitmapOptions) => Promise<ImageBitmap>;
  OffscreenCanvas?: new (width: number, height: number) => OffscreenCanvas;
}

function unsupported(format: ImageFormat, why: string): BytedropError {
  return new BytedropError(
    'ERR_IMAGE',
    `this device cannot encode ${format.toUpperCase()} images (${why}): choose another format or turn image conversion off`,
  );
}

/** The width and height after scaling the longest side down to `maxSide` (never up). */
function scaled(width: number, height: number, maxSide: number | undefined): [number, number] {
  const longest = Math.max(width, height);
  if (maxSide === undefined || longest <= maxSide) return [width, height];
  const factor = maxSide / longest;
  return [Math.max(1, Math.round(width * factor)), Math.max(1, Math.round(height * factor))];
}

/**
 * An `ImageEncoder` using the platform's canvas. Metadata never survives a canvas (`keepMetadata` cannot be honoured),
 * and the colour profile is the canvas's (sRGB). `ERR_IMAGE` when the platform has no `OffscreenCanvas` or cannot
 * encode the format; a file it cannot decode fails with the platform's own error (stored as it came).
 *
 * @example
 * ```ts
 * const encoder = createCanvasEncoder();
 * if (await canEncode(encoder, 'webp')) createUploader(config, { convert: { encoder, format: 'webp' } });
 * ```
 */
export function createCanvasEncoder(platform: CanvasPlatform = globalThis as CanvasPlatform): ImageEncoder {
  return {
    async encode(input: Uint8Array, request: EncodeRequest): Promise<Uint8Array> {
      const { createImageBitmap: decode, OffscreenCanvas: Canvas } = platform;
      if (typeof decode !== 'function' || typeof Canvas !== 'function') {
        throw unsupported(request.format, 'no OffscreenCanvas or createImageBitmap');
      }
      const blob = new Blob([input as Uint8Array<ArrayBuffer>], { type: request.contentType });
      const bitmap = await decode(blob, { imageOrientation: 'from-image' });
      try {
        const [width, height] = scaled(bitmap.width, bitmap.height, request.maxSide);
        if (width * height > request.maxPixels) throw new Error('image too large to draw');
        const canvas = new Canvas(width, height);
        const context = canvas.getContext('2d');
        if (!context) throw unsupported(request.format, 'no 2D canvas');
        context.imageSmoothingQuality = 'high';
        context.drawImage(bitmap, 0, 0, width, height);
        const type = `image/${request.format}`;
        const encoded = await canvas.convertToBlob({ type, quality: request.quality / 100 });
        // A platform that cannot encode the type gives a PNG instead of failing.
        if (encoded.type !== type)
          throw unsupported(request.format, `the canvas gave ${encoded.type || 'nothing'}`);
        return new Uint8Array(await encoded.arrayBuffer());
      } finally {
        bitmap.close();
      }
    },
  };
}

/**
 * True when `encoder` can encode `format` here: it is asked to encode a 1×1 image. Settings tabs use it to say at once
 * that a format is not available, instead of at the first paste.
 *
 * @example
 * ```ts
 * if (!(await canEncode(createCanvasEncoder(), 'avif'))) notice('AVIF cannot be encoded on this device: WebP is used');
 * ```
 */
export async function canEncode(encoder: ImageEncoder, format: ImageFormat): Promise<boolean> {
  try {
    await encoder.encode(ONE_PIXEL_PNG, {
      contentType: 'image/png',
      format,
      quality: 80,
      maxSide: undefined,
      maxPixels: 1,
      keepMetadata: false,
    });
    return true;
  } catch {
    return false;
  }
}

/** A 1×1 PNG, for `canEncode` (bytes, not base64: `atob` is not in every realm core runs in). */
const ONE_PIXEL_PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
  0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
  0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0xf8, 0xcf, 0x50, 0x0f, 0x00, 0x03, 0x86, 0x01, 0x80,
  0x5a, 0x34, 0x7d, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
]);
