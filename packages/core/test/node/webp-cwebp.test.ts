/**
 * Conversion held against a WebP encoder nobody here wrote (issue 15): libwebp's own `cwebp` (Debian `webp`) at the
 * same quality. sharp's WebP of a phone photo is no larger than 1.05× cwebp's, libwebp's `dwebp` decodes it to the
 * photo's size, and exiftool finds none of the photo's location or camera tags in it. (The time against cwebp is
 * `pnpm bench`'s: a test never depends on how fast the machine is.)
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { DEFAULT_MAX_PIXELS } from '../../src/image-encoder';
import { readImageSize } from '../../src/images';
import { createSharpEncoder } from '../../src/node/encoders/sharp';
import { exifTags, makeImage, PRIVATE_TAGS, saved, scratch, tool } from '../_support/images';

const QUALITY = 80;
let dir: string;
let photo: { path: string; bytes: Buffer };

beforeAll(async () => {
  dir = await scratch();
  // Upright already (no Orientation), so both encoders write the same 640 × 480 picture.
  const draw = ['-size', '640x480', 'plasma:fractal', '-seed', '5', '-quality', '90'];
  photo = await makeImage(dir, 'photo.jpg', draw, PRIVATE_TAGS);
});

it('sharp’s WebP is at most 1.05× the size of cwebp’s at the same quality, decodes with dwebp, and has no metadata', async () => {
  const ours = await createSharpEncoder().encode(new Uint8Array(photo.bytes), {
    contentType: 'image/jpeg',
    format: 'webp',
    quality: QUALITY,
    maxSide: undefined,
    maxPixels: DEFAULT_MAX_PIXELS,
    keepMetadata: false,
  });
  const theirs = join(dir, 'cwebp.webp');
  await tool('cwebp', ['-quiet', '-q', String(QUALITY), '-metadata', 'none', photo.path, '-o', theirs]);
  expect(ours.byteLength / (await stat(theirs)).size).toBeLessThanOrEqual(1.05);

  const path = await saved(dir, 'ours.webp', ours);
  const decoded = join(dir, 'ours.png');
  await tool('dwebp', ['-quiet', path, '-o', decoded]);
  expect(readImageSize(new Uint8Array(await readFile(decoded)))).toEqual({ width: 640, height: 480 });

  const tags = await exifTags(path);
  for (const name of ['GPSLatitude', 'Make', 'Model', 'SerialNumber', 'Creator', 'City']) {
    expect(Object.keys(tags).filter((key) => key.endsWith(`:${name}`))).toEqual([]);
  }
  // The source did carry them: the check above is not empty by accident.
  expect(Object.keys(await exifTags(photo.path)).some((key) => key.endsWith(':GPSLatitude'))).toBe(true);
});

it('cwebp and dwebp are there (CI installs webp through .ci/run)', async () => {
  expect((await tool('cwebp', ['-version'])).toString()).toMatch(/^\d+\.\d+/);
});
