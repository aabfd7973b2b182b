/**
 * Optional conversion with sharp, through the whole pipeline to a real S3 (s3rver): converted before hashing (key,
 * type and filename name the WebP/AVIF stored), upright, scaled to maxSide; left alone when animated, too large in
 * pixels (a PNG bomb is never decoded), undecodable or larger; a re-paste is not encoded again.
 */
import { fileTypeFromBuffer } from 'file-type';
import { beforeAll, describe, expect, it } from 'vitest';
import { isBytedropError } from '../../src/errors';
import type { EncodeRequest, ImageConversion, ImageEncoder } from '../../src/image-encoder';
import { readImageSize, STRIP_MAX_BYTES } from '../../src/images';
import { createSharpEncoder } from '../../src/node/encoders/sharp';
import { createUploader } from '../../src/uploader';
import { pngBomb } from '../_support/bomb';
import { exifTags, makeImage, PRIVATE_TAGS, saved, scratch } from '../_support/images';
import { useOwnS3rver } from '../_support/own-s3rver';
import { getBytes, inspector, iterable, MiB, s3Config, sameBytes } from '../_support/s3';

const s3 = useOwnS3rver();
let dir: string;
let photo: Uint8Array;

beforeAll(async () => {
  dir = await scratch();
  photo = new Uint8Array(
    (
      await makeImage(
        dir,
        'photo.jpg',
        ['-size', '300x200', 'plasma:', '-seed', '3'],
        [...PRIVATE_TAGS, '-Orientation#=6'],
      )
    ).bytes,
  );
});

/** sharp, counting the images it is asked to encode. */
function counted(encoder: ImageEncoder = createSharpEncoder()): ImageEncoder & { calls: EncodeRequest[] } {
  const calls: EncodeRequest[] = [];
  return {
    calls,
    encode(input, request) {
      calls.push(request);
      return encoder.encode(input, request);
    },
  };
}

function uploader(convert: Partial<ImageConversion> & { encoder: ImageEncoder }, prefix: string) {
  return createUploader(s3Config(s3, { keyTemplate: `${prefix}/{name}-{hash:16}.{ext}` }), { convert });
}

/** The frames of an animated WebP (ANMF chunks). */
const frameCount = (webp: Uint8Array) => Buffer.from(webp).toString('latin1').split('ANMF').length - 1;

const stored = (key: string) => getBytes(inspector(s3), s3.bucket, key);

describe('conversion with sharp', () => {
  it('a phone photo becomes an upright WebP without its metadata: key, type, filename and size say so', async () => {
    const result = await uploader({ encoder: createSharpEncoder(), quality: 75 }, 'webp').upload(photo, {
      filename: 'photo.jpg',
    });
    const bytes = await stored(result.key);
    expect(result).toMatchObject({
      contentType: 'image/webp',
      filename: 'photo.webp',
      width: 200,
      height: 300,
      converted: { from: 'image/jpeg' },
      size: bytes.byteLength,
    });
    expect(result.key).toMatch(/^webp\/photo-[0-9a-f]{16}\.webp$/);
    expect((await fileTypeFromBuffer(bytes))?.mime).toBe('image/webp');
    // Upright in its pixels, with no orientation left to apply twice.
    expect(readImageSize(bytes)).toEqual({ width: 200, height: 300 });
    const tags = await exifTags(await saved(dir, 'converted.webp', bytes));
    expect(Object.keys(tags).filter((tag) => /GPS|Make|Serial|Creator|City|Orientation/.test(tag))).toEqual(
      [],
    );
  });

  it('maxSide scales the longest side down (never up); AVIF per upload; convert: false stores the JPEG', async () => {
    const up = uploader({ encoder: createSharpEncoder(), maxSide: 120 }, 'side');
    expect(await up.upload(photo, { filename: 'a.jpg' })).toMatchObject({ width: 80, height: 120 });
    const avif = await up.upload(photo, { filename: 'b.jpg', convert: { format: 'avif', maxSide: 1000 } });
    expect(avif).toMatchObject({ contentType: 'image/avif', width: 200, height: 300 });
    expect((await fileTypeFromBuffer(await stored(avif.key)))?.mime).toBe('image/avif');
    const jpeg = await up.upload(photo, { filename: 'c.jpg', convert: false });
    expect(jpeg).toMatchObject({ contentType: 'image/jpeg', stripped: ['gps', 'exif', 'xmp', 'iptc'] });
    expect(jpeg.converted).toBeUndefined();
  });

  it('a one-shot stream is held and converted even with metadata kept; one above STRIP_MAX_BYTES says it was not', async () => {
    const up = createUploader(
      s3Config(s3, { keyTemplate: 'stream/{hash}.{ext}', multipartThreshold: 1024 }),
      {
        convert: { encoder: createSharpEncoder() },
      },
    );
    const kept = await up.upload(iterable(photo, 512), { filename: 's.jpg', stripMetadata: false });
    expect(kept).toMatchObject({ contentType: 'image/webp', converted: { from: 'image/jpeg' } });
    const big = new Uint8Array(STRIP_MAX_BYTES + 1024);
    big.set(photo);
    for (const body of [big, iterable(big, MiB)]) {
      const result = await up.upload(body, { filename: 'huge.jpg' });
      expect(result).toMatchObject({ conversionSkipped: 'too-large', contentType: 'image/jpeg' });
    }
  });

  it('with stripMetadata: false the WebP keeps the metadata, its orientation reset (the pixels are upright)', async () => {
    const up = uploader({ encoder: createSharpEncoder() }, 'keep');
    const result = await up.upload(photo, { filename: 'keep.jpg', stripMetadata: false });
    const tags = await exifTags(await saved(dir, 'kept.webp', await stored(result.key)));
    expect(result).toMatchObject({ contentType: 'image/webp', width: 200, height: 300 });
    expect(tags['GPS:GPSLatitude']).toBeCloseTo(48.8584);
    expect(tags['IFD0:Orientation']).toBe(1);
  });

  it('a re-paste of the same photo is not encoded again: same key, deduplicated', async () => {
    const encoder = counted();
    const up = uploader({ encoder }, 'again');
    const first = await up.upload(photo, { filename: 'shot.jpg' });
    const second = await up.upload(new Blob([photo as Uint8Array<ArrayBuffer>]), { filename: 'shot.jpg' });
    expect(encoder.calls).toHaveLength(1);
    expect(second).toMatchObject({ key: first.key, deduplicated: true, contentType: 'image/webp' });
  });

  it('the 16-bit PNG and the CMYK JPEG convert like any other', async () => {
    const deep = await makeImage(dir, 'deep.png', ['-size', '64x48', 'gradient:red-blue'], [], {
      format: 'png48',
    });
    const cmyk = await makeImage(dir, 'cmyk.jpg', ['-size', '64x48', 'plasma:', '-colorspace', 'CMYK']);
    const up = uploader({ encoder: createSharpEncoder() }, 'deep');
    for (const [made, from] of [
      [deep, 'image/png'],
      [cmyk, 'image/jpeg'],
    ] as const) {
      const result = await up.upload(made.bytes, { filename: 'x' });
      expect(result).toMatchObject({ contentType: 'image/webp', width: 64, height: 48, converted: { from } });
    }
  });
});

describe('images conversion leaves alone are stored as they came, never lost', () => {
  it('a PNG bomb (50,000 × 50,000 in a few hundred bytes) is refused before decoding, with or without sharp', async () => {
    const bomb = pngBomb();
    expect(bomb.byteLength).toBeLessThan(10_000);
    const plain = await createUploader(s3Config(s3, { keyTemplate: 'bomb/{hash}.{ext}' })).upload(bomb, {
      filename: 'bomb.png',
    });
    expect(plain).toMatchObject({ width: 50_000, height: 50_000, contentType: 'image/png' });
    const encoder = counted();
    const result = await uploader({ encoder }, 'bomb').upload(bomb, { filename: 'bomb.png' });
    expect(result).toMatchObject({ conversionSkipped: 'too-many-pixels', contentType: 'image/png' });
    expect(encoder.calls).toEqual([]);
    expect(sameBytes(await stored(result.key), bomb)).toBe(true);
    // sharp refuses it too, should an encoder be asked anyway.
    const direct = createSharpEncoder().encode(bomb, { ...REQUEST, maxPixels: 100_000_000 });
    await expect(direct).rejects.toThrow(/pixel limit/i);
  });

  it('animated GIF and WebP keep their frames; SVG is not touched', async () => {
    const frames = ['-delay', '10', '-size', '24x24', 'xc:red', 'xc:blue'];
    const gif = await makeImage(dir, 'anim.gif', frames);
    const webp = await makeImage(dir, 'anim.webp', frames);
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"/>');
    const encoder = counted();
    const up = uploader({ encoder }, 'anim');
    for (const [bytes, name, skipped] of [
      [gif.bytes, 'anim.gif', 'animated'],
      [svg, 'x.svg', 'format'],
    ] as const) {
      const result = await up.upload(bytes, { filename: name });
      expect(result.conversionSkipped).toBe(skipped);
      expect(sameBytes(await stored(result.key), bytes)).toBe(true);
    }
    // The WebP is stripped (ImageMagick wrote metadata in it) but keeps both frames.
    const animated = await up.upload(webp.bytes, { filename: 'anim.webp' });
    expect(animated).toMatchObject({ conversionSkipped: 'animated', contentType: 'image/webp' });
    expect(frameCount(await stored(animated.key))).toBe(2);
    expect(encoder.calls).toEqual([]);
  });

  it('a truncated JPEG, a corrupt PNG and a 0-byte image are stored unconverted (stripped), saying why', async () => {
    const up = uploader({ encoder: createSharpEncoder() }, 'broken');
    const cut = await up.upload(photo.slice(0, photo.byteLength - 3000), { filename: 'cut.jpg' });
    expect(cut).toMatchObject({ conversionSkipped: 'undecodable', contentType: 'image/jpeg' });
    expect(cut.stripped).toContain('gps');
    const png = (await makeImage(dir, 'ok.png', ['-size', '40x40', 'plasma:'])).bytes;
    const idat = png.indexOf('IDAT');
    png.fill(0x55, idat + 8, idat + 40);
    expect((await up.upload(png, { filename: 'corrupt.png' })).conversionSkipped).toBe('undecodable');
    const empty = await up.upload(new Uint8Array(0), { filename: 'empty.png' });
    expect(empty).toMatchObject({ size: 0, conversionSkipped: 'undecodable' });
  });

  it('a conversion that is not smaller keeps the original', async () => {
    const sharp = createSharpEncoder();
    const larger: ImageEncoder = {
      encode: async (input, request) => {
        const webp = await sharp.encode(input, request);
        const padded = new Uint8Array(input.byteLength + 1);
        padded.set(webp);
        return padded;
      },
    };
    const result = await uploader({ encoder: larger }, 'larger').upload(photo, { filename: 'big.jpg' });
    expect(result).toMatchObject({ conversionSkipped: 'larger', contentType: 'image/jpeg' });
    expect(result.stripped).toContain('gps');
  });

  it('the type stored is the one the encoder made (a fallback), and not an image it cannot name', async () => {
    const sharp = createSharpEncoder();
    const fallback: ImageEncoder = {
      encode: (input, request) => sharp.encode(input, { ...request, format: 'webp' }),
    };
    const asked = await uploader({ encoder: fallback, format: 'avif' }, 'fallback').upload(photo, {
      filename: 'f.jpg',
    });
    expect(asked).toMatchObject({ contentType: 'image/webp', filename: 'f.webp' });
    const echo: ImageEncoder = { encode: async (input) => input.slice(0, 100) };
    const kept = await uploader({ encoder: echo }, 'echo').upload(photo, { filename: 'e.jpg' });
    expect(kept).toMatchObject({ conversionSkipped: 'undecodable', contentType: 'image/jpeg' });
  });
});

describe('conversion that cannot be done', () => {
  it('an encoder that cannot encode the format fails the upload with ERR_IMAGE, storing nothing', async () => {
    const { createCanvasEncoder } = await import('../../src/encoders/canvas');
    const error = await uploader({ encoder: createCanvasEncoder({}) }, 'nocanvas')
      .upload(photo, { filename: 'p.jpg' })
      .catch((e: unknown) => e);
    expect(isBytedropError(error, 'ERR_IMAGE')).toBe(true);
    expect((error as Error).message).toMatch(/cannot encode WEBP.*turn image conversion off/);
  });

  it('asking an uploader without an encoder to convert is ERR_IMAGE, not silently ignored', async () => {
    const plain = createUploader(s3Config(s3, { keyTemplate: 'plain/{hash}.{ext}' }));
    const error = await plain
      .upload(photo, { filename: 'p.jpg', convert: { format: 'avif' } })
      .catch((e) => e);
    expect(isBytedropError(error, 'ERR_IMAGE')).toBe(true);
    expect((error as Error).message).toMatch(/BYTEDROP_CONVERT=webp/);
    expect((await plain.upload(photo, { filename: 'p.jpg', convert: false })).contentType).toBe('image/jpeg');
  });

  it('bad settings are ERR_CONFIG naming the field', () => {
    const encoder = createSharpEncoder();
    for (const [convert, field] of [
      [{ encoder, quality: 0 }, 'quality'],
      [{ encoder, format: 'gif' }, 'format'],
      [{ encoder, maxSide: -1 }, 'maxSide'],
      [{ encoder: {} }, 'encoder'],
    ] as const) {
      expect(() => uploader(convert as ImageConversion, 'x')).toThrow(new RegExp(`convert\\.${field}`));
    }
  });
});

const REQUEST: EncodeRequest = {
  contentType: 'image/png',
  format: 'webp',
  quality: 80,
  maxSide: undefined,
  maxPixels: 1,
  keepMetadata: false,
};
