/**
 * `bytedrop.keepImageMetadata`: off by default, so a pasted photo's location and camera data never reach the bucket;
 * on, the photo is uploaded byte for byte. The photo is made by ImageMagick with its tags written by exiftool.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { exifTags, makeImage, PRIVATE_TAGS, saved, scratch } from '../../core/test/_support/images';
import { fake } from './_fake/vscode';
import { linksUnder, served, uploadsSettled } from './_setup/expect';
import { createWorld, endOf, transferOf, type World } from './_setup/world';

let s3: S3Harness;
let world: World;
let base: string;
let dir: string;
let photo: Uint8Array;

beforeAll(async () => {
  s3 = await startS3rver();
  base = `${s3.endpoint}/${s3.bucket}`;
  dir = await scratch();
  photo = new Uint8Array((await makeImage(dir, 'p.jpg', ['-size', '30x20', 'xc:gold'], PRIVATE_TAGS)).bytes);
});
afterAll(async () => {
  await s3.dispose();
});
beforeEach(async () => {
  world = await createWorld({ endpoint: s3.endpoint, publicBaseUrl: base, bucket: s3.bucket });
});

async function pastedBytes(): Promise<Uint8Array> {
  await fake.paste(
    world.document,
    [endOf(world.document)],
    transferOf({ name: 'photo.jpg', mime: 'image/jpeg', bytes: photo }),
  );
  await uploadsSettled();
  const [link] = linksUnder(base, world.document.getText());
  if (!link) throw new Error(`no uploaded link in the note: ${world.document.getText()}`);
  return served(link.url);
}

describe('bytedrop.keepImageMetadata', () => {
  it('is off by default: the stored photo has no GPS or camera tags', async () => {
    const tags = await exifTags(await saved(dir, 'default.jpg', await pastedBytes()));
    expect(tags['GPS:GPSLatitude']).toBeUndefined();
    expect(tags['IFD0:Make']).toBeUndefined();
  });

  it('on: the photo is uploaded byte for byte', async () => {
    fake.settings.set('bytedrop.keepImageMetadata', true);
    expect(await pastedBytes()).toEqual(photo);
  });
});
