/**
 * Image conversion on the server: `BYTEDROP_CONVERT` (and its quality and size) turns it on for every upload, a
 * `convert` header changes it per request (off, another format, quality, max-side). A request for a conversion the
 * server cannot do is a 422 ERR_IMAGE, a header it cannot read a 400 naming the fix.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServerUploader, createUploader, isBytedropError, sniffContentType } from '@bytedrop/core';
import { conversionFromEnv, createLocalDiskStore } from '@bytedrop/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, PRIVATE_TAGS, scratch } from '../../core/test/_support/images';
import { createHandler } from '../src/handler';
import {
  body,
  KEY,
  type LocalFixture,
  localFixture,
  ORIGIN,
  SECRET,
  uploadRequest,
} from './_support/fixtures';

let dir: string;
let photo: Uint8Array<ArrayBuffer>;
let handler: (request: Request) => Promise<Response>;
let plain: LocalFixture;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bytedrop-server-convert-'));
  const made = await makeImage(
    await scratch(),
    'photo.jpg',
    ['-size', '120x80', 'plasma:', '-seed', '9'],
    [...PRIVATE_TAGS, '-Orientation#=6'],
  );
  photo = new Uint8Array(made.bytes);
  const store = createLocalDiskStore({ dir, publicBaseUrl: `${ORIGIN}/f` });
  const convert = conversionFromEnv({ BYTEDROP_CONVERT: 'webp', BYTEDROP_CONVERT_MAX_SIDE: '60' });
  const uploader = createUploader({ bucket: 'local-disk' }, { store, ...(convert ? { convert } : {}) });
  const app = createHandler({
    uploader,
    store,
    files: store,
    keys: [{ name: 'alice', key: KEY }],
    secret: SECRET,
  });
  handler = (request) => app(request);
  plain = await localFixture();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await plain.dispose();
});

const auth = { authorization: `Bearer ${KEY}` };

async function typeAt(url: string): Promise<string | undefined> {
  const response = await handler(new Request(url));
  // Sniffed from the stored bytes' magic numbers; no name to go by.
  return (await sniffContentType(new Uint8Array(await response.arrayBuffer()), 'blob')).contentType;
}

describe('image conversion on the server', () => {
  it('BYTEDROP_CONVERT=webp with a max side converts every image, upright, and says from what', async () => {
    const response = await handler(uploadRequest([{ name: 'photo.jpg', body: photo }]));
    expect(response.status).toBe(200);
    const [file] = (await body(response)).files;
    expect(file).toMatchObject({
      contentType: 'image/webp',
      filename: 'photo.webp',
      width: 40,
      height: 60,
      converted: { from: 'image/jpeg' },
    });
    expect(await typeAt(file!.url)).toBe('image/webp');
  });

  it('a convert header turns it off, or asks for AVIF at a quality and size (PUT)', async () => {
    const off = await handler(uploadRequest([{ name: 'off.jpg', body: photo }], { ...auth, convert: 'off' }));
    expect((await body(off)).files[0]).toMatchObject({ contentType: 'image/jpeg', width: 80, height: 120 });
    const put = await handler(
      new Request(`${ORIGIN}/upload/avif.jpg`, {
        method: 'PUT',
        body: photo,
        headers: { ...auth, convert: 'avif; quality=50; max-side=30' },
      }),
    );
    const [avif] = (await body(put)).files;
    expect(avif).toMatchObject({ contentType: 'image/avif', width: 20, height: 30 });
    expect(await typeAt(avif!.url)).toBe('image/avif');
  });

  it('a header it cannot read is a 400 with the fix; asking a server that converts nothing is a 422', async () => {
    for (const value of ['gif', 'webp; quality=0', 'webp; size=3']) {
      const response = await handler(
        uploadRequest([{ name: 'x.jpg', body: photo }], { ...auth, convert: value }),
      );
      expect(response.status).toBe(400);
      expect((await response.json()).msg).toMatch(/send 'convert: webp; quality=80; max-side=2560'/);
    }
    const refused = await plain.handler(
      uploadRequest([{ name: 'x.jpg', body: photo }], { ...auth, convert: 'webp' }),
    );
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({
      code: 'ERR_IMAGE',
      msg: expect.stringMatching(/BYTEDROP_CONVERT=webp/),
    });
    expect(await plain.objects()).toEqual([]);
  });

  it('core’s server uploader asks for a conversion (or none) and reads what the server did', async () => {
    const client = (convert: Parameters<typeof createServerUploader>[0]['convert']) =>
      createServerUploader({
        url: ORIGIN,
        accessKey: KEY,
        fetch: async (url, init) => handler(new Request(url, init)),
        ...(convert === undefined ? {} : { convert }),
      });
    const avif = await client({ format: 'avif', maxSide: 30 }).upload(photo, { filename: 'c.jpg' });
    expect(avif).toMatchObject({ contentType: 'image/avif', height: 30, converted: { from: 'image/jpeg' } });
    const none = await client(false).upload(photo, { filename: 'd.jpg' });
    expect(none).toMatchObject({ contentType: 'image/jpeg' });
    expect(none.converted).toBeUndefined();
    const refused = await createServerUploader({
      url: ORIGIN,
      accessKey: KEY,
      fetch: async (url, init) => plain.handler(new Request(url, init)),
      convert: { format: 'webp' },
    })
      .upload(photo, { filename: 'e.jpg' })
      .catch((error: unknown) => error);
    expect(isBytedropError(refused, 'ERR_IMAGE')).toBe(true);
  });

  it('a bad BYTEDROP_CONVERT_* value stops the server at start, naming the variable', () => {
    const error = (() => {
      try {
        return conversionFromEnv({ BYTEDROP_CONVERT: 'webp', BYTEDROP_CONVERT_QUALITY: 'high' });
      } catch (caught) {
        return caught;
      }
    })();
    expect(isBytedropError(error, 'ERR_CONFIG')).toBe(true);
    expect((error as Error).message).toMatch(
      /BYTEDROP_CONVERT_QUALITY 'high' is not valid: use a whole number from 1 to 100/,
    );
  });
});
