/**
 * The bin's thumbnails: on by default (320 px), the answer's `thumbnail` served from `/f/` once made,
 * `BYTEDROP_THUMBNAILS` sizes and `off`, a bad value refused in one line, and `thumbnails --backfill` for images
 * stored before.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, scratch } from '../../core/test/_support/images';
import { BIN, cleanEnv, exited, type Started, start } from './_support/bin';
import { waitFor } from './_support/net';

const KEY = 'bin-thumbnails-key-01';
const run = promisify(execFile);
let running: Started | undefined;
let photo: Uint8Array<ArrayBuffer>;
const dirs: string[] = [];

beforeAll(async () => {
  photo = new Uint8Array(
    (await makeImage(await scratch(), 'p.png', ['-size', '640x480', 'plasma:', '-seed', '2'])).bytes,
  );
});
afterEach(async () => {
  if (running) {
    running.child.kill('SIGTERM');
    await exited(running.child);
    running = undefined;
  }
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bytedrop-bin-thumbs-'));
  dirs.push(dir);
  return dir;
}

describe('bytedrop-server thumbnails', () => {
  it('answers a thumbnail URL for an image, served as WebP from /f/ once made', async () => {
    running = await start({ BYTEDROP_DATA_DIR: await dataDir(), AUTH_KEY: KEY });
    const response = await fetch(`${running.url}/upload/p.png`, {
      method: 'PUT',
      body: photo,
      headers: { authorization: `Bearer ${KEY}` },
    });
    const { files } = (await response.json()) as { files: { key: string; thumbnail: string }[] };
    expect(files[0]!.thumbnail).toBe(`${running.url}/f/${files[0]!.key}.thumb-320.webp`);
    const url = files[0]!.thumbnail;
    await waitFor('the thumbnail', async () => (await fetch(url)).status === 200);
    expect((await fetch(url)).headers.get('content-type')).toBe('image/webp');
  });

  it('--backfill makes the thumbnails of images stored before, at the configured sizes, once', async () => {
    const dir = await dataDir();
    const store = createLocalDiskStore({ dir: join(dir, 'files'), publicBaseUrl: 'http://x/f' });
    const { key } = await createUploader({ bucket: 'local-disk' }, { store }).upload(new Blob([photo]), {
      filename: 'old.png',
      owner: 'default',
    });
    const env = { ...cleanEnv(), BYTEDROP_DATA_DIR: dir, AUTH_KEY: KEY, BYTEDROP_THUMBNAILS: '200,50' };
    await run(process.execPath, [BIN, 'catalog', 'rebuild'], { env, cwd: dir });
    const first = await run(process.execPath, [BIN, 'thumbnails', '--backfill'], { env, cwd: dir });
    expect(first.stdout).toMatch(
      /thumbnails \(200, 50 px, .*\): 1 images, 2 thumbnails made, 0 already complete/,
    );
    const webp = await readFile(join(dir, 'files', `${key}.thumb-200.webp`));
    expect(webp.subarray(8, 12).toString()).toBe('WEBP');
    expect(existsSync(join(dir, 'files', `${key}.thumb-50.webp`))).toBe(true);
    const again = await run(process.execPath, [BIN, 'thumbnails', '--backfill'], { env, cwd: dir });
    expect(again.stdout).toMatch(/1 images, 0 thumbnails made, 1 already complete, 0 skipped/);
  });

  it.each([
    ['abc', /^bytedrop-server: ERR_CONFIG: BYTEDROP_THUMBNAILS 'abc' is not valid: use whole numbers/],
    ['off', /^bytedrop-server: ERR_CONFIG: thumbnails are off \(BYTEDROP_THUMBNAILS=off\): set/],
  ])('BYTEDROP_THUMBNAILS=%s is refused by --backfill in one line naming the fix', async (value, message) => {
    const dir = await dataDir();
    const env = { ...cleanEnv(), BYTEDROP_DATA_DIR: dir, AUTH_KEY: KEY, BYTEDROP_THUMBNAILS: value };
    const failed = await run(process.execPath, [BIN, 'thumbnails', '--backfill'], { env, cwd: dir }).catch(
      (error) => error,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(message);
  });

  it('BYTEDROP_THUMBNAILS=off makes none, and the answer has no thumbnail', async () => {
    const dir = await dataDir();
    running = await start({ BYTEDROP_DATA_DIR: dir, AUTH_KEY: KEY, BYTEDROP_THUMBNAILS: 'off' });
    const response = await fetch(`${running.url}/upload/p.png`, {
      method: 'PUT',
      body: photo,
      headers: { authorization: `Bearer ${KEY}` },
    });
    const { files } = (await response.json()) as { files: { thumbnail?: string }[] };
    expect(files[0]).not.toHaveProperty('thumbnail');
  });
});
