/**
 * `bytedrop upload --convert webp --quality … --max-side …` converts images with sharp (built CLI, local-disk
 * default), warns on stderr about an image it stored unconverted, and refuses a bad flag before uploading anything.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import cacache from 'cacache';
import { fileTypeFromBuffer } from 'file-type';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageSize } from '../../src/images';
import { createDiskConversionCache } from '../../src/node/conversion-cache';
import { pngBomb } from '../_support/bomb';
import { buildCli, cleanEnv, removeCli, runCli } from '../_support/cli';
import { makeImage, saved } from '../_support/images';
import { tempDir } from '../_support/temp';

let cli: string;
let dir: string;
let photoPath: string;

beforeAll(async () => {
  cli = await buildCli();
  dir = await tempDir('bytedrop-cli-convert-');
  ({ path: photoPath } = await makeImage(dir, 'photo.jpg', ['-size', '400x100', 'plasma:', '-seed', '5']));
});
afterAll(() => removeCli(cli));

async function upload(args: string[]) {
  const work = await tempDir('bytedrop-cli-convert-work-');
  const outcome = await runCli(cli, ['upload', ...args], { cwd: work, env: cleanEnv(work) });
  return { ...outcome, work };
}

describe('bytedrop upload --convert', () => {
  it('stores a WebP scaled to --max-side, and says in --json what it was', async () => {
    const { code, stdout, work } = await upload([
      photoPath,
      '--convert',
      'webp',
      '--quality',
      '70',
      '--max-side',
      '200',
      '--json',
    ]);
    expect(code).toBe(0);
    const [file] = JSON.parse(stdout).files;
    expect(file).toMatchObject({ contentType: 'image/webp', converted: { from: 'image/jpeg' } });
    expect(file.key).toMatch(/\.webp$/);
    const bytes = await readFile(join(work, 'data', file.key));
    expect((await fileTypeFromBuffer(bytes))?.mime).toBe('image/webp');
    expect(readImageSize(bytes)).toEqual({ width: 200, height: 50 });
  });

  it('a second run on the same image takes the conversion from ~/.cache/bytedrop/conversions, not from sharp', async () => {
    const work = await tempDir('bytedrop-cli-convert-cache-');
    const run = async () => {
      const { code, stdout } = await runCli(cli, ['upload', photoPath, '--convert', 'webp', '--json'], {
        cwd: work,
        env: cleanEnv(work),
      });
      expect(code).toBe(0);
      return JSON.parse(stdout).files[0] as { key: string };
    };
    await run();
    const cacheDir = join(work, '.cache/bytedrop/conversions');
    const keys = Object.keys(await cacache.ls(cacheDir));
    expect(keys).toHaveLength(1);
    // Another WebP under the same entry: if the second run stores these bytes, it did not encode the photo again.
    const { bytes: other } = await makeImage(dir, 'other.webp', ['-size', '8x8', 'xc:red']);
    await createDiskConversionCache({ dir: cacheDir }).set(keys[0] as string, {
      bytes: other,
      format: 'webp',
    });
    const second = await run();
    expect((await readFile(join(work, 'data', second.key))).equals(other)).toBe(true);
  });

  it('warns about an image it left as it was (a PNG bomb) and still prints its link', async () => {
    const bomb = await saved(dir, 'bomb.png', pngBomb());
    const { code, stdout, stderr } = await upload([bomb, '--convert', 'avif']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\.png\n$/);
    expect(stderr).toMatch(
      /warning: .*bomb\.png was uploaded unconverted: it declares more pixels than the limit/,
    );
  });

  it('a bad --convert or --quality, or --quality alone, exits 2 naming the flag', async () => {
    for (const [args, said] of [
      [['--convert', 'gif'], /--convert 'gif' is not a format .* use webp, avif or off/],
      [
        ['--convert', 'webp', '--quality', '101'],
        /--quality '101' is not valid: use a whole number from 1 to 100/,
      ],
      [['--quality', '50'], /--quality has no effect without a format to convert to: add --convert webp/],
    ] as const) {
      const { code, stdout, stderr } = await upload([photoPath, ...args]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(said);
    }
  });
});
