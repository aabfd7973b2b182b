/**
 * `bytedrop upload` strips a photo's location and camera metadata by default; `"stripMetadata": false` in the JSON
 * config file or `BYTEDROP_STRIP_METADATA=false` keeps it. Runs the built CLI on the local-disk default.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cleanEnv, removeCli, runCli } from '../_support/cli';
import { exifTags, makeImage, PRIVATE_TAGS } from '../_support/images';

let cli: string;
let photoPath: string;
let photo: Buffer;

beforeAll(async () => {
  cli = await buildCli();
  const dir = await mkdtemp(join(tmpdir(), 'bytedrop-cli-meta-'));
  ({ path: photoPath, bytes: photo } = await makeImage(
    dir,
    'photo.jpg',
    ['-size', '20x10', 'xc:pink'],
    PRIVATE_TAGS,
  ));
});
afterAll(() => removeCli(cli));

/** Uploads the photo from a fresh working directory; gives the stored file's path. */
async function upload(options: { config?: object; env?: Record<string, string> } = {}): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'bytedrop-cli-meta-work-'));
  if (options.config) await writeFile(join(work, 'bytedrop.config.json'), JSON.stringify(options.config));
  const outcome = await runCli(cli, ['upload', photoPath], {
    cwd: work,
    env: { ...cleanEnv(work), ...options.env },
  });
  expect(outcome.stderr).not.toContain('error');
  expect(outcome.code).toBe(0);
  const key = new URL(outcome.stdout.trim()).pathname.replace(/^\/f\//, '');
  return join(work, 'data', decodeURIComponent(key));
}

describe('bytedrop upload and image metadata', () => {
  it('strips GPS and camera tags by default', async () => {
    const tags = await exifTags(await upload());
    expect(tags['GPS:GPSLatitude']).toBeUndefined();
    expect(tags['IFD0:Make']).toBeUndefined();
  });

  it('keeps them with "stripMetadata": false in the config file, or BYTEDROP_STRIP_METADATA=false', async () => {
    expect(await readFile(await upload({ config: { stripMetadata: false } }))).toEqual(photo);
    expect(await readFile(await upload({ env: { BYTEDROP_STRIP_METADATA: 'false' } }))).toEqual(photo);
  });
});
