/**
 * Thumbnails on the server (issue 15), on s3rver: a WebP per size beside each image, made after the answer (the link
 * never waits for the encoder, nor shares the CPU with one while uploads run), none for other files, and an upload
 * that still succeeds whatever the thumbnail does:
 * a truncated JPEG, an encoder that cannot run, a full queue. An animated GIF gives its first frame.
 */
import { randomBytes } from 'node:crypto';
import {
  BytedropError,
  createUploader,
  type ImageEncoder,
  readImageSize,
  sniffContentType,
} from '@bytedrop/core';
import { createSharpEncoder } from '@bytedrop/core/node';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { pngBomb } from '../../core/test/_support/bomb';
import { makeImage, saved, scratch, tool } from '../../core/test/_support/images';
import { getBytes, headObject, inspector, s3Config } from '../../core/test/_support/s3';
import { createHandler } from '../src/handler';
import { createThumbnails, type ThumbnailOptions, thumbnailKey } from '../src/thumbnails';
import type { Logger } from '../src/types';
import { body, KEY, SECRET, uploadRequest } from './_support/fixtures';

let photo: Uint8Array<ArrayBuffer>;
let gif: Uint8Array<ArrayBuffer>;

beforeAll(async () => {
  const dir = await scratch();
  // 200 × 100 stored sideways (Orientation 6): upright it is 100 wide and 200 tall.
  const jpeg = await makeImage(
    dir,
    'photo.jpg',
    ['-size', '200x100', 'plasma:', '-seed', '3'],
    ['-Orientation#=6'],
  );
  photo = new Uint8Array(jpeg.bytes);
  const frames = ['-size', '80x40', 'xc:red', 'xc:blue', '-loop', '0', '-delay', '10'];
  gif = new Uint8Array((await makeImage(dir, 'anim.gif', frames)).bytes);
});

/** A handler on s3rver under a prefix of its own, thumbnails on, and what it logged at warn. */
function setup(options: Partial<ThumbnailOptions> = {}) {
  const s3 = inject('s3');
  const prefix = `thumbs-${randomBytes(4).toString('hex')}`;
  const uploader = createUploader(s3Config(s3, { keyTemplate: `${prefix}/{hash:16}.{ext}` }));
  const thumbnails = createThumbnails({ encoder: createSharpEncoder(), sizes: [64, 16], ...options });
  const warnings: Record<string, unknown>[] = [];
  const logger: Logger = { info() {}, error() {}, warn: (object) => warnings.push(object) };
  const handler = createHandler({
    uploader,
    keys: [{ name: 'alice', key: KEY }],
    secret: SECRET,
    thumbnails,
    logger,
  });
  const client = inspector(s3);
  const object = (key: string) => getBytes(client, s3.bucket, key).catch(() => undefined);
  return { s3, handler, thumbnails, warnings, object, client };
}

async function upload(
  handler: ReturnType<typeof setup>['handler'],
  name: string,
  bytes: Uint8Array<ArrayBuffer>,
) {
  const response = await handler(uploadRequest([{ name, body: bytes }]));
  expect(response.status).toBe(200);
  return (await body(response)).files[0]!;
}

describe('thumbnails on the server', () => {
  it('stores a WebP per size beside the image, upright, and answers its URL', async () => {
    const { s3, handler, thumbnails, object, client } = setup();
    const file = await upload(handler, 'photo.jpg', photo);
    expect(file.thumbnail).toBe(`${s3.endpoint}/${s3.bucket}/${thumbnailKey(file.key, 64)}`);
    await thumbnails.idle();
    for (const [side, width] of [
      [64, 32],
      [16, 8],
    ] as const) {
      const webp = (await object(thumbnailKey(file.key, side)))!;
      expect((await sniffContentType(webp, 'blob')).contentType).toBe('image/webp');
      expect(readImageSize(webp)).toMatchObject({ width, height: side });
    }
    const head = await headObject(client, s3.bucket, thumbnailKey(file.key, 64));
    expect(head?.ContentType).toBe('image/webp');
  });

  it('answers before the thumbnail is made: the link never waits for the encoder', async () => {
    let release!: () => void;
    const held = new Promise<void>((done) => (release = done));
    const sharpEncoder = createSharpEncoder();
    const encoder: ImageEncoder = {
      encode: async (input, request) => {
        await held;
        return sharpEncoder.encode(input, request);
      },
    };
    const { handler, thumbnails, object } = setup({ encoder, sizes: [32] });
    const file = await upload(handler, 'photo.jpg', photo);
    expect(await object(thumbnailKey(file.key, 32))).toBeUndefined();
    release();
    await thumbnails.idle();
    expect(await object(thumbnailKey(file.key, 32))).toBeDefined();
  });

  it('makes none for a file that is no image', async () => {
    const { handler, thumbnails, object } = setup();
    const file = await upload(handler, 'notes.txt', new TextEncoder().encode('just text'));
    expect(file.thumbnail).toBeUndefined();
    await thumbnails.idle();
    expect(await object(thumbnailKey(file.key, 64))).toBeUndefined();
  });

  it('a truncated JPEG is stored as it came, with no thumbnail and a warning', async () => {
    const { handler, thumbnails, warnings, object } = setup();
    const cut = photo.subarray(0, Math.floor(photo.byteLength * 0.6));
    const file = await upload(handler, 'cut.jpg', cut);
    await thumbnails.idle();
    expect(await object(file.key)).toBeDefined();
    expect(await object(thumbnailKey(file.key, 64))).toBeUndefined();
    expect(warnings).toContainEqual({ key: file.key, reason: 'undecodable' });
  });

  it('a JPEG cut before its size is stored as it came, with no thumbnail URL in the answer', async () => {
    const { handler, thumbnails, warnings, object } = setup();
    const cut = photo.subarray(0, 20);
    expect(readImageSize(cut)).toBeUndefined();
    const file = await upload(handler, 'headless.jpg', cut);
    expect(file.contentType).toBe('image/jpeg');
    expect(file.thumbnail).toBeUndefined();
    await thumbnails.idle();
    expect(await object(file.key)).toBeDefined();
    expect(warnings).toContainEqual({ key: file.key, reason: 'undecodable' });
  });

  it('a PNG bomb (50,000 × 50,000 in a few hundred bytes) is stored, never decoded: no thumbnail, a warning', async () => {
    const sharpEncoder = createSharpEncoder();
    let encoded = 0;
    const encoder: ImageEncoder = {
      encode: (input, request) => {
        encoded++;
        return sharpEncoder.encode(input, request);
      },
    };
    const { handler, thumbnails, warnings, object } = setup({ encoder });
    const file = await upload(handler, 'bomb.png', pngBomb());
    // No link to a thumbnail that will never be made.
    expect(file.thumbnail).toBeUndefined();
    await thumbnails.idle();
    expect(await object(file.key)).toBeDefined();
    expect(await object(thumbnailKey(file.key, 64))).toBeUndefined();
    expect(warnings).toContainEqual({ key: file.key, reason: 'too-many-pixels' });
    expect(encoded).toBe(0);
  });

  it('an animated GIF gets a thumbnail of its first frame', async () => {
    const { handler, thumbnails, object } = setup();
    const file = await upload(handler, 'anim.gif', gif);
    await thumbnails.idle();
    const webp = (await object(thumbnailKey(file.key, 64)))!;
    expect(readImageSize(webp)).toMatchObject({ width: 64, height: 32 });
    // ImageMagick reads the centre pixel: red, not the second frame's blue.
    const path = await saved(await scratch(), 'thumb.webp', webp);
    const pixel = (await tool('convert', [path, '-format', '%[pixel:p{32,16}]', 'info:'])).toString();
    expect(pixel).toMatch(/^s?rgba?\(2[45]\d,[0-9],[0-9]/);
  });

  it('waits while an upload is under way, and starts once none is: no encoder competes with an upload', async () => {
    const { handler, thumbnails, object } = setup({ sizes: [32] });
    const another = thumbnails.uploading(); // another client's upload, still sending
    const file = await upload(handler, 'photo.jpg', photo);
    // Past the turn the queue would have started it on (set before the answer went out): it still waits.
    await new Promise((done) => setTimeout(done, 0));
    expect(thumbnails.waiting()).toBe(1);
    expect(await object(thumbnailKey(file.key, 32))).toBeUndefined();
    another();
    another(); // a second call changes nothing
    await thumbnails.idle();
    expect(await object(thumbnailKey(file.key, 32))).toBeDefined();
  });

  it('makes it while uploads run once it has waited maxWaitMs, so a busy server still makes thumbnails', async () => {
    const { handler, thumbnails, object } = setup({ sizes: [32], maxWaitMs: 0 });
    const another = thumbnails.uploading();
    const file = await upload(handler, 'photo.jpg', photo);
    await thumbnails.idle();
    expect(await object(thumbnailKey(file.key, 32))).toBeDefined();
    another();
  });

  it('an encoder that cannot run (sharp missing) fails the thumbnail, never the upload', async () => {
    const encoder: ImageEncoder = {
      encode: async () => {
        throw new BytedropError('ERR_IMAGE', 'image conversion needs sharp, which could not be loaded');
      },
    };
    const { handler, thumbnails, warnings, object } = setup({ encoder });
    const file = await upload(handler, 'photo.jpg', photo);
    await thumbnails.idle();
    expect(await object(file.key)).toBeDefined();
    expect(warnings).toContainEqual(
      expect.objectContaining({ key: file.key, err: expect.any(BytedropError) }),
    );
  });

  it('a full queue drops the thumbnail with a warning naming --backfill, and the upload succeeds', async () => {
    let release!: () => void;
    const held = new Promise<void>((done) => (release = done));
    const encoder: ImageEncoder = { encode: () => held.then(() => new Uint8Array([1])) };
    const { handler, thumbnails, warnings } = setup({ encoder, concurrency: 1, maxQueued: 0 });
    await upload(handler, 'a.jpg', photo); // running: the queue holds nothing else
    const second = await upload(handler, 'b.gif', gif);
    expect(warnings).toContainEqual({ key: second.key });
    release();
    await thumbnails.idle();
  });
});

describe('createThumbnails settings', () => {
  it('refuses sizes and quality it cannot use, naming them', () => {
    const encoder = createSharpEncoder();
    expect(() => createThumbnails({ encoder, sizes: [] })).toThrow(/sizes is empty/);
    expect(() => createThumbnails({ encoder, sizes: [0] })).toThrow(/size 0 is not a whole number/);
    expect(() => createThumbnails({ encoder, quality: 101 })).toThrow(/quality 101/);
    expect(() => createThumbnails({ encoder, maxWaitMs: -1 })).toThrow(/maxWaitMs -1 is not a whole number/);
  });
});
