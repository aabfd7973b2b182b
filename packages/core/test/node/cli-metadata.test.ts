/**
 * `bytedrop upload` strips a photo's location and camera metadata by default; `"stripMetadata": false` in the JSON
 * config file, `BYTEDROP_STRIP_METADATA=false` or `--keep-metadata` keeps it. `--json` says what was removed and the
 * image's size; `--no-hidpi` gives a Retina screenshot's pixels in links. Runs the built CLI on the local-disk default.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cleanEnv, removeCli, runCli } from '../_support/cli';
import { exifTags, makeImage, PRIVATE_TAGS } from '../_support/images';
import { tempDir } from '../_support/temp';

let cli: string;
let photoPath: string;
let photo: Buffer;
let retinaPath: string;

beforeAll(async () => {
  cli = await buildCli();
  const dir = await tempDir('bytedrop-cli-meta-');
  ({ path: photoPath, bytes: photo } = await makeImage(
    dir,
    'photo.jpg',
    ['-size', '20x10', 'xc:pink'],
    PRIVATE_TAGS,
  ));
  ({ path: retinaPath } = await makeImage(dir, 'retina.png', [
    ...['-size', '40x20', 'xc:navy'],
    ...['-units', 'PixelsPerInch', '-density', '144'],
  ]));
});
afterAll(() => removeCli(cli));

interface UploadOptions {
  config?: object;
  env?: Record<string, string>;
  args?: string[];
  file?: string;
}

/** Runs `bytedrop upload` on the photo (or `file`) from a fresh working directory; gives stdout and that directory. */
async function run(options: UploadOptions = {}): Promise<{ stdout: string; work: string }> {
  const work = await tempDir('bytedrop-cli-meta-work-');
  if (options.config) await writeFile(join(work, 'bytedrop.config.json'), JSON.stringify(options.config));
  const outcome = await runCli(cli, ['upload', options.file ?? photoPath, ...(options.args ?? [])], {
    cwd: work,
    env: { ...cleanEnv(work), ...options.env },
  });
  expect(outcome.stderr).not.toContain('error');
  expect(outcome.code).toBe(0);
  return { stdout: outcome.stdout, work };
}

/** Uploads the photo; gives the stored file's path. */
async function upload(options: UploadOptions = {}): Promise<string> {
  const { stdout, work } = await run(options);
  const key = new URL(stdout.trim()).pathname.replace(/^\/f\//, '');
  return join(work, 'data', decodeURIComponent(key));
}

/** Uploads with `--json`; gives the one file's entry. */
async function uploadJson(options: UploadOptions = {}): Promise<Record<string, unknown>> {
  const { stdout } = await run({ ...options, args: ['--json', ...(options.args ?? [])] });
  return (JSON.parse(stdout) as { files: Record<string, unknown>[] }).files[0]!;
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

  it('keeps them with --keep-metadata, whatever the config says', async () => {
    const path = await upload({ config: { stripMetadata: true }, args: ['--keep-metadata'] });
    expect(await readFile(path)).toEqual(photo);
  });

  it('--json says what was removed, or why it was kept, and the size', async () => {
    const stripped = await uploadJson();
    expect(stripped).toMatchObject({ width: 20, height: 10 });
    expect(stripped.stripped).toEqual(expect.arrayContaining(['gps', 'exif', 'xmp', 'iptc']));
    expect(stripped.metadataKept).toBeUndefined();
    const kept = await uploadJson({ args: ['--keep-metadata'] });
    expect(kept).toMatchObject({ metadataKept: 'setting', width: 20, height: 10 });
    expect(kept.stripped ?? []).toEqual([]);
  });

  it('shows a 144 DPI screenshot at half its pixels, or its pixels with --no-hidpi', async () => {
    const half = await uploadJson({ file: retinaPath, args: ['--format', 'html'] });
    expect(half).toMatchObject({ width: 40, height: 20, pixelRatio: 2 });
    expect(half.link).toContain('width="20" height="10"');
    const full = await uploadJson({ file: retinaPath, args: ['--format', 'html', '--no-hidpi'] });
    expect(full.link).toContain('width="40" height="20"');
  });

  it('--help and the shell completion offer --keep-metadata and --no-hidpi', async () => {
    const work = await tempDir('bytedrop-cli-meta-help-');
    const options = { cwd: work, env: cleanEnv(work) };
    const help = (await runCli(cli, ['upload', '--help'], options)).stdout;
    expect(help).toMatch(/--keep-metadata +Keep image metadata/);
    expect(help).toMatch(/--no-hidpi +Links give a 144 DPI image/);
    const bash = (await runCli(cli, ['completion', 'bash'], options)).stdout;
    expect(bash).toContain('--keep-metadata');
    expect(bash).toContain('--no-hidpi');
  });
});
