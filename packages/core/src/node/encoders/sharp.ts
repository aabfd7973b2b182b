/**
 * The Node encoder: sharp (libvips), an optional dependency loaded on first use, so hosts that never convert never
 * load it, and an install without it fails only when conversion is asked for.
 */
import { BytedropError } from '../../errors';
import type { EncodeRequest, ImageEncoder } from '../../image-encoder';

type Sharp = typeof import('sharp').default;

let loading: Promise<Sharp> | undefined;

/** sharp, imported once; `ERR_IMAGE` with the install command when it is missing or its binary does not load. */
function loadSharp(): Promise<Sharp> {
  loading ??= import('sharp').then(
    (module) => module.default,
    (error: unknown) => {
      loading = undefined;
      throw new BytedropError(
        'ERR_IMAGE',
        `image conversion needs sharp, which could not be loaded (${(error as Error).message}): install it next to Bytedrop (npm install sharp), or turn conversion off`,
        { cause: error },
      );
    },
  );
  return loading;
}

/**
 * An `ImageEncoder` backed by sharp: turns the image upright by its EXIF orientation, scales it down to `maxSide`
 * (never up), converts it to sRGB and encodes WebP or AVIF at the quality asked. Metadata is dropped unless
 * `keepMetadata`. Decoding stops at `maxPixels` (sharp's `limitInputPixels`), and only the first frame is read: core
 * never sends it an animation.
 *
 * @example
 * ```ts
 * import { createSharpEncoder } from '@bytedrop/core/node';
 * const uploader = createUploader(config, { convert: { encoder: createSharpEncoder(), format: 'webp', quality: 80 } });
 * ```
 */
export function createSharpEncoder(): ImageEncoder {
  return {
    async encode(input: Uint8Array, request: EncodeRequest): Promise<Uint8Array> {
      const sharp = await loadSharp();
      let image = sharp(input, { limitInputPixels: request.maxPixels }).rotate();
      if (request.maxSide !== undefined) {
        image = image.resize(request.maxSide, request.maxSide, { fit: 'inside', withoutEnlargement: true });
      }
      if (request.keepMetadata) image = image.keepMetadata();
      image =
        request.format === 'avif'
          ? image.avif({ quality: request.quality })
          : image.webp({ quality: request.quality });
      return new Uint8Array(await image.toBuffer());
    },
  };
}
