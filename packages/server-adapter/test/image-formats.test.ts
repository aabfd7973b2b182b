/**
 * Bad input for conversion and thumbnails (issue 15), on s3rver with `BYTEDROP_CONVERT=webp` and thumbnails on: a
 * HEIC from an iPhone (ImageMagick's libheif writes it, exiftool adds Apple's tags and a GPS position) and an APNG
 * (built here: ImageMagick writes APNG only through ffmpeg). Neither can be converted, so each is stored as it came,
 * with `conversionSkipped` saying why (the HEIC without its location: stripping blanks its EXIF); the APNG's thumbnail is its first frame, the HEIC gets none (sharp's prebuilt
 * libvips reads no HEIC).
 */
import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { createUploader, readImageSize } from '@bytedrop/core';
import { conversionFromEnv, createSharpEncoder } from '@bytedrop/core/node';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { exifTags, makeImage, saved, scratch, tool } from '../../core/test/_support/images';
import { getBytes, inspector, s3Config } from '../../core/test/_support/s3';
import { createHandler } from '../src/handler';
import { createThumbnails, thumbnailKey } from '../src/thumbnails';
import { body, KEY, ORIGIN, SECRET } from './_support/fixtures';

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.byteLength);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** A two-frame APNG, 8 × 4: red, then blue. */
function apng(): Buffer {
  const [width, height] = [8, 4];
  const frame = (rgb: number[]) => {
    const row = [0, ...Array.from({ length: width }, () => rgb).flat()];
    return deflateSync(Buffer.from(Array.from({ length: height }, () => row).flat()));
  };
  const u32 = (...values: number[]) => {
    const out = Buffer.alloc(values.length * 4);
    for (const [index, value] of values.entries()) out.writeUInt32BE(value, index * 4);
    return out;
  };
  // fcTL: sequence, width, height, x, y, then delay 1/10 s, dispose and blend ops 0.
  const control = (sequence: number) =>
    Buffer.concat([u32(sequence, width, height, 0, 0), Buffer.from([0, 1, 0, 10, 0, 0])]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', Buffer.concat([u32(width, height), Buffer.from([8, 2, 0, 0, 0])])),
    chunk('acTL', u32(2, 0)),
    chunk('fcTL', control(0)),
    chunk('IDAT', frame([255, 0, 0])),
    chunk('fcTL', control(1)),
    chunk('fdAT', Buffer.concat([u32(2), frame([0, 0, 255])])),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

let heic: Buffer;

beforeAll(async () => {
  heic = (
    await makeImage(
      await scratch(),
      'IMG_0001.heic',
      ['-size', '64x48', 'plasma:', '-seed', '4', '-quality', '50'],
      ['-Make=Apple', '-Model=iPhone 15', '-GPSLatitude=48.8584', '-GPSLatitudeRef=N'],
    )
  ).bytes;
});

function setup() {
  const s3 = inject('s3');
  const prefix = `formats-${randomBytes(4).toString('hex')}`;
  const convert = conversionFromEnv({ BYTEDROP_CONVERT: 'webp' });
  const uploader = createUploader(s3Config(s3, { keyTemplate: `${prefix}/{hash:16}.{ext}` }), {
    ...(convert ? { convert } : {}),
  });
  const thumbnails = createThumbnails({ encoder: createSharpEncoder(), sizes: [8] });
  const handler = createHandler({
    uploader,
    keys: [{ name: 'alice', key: KEY }],
    secret: SECRET,
    thumbnails,
  });
  const put = async (name: string, bytes: Uint8Array<ArrayBuffer>) => {
    const response = await handler(
      new Request(`${ORIGIN}/upload/${name}`, {
        method: 'PUT',
        body: bytes,
        headers: { authorization: `Bearer ${KEY}` },
      }),
    );
    expect(response.status).toBe(200);
    return (await body(response)).files[0]!;
  };
  const stored = (key: string) => getBytes(inspector(s3), s3.bucket, key).catch(() => undefined);
  return { put, stored, thumbnails };
}

describe('images that cannot be converted', () => {
  it('a HEIC from an iPhone is stored without its location, conversion skipped (format), and gets no thumbnail', async () => {
    const { put, stored, thumbnails } = setup();
    expect(heic.subarray(4, 12).toString('latin1')).toBe('ftypheic');
    const file = await put('IMG_0001.HEIC', new Uint8Array(heic));
    expect(file).toMatchObject({
      contentType: 'image/heic',
      conversionSkipped: 'format',
      stripped: ['gps', 'exif'],
      size: heic.byteLength,
    });
    expect(file.metadataKept).toBeUndefined();
    expect(file.thumbnail).toBeUndefined();
    // Blanked in place (core's HEIF walker): the same length, and exiftool finds no camera or location in it.
    const kept = (await stored(file.key))!;
    expect(kept.byteLength).toBe(heic.byteLength);
    const tags = JSON.stringify(await exifTags(await saved(await scratch(), 'stored.heic', kept)));
    expect(tags).not.toMatch(/GPS|iPhone|Apple/);
    await thumbnails.idle();
    expect(await stored(thumbnailKey(file.key, 8))).toBeUndefined();
  });

  it('an APNG keeps its animation (conversion skipped: animated), and its thumbnail is the first frame', async () => {
    const { put, stored, thumbnails } = setup();
    const bytes = new Uint8Array(apng());
    const file = await put('spinner.png', bytes);
    expect(file).toMatchObject({ conversionSkipped: 'animated', width: 8, height: 4 });
    expect(Buffer.from((await stored(file.key))!).equals(bytes)).toBe(true);
    await thumbnails.idle();
    const webp = (await stored(thumbnailKey(file.key, 8)))!;
    expect(readImageSize(webp)).toMatchObject({ width: 8, height: 4 });
    const path = await saved(await scratch(), 'first.webp', webp);
    const pixel = (await tool('convert', [path, '-format', '%[pixel:p{4,2}]', 'info:'])).toString();
    expect(pixel).toMatch(/^s?rgba?\(2[45]\d,[0-9],[0-9]/); // red: the first frame
  });
});
