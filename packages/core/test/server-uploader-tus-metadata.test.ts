/**
 * `createServerUploader` over tus asks the server to keep an image's metadata (`keep-metadata true` in the creation's
 * `Upload-Metadata`) when `keepMetadata: true` or an upload's `stripMetadata: false` says so, and never otherwise;
 * a real @bytedrop/server (its Node runner, from source, on the local disk) then stores the photo byte for byte.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TUS_TEMP_PREFIX } from '../../server-adapter/src/_tus-setup';
import { type RunningServer, serve } from '../../server-adapter/src/node';
import { createTusDiskBackend } from '../../server-adapter/src/tus-disk';
import { createLocalDiskStore } from '../src/node/stores/local-disk';
import { createServerUploader, type ServerUploaderOptions } from '../src/server-uploader';
import { createUploader } from '../src/uploader';
import { exifTags, makeImage, PRIVATE_TAGS, saved, scratch } from './_support/images';

const KEY = 'tus-metadata-test-key-0123456789';
let dir: string;
let server: RunningServer;
let photo: Uint8Array<ArrayBuffer>;
/** The `Upload-Metadata` of each tus creation, decoded. */
const created: Record<string, string>[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bytedrop-tus-metadata-'));
  const store = createLocalDiskStore({ dir, publicBaseUrl: 'http://unused.test/f' });
  server = await serve({
    port: 0,
    hostname: '127.0.0.1',
    uploader: createUploader({ bucket: 'local-disk' }, { store }),
    store,
    files: store,
    keys: [{ name: 'editor', key: KEY }],
    secret: 'delete-token-secret-for-tests-0123456789',
    tus: { backend: createTusDiskBackend({ dir, prefix: TUS_TEMP_PREFIX }) },
  });
  const made = await makeImage(await scratch(), 'photo.jpg', ['-size', '60x40', 'xc:coral'], PRIVATE_TAGS);
  photo = new Uint8Array(made.bytes);
});
afterAll(async () => {
  await server?.close(true);
  await rm(dir, { recursive: true, force: true });
});

/** A fetch that notes each tus creation's metadata before sending it on. */
const noting: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  const metadata = headers.get('upload-metadata');
  if (init?.method === 'POST' && metadata !== null) {
    const pairs = metadata.split(',').map((pair) => pair.trim().split(' '));
    created.push(
      Object.fromEntries(pairs.map(([name, value]) => [name, Buffer.from(value ?? '', 'base64').toString()])),
    );
  }
  return fetch(input, init);
};

/** Uploads the photo over tus (any file above 1 KiB goes there); the stored bytes and the creation's metadata. */
async function upload(options: Partial<ServerUploaderOptions>, stripMetadata?: boolean) {
  const uploader = createServerUploader({
    url: server.url,
    accessKey: KEY,
    fetch: noting,
    tusThreshold: 1024,
    ...options,
  });
  const before = created.length;
  const result = await uploader.upload(photo, {
    filename: 'photo.jpg',
    ...(stripMetadata === undefined ? {} : { stripMetadata }),
  });
  expect(created.length).toBe(before + 1);
  const stored = new Uint8Array(await (await fetch(result.url)).arrayBuffer());
  return { stored, metadata: created.at(-1)! };
}

describe('createServerUploader over tus and image metadata', () => {
  it('keepMetadata: true sends keep-metadata, and the server stores the photo byte for byte', async () => {
    const { stored, metadata } = await upload({ keepMetadata: true });
    expect(metadata['keep-metadata']).toBe('true');
    expect(Buffer.from(stored).equals(Buffer.from(photo))).toBe(true);
  });

  it('an upload’s stripMetadata: false sends it too; stripMetadata: true wins over keepMetadata', async () => {
    expect((await upload({}, false)).metadata['keep-metadata']).toBe('true');
    expect((await upload({ keepMetadata: true }, true)).metadata['keep-metadata']).toBeUndefined();
  });

  it('by default sends none, and the server strips GPS and camera tags', async () => {
    const { stored, metadata } = await upload({});
    expect(metadata['keep-metadata']).toBeUndefined();
    const tags = await exifTags(await saved(dir, 'stripped.jpg', stored));
    expect(tags['GPS:GPSLatitude']).toBeUndefined();
    expect(tags['IFD0:Make']).toBeUndefined();
  });
});
