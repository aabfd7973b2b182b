/**
 * A tus upload (the path core's server uploader takes for files over 8 MiB) keeps an image's metadata when its
 * `Upload-Metadata` says `keep-metadata true`, and strips it otherwise, exactly as `POST /upload` does: exiftool
 * reads the stored file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exifTags, makeImage, PRIVATE_TAGS, saved, scratch } from '../../core/test/_support/images';
import { TUS_TEMP_PREFIX } from '../src/_tus-setup';
import { createTusDiskBackend } from '../src/tus-disk';
import { type LocalFixture, localFixture } from './_support/fixtures';
import { b64, create, patch } from './_support/tus';

let fixture: LocalFixture;
let waiting: string;
let dir: string;
let photo: Uint8Array<ArrayBuffer>;

beforeAll(async () => {
  waiting = await mkdtemp(join(tmpdir(), 'bytedrop-tus-metadata-'));
  fixture = await localFixture({
    tus: { backend: createTusDiskBackend({ dir: waiting, prefix: TUS_TEMP_PREFIX }) },
  });
  dir = await scratch();
  const made = await makeImage(dir, 'photo.jpg', ['-size', '60x40', 'xc:coral'], PRIVATE_TAGS);
  photo = new Uint8Array(made.bytes);
});
afterAll(async () => {
  await fixture.dispose();
  await rm(waiting, { recursive: true, force: true });
});

/** Sends the photo over tus in one PATCH with `metadata` added to its name; the stored bytes. */
async function uploadOverTus(metadata = ''): Promise<Uint8Array> {
  const path = await create(fixture.handler, photo.byteLength, {
    'upload-metadata': `filename ${b64('photo.jpg')},filetype ${b64('image/jpeg')}${metadata}`,
  });
  const done = await patch(fixture.handler, path, 0, photo);
  expect(done.status, await done.clone().text()).toBe(204);
  const stored = await fixture.handler(new Request(done.headers.get('bytedrop-url')!));
  expect(stored.status).toBe(200);
  return new Uint8Array(await stored.arrayBuffer());
}

describe('image metadata over tus', () => {
  it('stores the image byte for byte with keep-metadata true in Upload-Metadata', async () => {
    const stored = await uploadOverTus(`,keep-metadata ${b64('true')}`);
    expect(Buffer.from(stored).equals(Buffer.from(photo))).toBe(true);
    const tags = await exifTags(await saved(dir, 'kept.jpg', stored));
    expect(tags['GPS:GPSLatitude']).toBeCloseTo(48.8584);
  });

  it('strips GPS and camera tags without it', async () => {
    const tags = await exifTags(await saved(dir, 'stripped.jpg', await uploadOverTus()));
    expect(tags['GPS:GPSLatitude']).toBeUndefined();
    expect(tags['IFD0:Make']).toBeUndefined();
  });
});
