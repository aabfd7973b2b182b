/**
 * The local-disk tus backend's record while a PATCH saves it: a HEAD takes no lock, so it may read the record at
 * that moment, and must find the upload (seen in the upload page's pause test in CI: a HEAD answered 404 there and
 * tus-js-client started the file again from byte 0 as a new upload).
 *
 * `writeFile` opens (empties) its file, then writes: the mock holds it in between, which a loaded machine does now and
 * then by itself.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { TUS_TEMP_PREFIX } from '../src/_tus-setup';
import { createTusDiskBackend } from '../src/tus-disk';
import { type LocalFixture, localFixture } from './_support/fixtures';
import { create, patch, tusRequest } from './_support/tus';

interface Hold {
  /** Called once the file is open (emptied) and nothing is written yet. */
  reached(): void;
  release: Promise<void>;
}
const writes = vi.hoisted(() => ({ hold: undefined as Hold | undefined }));

vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  const writeFile: typeof fs.writeFile = async (path, data, options) => {
    const hold = writes.hold;
    if (!hold || typeof path !== 'string' || !path.includes('.info'))
      return fs.writeFile(path, data, options);
    writes.hold = undefined;
    const file = await fs.open(path, 'w');
    try {
      hold.reached();
      await hold.release;
      await file.writeFile(data as string);
    } finally {
      await file.close();
    }
  };
  return { ...fs, writeFile };
});

let fixture: LocalFixture;
let waiting: string;
beforeAll(async () => {
  waiting = await mkdtemp(join(tmpdir(), 'bytedrop-tus-disk-record-'));
  fixture = await localFixture({
    tus: { backend: createTusDiskBackend({ dir: waiting, prefix: TUS_TEMP_PREFIX }) },
  });
});
afterAll(async () => {
  await fixture?.dispose();
  await rm(waiting, { recursive: true, force: true });
});

it('answers HEAD with the upload while a PATCH is saving its record', async () => {
  const path = await create(fixture.handler, 10);
  let release!: () => void;
  const reached = new Promise<void>((resolve) => {
    writes.hold = { reached: resolve, release: new Promise<void>((r) => (release = r)) };
  });
  const patched = patch(fixture.handler, path, 0, new Uint8Array(4));
  await reached;
  let during: Response;
  try {
    during = await fixture.handler(tusRequest(path, { method: 'HEAD' }));
  } finally {
    release();
  }
  expect((await patched).status).toBe(204);
  // While the save is held the record is still the old one (nothing in yet), never missing.
  expect(during.status).toBe(200);
  expect(during.headers.get('upload-offset')).toBe('0');
  const after = await fixture.handler(tusRequest(path, { method: 'HEAD' }));
  expect(after.headers.get('upload-offset')).toBe('4');
  // Nothing of the save is left beside the record.
  const records = await readdir(join(waiting, ...TUS_TEMP_PREFIX.split('/')));
  expect(records.filter((name) => name.endsWith('.tmp'))).toEqual([]);
});
