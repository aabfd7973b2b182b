/**
 * The built `bytedrop-server` bin and image metadata: stripped by default, stored byte for byte with
 * `BYTEDROP_STRIP_METADATA=false`; `BYTEDROP_HIDPI=false` gives a 144 DPI screenshot its pixels in the links.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exifTags, makeImage, PRIVATE_TAGS, saved, scratch } from '../../core/test/_support/images';
import { exited, type Started, start } from './_support/bin';

const KEY = 'bin-metadata-key-0001';
let running: Started | undefined;
let dir: string;
let photo: Uint8Array<ArrayBuffer>;
let retina: Uint8Array<ArrayBuffer>;
const dirs: string[] = [];

beforeAll(async () => {
  dir = await scratch();
  photo = new Uint8Array(
    (await makeImage(dir, 'photo.jpg', ['-size', '60x40', 'xc:coral'], PRIVATE_TAGS)).bytes,
  );
  retina = new Uint8Array(
    (
      await makeImage(dir, 'retina.png', [
        ...['-size', '40x20', 'xc:navy'],
        ...['-units', 'PixelsPerInch', '-density', '144'],
      ])
    ).bytes,
  );
});
afterEach(async () => {
  if (running) {
    running.child.kill('SIGTERM');
    await exited(running.child);
    running = undefined;
  }
  await Promise.all(dirs.splice(0).map((path) => rm(path, { recursive: true, force: true })));
});

/** Starts the bin with `env` on a fresh data directory. */
async function startWith(env: Record<string, string>): Promise<Started> {
  const data = await mkdtemp(join(tmpdir(), 'bytedrop-bin-metadata-'));
  dirs.push(data);
  running = await start({ BYTEDROP_DATA_DIR: data, AUTH_KEY: KEY, BYTEDROP_THUMBNAILS: 'off', ...env });
  return running;
}

/** PUTs `bytes` as `name`; the answer's file and the stored bytes. */
async function put(server: Started, name: string, bytes: Uint8Array<ArrayBuffer>) {
  const response = await fetch(`${server.url}/upload/${name}`, {
    method: 'PUT',
    body: bytes,
    headers: { authorization: `Bearer ${KEY}` },
  });
  expect(response.status).toBe(200);
  const { files } = (await response.json()) as { files: { url: string; html: string }[] };
  const file = files[0]!;
  return { file, stored: new Uint8Array(await (await fetch(file.url)).arrayBuffer()) };
}

describe('bytedrop-server and image metadata', () => {
  it('strips GPS and camera tags by default; links halve a 144 DPI screenshot', async () => {
    const server = await startWith({});
    const { stored } = await put(server, 'photo.jpg', photo);
    const tags = await exifTags(await saved(dir, 'default.jpg', stored));
    expect(tags['GPS:GPSLatitude']).toBeUndefined();
    expect(tags['IFD0:Make']).toBeUndefined();
    expect((await put(server, 'retina.png', retina)).file.html).toContain(' width="20" height="10">');
  });

  it('BYTEDROP_STRIP_METADATA=false stores the photo byte for byte; BYTEDROP_HIDPI=false gives the pixels', async () => {
    const server = await startWith({ BYTEDROP_STRIP_METADATA: 'false', BYTEDROP_HIDPI: 'false' });
    const { stored } = await put(server, 'photo.jpg', photo);
    expect(Buffer.from(stored).equals(Buffer.from(photo))).toBe(true);
    expect((await put(server, 'retina.png', retina)).file.html).toContain(' width="40" height="20">');
  });
});
