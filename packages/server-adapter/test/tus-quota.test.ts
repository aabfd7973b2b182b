/**
 * The storage quota over tus when the length is deferred (`Upload-Defer-Length: 1`): nothing is known up front, so
 * each PATCH is cut at the first byte that would take the key past its quota, counting what the upload holds already
 * and what the key stored before; the upload is then ended (bytes and record), 413 ERR_QUOTA. A length learnt later
 * is held against the quota before any byte of its PATCH, and one file too many ends the upload at its first PATCH.
 * (A declared length is refused at creation: scopes-quotas.test.ts.)
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTusDiskBackend } from '../src/tus-disk';
import { type ApiFixture, apiFixture } from './_support/api';
import { KEY, ORIGIN } from './_support/fixtures';
import { patch as tusPatch, tusRequest } from './_support/tus';

let api: ApiFixture;
let tusDir: string;
beforeEach(async () => {
  tusDir = await mkdtemp(join(tmpdir(), 'bytedrop-tus-quota-'));
  api = await apiFixture({
    keys: [{ name: 'alice', key: KEY, quota: { bytes: 100, files: 2 } }],
    tus: { backend: createTusDiskBackend({ dir: tusDir, prefix: '.bytedrop-tmp/tus/' }) },
  });
});
afterEach(async () => {
  await api.dispose();
  await rm(tusDir, { recursive: true, force: true });
});

const tus = (path: string, init: Parameters<typeof tusRequest>[1]) => api.handler(tusRequest(path, init));

/** A deferred-length upload; its path. */
async function deferred(): Promise<string> {
  const created = await tus('/tus/', {
    method: 'POST',
    headers: { 'upload-defer-length': '1', 'upload-metadata': `filename ${btoa('grows.bin')}` },
  });
  expect(created.status).toBe(201);
  return new URL(created.headers.get('location')!).pathname;
}

const patch = (path: string, offset: number, body: BodyInit, headers: Record<string, string> = {}) =>
  tusPatch(api.handler, path, offset, body, headers);

/** Whatever the tus backend holds of the upload at `path` (its bytes, its record). */
const held = async (path: string) =>
  (await readdir(tusDir, { recursive: true })).filter((name) => name.includes(path.split('/').pop()!));

it('cuts a deferred-length PATCH at the first byte past the quota, and ends the upload', async () => {
  const stored = await api.handler(
    new Request(`${ORIGIN}/upload/first.bin`, {
      method: 'PUT',
      body: 'a'.repeat(40),
      headers: { authorization: KEY },
    }),
  );
  expect(stored.status).toBe(200);
  const path = await deferred();
  expect((await patch(path, 0, 'b'.repeat(30))).status).toBe(204);
  expect(await held(path)).not.toEqual([]);

  // 40 stored and 30 held leave 30: a stream of 10-byte chunks passes them at its 4th, and is read no further.
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += 1;
      if (pulled > 100) controller.close();
      else controller.enqueue(new Uint8Array(10).fill(99));
    },
  });
  const refused = await patch(path, 30, body);
  expect(refused.status).toBe(413);
  expect(await refused.json()).toMatchObject({
    code: 'ERR_QUOTA',
    msg: expect.stringMatching(
      /'grows.bin' would pass the storage quota of access key 'alice': 40 B of 100 B used, and it is over 70 B; delete files .*; tus upload '[0-9a-f]{32}' was removed: upload the file again once there is room/,
    ),
  });
  expect(pulled).toBeLessThan(10);
  expect((await tus(path, { method: 'HEAD' })).status).toBe(404);
  expect(await held(path)).toEqual([]);
  expect((await api.call('/api/uploads')).body).toMatchObject({ uploads: [] });
  expect(await api.objects()).toHaveLength(1);
});

it('holds a length learnt in a PATCH against the quota before reading its bytes', async () => {
  const path = await deferred();
  expect((await patch(path, 0, 'c'.repeat(50))).status).toBe(204);
  const refused = await patch(path, 50, 'c'.repeat(10), { 'upload-length': '101' });
  expect(refused.status).toBe(413);
  expect(await refused.json()).toMatchObject({
    code: 'ERR_QUOTA',
    msg: expect.stringContaining('0 B of 100 B used, and it is 101 B; delete files'),
  });
  expect(await held(path)).toEqual([]);

  // What fits goes in, to the last byte of the quota.
  const fits = await deferred();
  expect((await patch(fits, 0, 'd'.repeat(60))).status).toBe(204);
  const done = await patch(fits, 60, 'd'.repeat(40), { 'upload-length': '100' });
  expect(done.status).toBe(204);
  expect(await api.objects()).toHaveLength(1);
});

it('ends a deferred-length upload at its first PATCH when it would be one file too many', async () => {
  for (const name of ['one.txt', 'two.txt']) {
    const stored = await api.handler(
      new Request(`${ORIGIN}/upload/${name}`, { method: 'PUT', body: name, headers: { authorization: KEY } }),
    );
    expect(stored.status).toBe(200);
  }
  const path = await deferred();
  const refused = await patch(path, 0, 'e');
  expect(refused.status).toBe(413);
  expect(await refused.json()).toMatchObject({
    code: 'ERR_QUOTA',
    msg: expect.stringMatching(/files quota of access key 'alice': 2 of 2 files used.*was removed/),
  });
  expect(await held(path)).toEqual([]);
});
