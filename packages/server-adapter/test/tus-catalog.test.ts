/**
 * tus uploads in flight in the catalog (local disk, SQLite; PostgreSQL for the outage): the row follows the upload
 * (created, each kept chunk, removed when it finishes or is ended), `GET /api/uploads` lists the caller's own with
 * their offsets, the catalog-driven sweep removes expired ones (after a creation, and at each housekeeping tick on a
 * server that gets no new upload), and a catalog outage never loses an upload.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { SERVER_TEMP_PREFIX, startSweeps } from '../src/_housekeeping';
import { TUS_TEMP_PREFIX } from '../src/_tus-setup';
import { createPostgresCatalog } from '../src/catalog/postgres';
import { createSqliteCatalog } from '../src/catalog/sqlite';
import type { Catalog } from '../src/catalog/types';
import { createHandler } from '../src/handler';
import { createTusDiskBackend } from '../src/tus-disk';
import { postgresDatabase } from './_support/catalogs';
import { KEY, KEY2, ORIGIN, SECRET } from './_support/fixtures';

const dir = await mkdtemp(join(tmpdir(), 'bytedrop-tus-catalog-'));
const tusDir = join(dir, ...TUS_TEMP_PREFIX.split('/').filter(Boolean));
const store = createLocalDiskStore({ dir, publicBaseUrl: `${ORIGIN}/f` });
const handlerWith = (catalog: Catalog) =>
  createHandler({
    uploader: createUploader({ bucket: 'local-disk' }, { store }),
    store,
    files: store,
    keys: [
      { name: 'alice', key: KEY },
      { name: 'bob', key: KEY2 },
    ],
    secret: SECRET,
    catalog,
    tus: { backend: createTusDiskBackend({ dir, prefix: TUS_TEMP_PREFIX }) },
  });
const catalog = await createSqliteCatalog({ file: join(dir, 'catalog.sqlite') });
const handler = handlerWith(catalog);
afterEach(() => vi.useRealTimers());
afterAll(async () => {
  await catalog.close();
  await rm(dir, { recursive: true, force: true });
});

const tus = (
  path: string,
  method: string,
  headers: Record<string, string> = {},
  body?: string,
  on = handler,
) =>
  on(
    new Request(`${ORIGIN}${path}`, {
      method,
      headers: { 'tus-resumable': '1.0.0', authorization: KEY, ...headers },
      ...(body === undefined ? {} : { body }),
    }),
  );
const create = async (length: number, on = handler) => {
  const response = await tus(
    '/tus/',
    'POST',
    { 'upload-length': String(length), 'upload-metadata': `filename ${btoa('film.txt')}` },
    undefined,
    on,
  );
  expect(response.status).toBe(201);
  return new URL(response.headers.get('location')!).pathname;
};
const patch = (path: string, offset: number, body: string, on = handler) =>
  tus(
    path,
    'PATCH',
    { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
    body,
    on,
  );
const listed = async (key = KEY, on = handler) => {
  const response = await on(
    new Request(`${ORIGIN}/api/uploads`, { headers: { authorization: `Bearer ${key}` } }),
  );
  return {
    status: response.status,
    body: (await response.json()) as { uploads: Record<string, unknown>[]; msg?: string },
  };
};
const idOf = (path: string) => path.split('/').pop()!;

describe('tus uploads in flight in the catalog', () => {
  it('follow the upload: created, each chunk, removed when finished or ended; listed to their owner only', async () => {
    const path = await create(10);
    expect((await patch(path, 0, 'hello')).status).toBe(204);
    const { body } = await listed();
    expect(body.uploads).toEqual([
      {
        id: idOf(path),
        kind: 'tus',
        owner: 'alice',
        filename: 'film.txt',
        length: 10,
        offset: 5,
        url: `${ORIGIN}${path}`,
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
      },
    ]);
    expect((await listed(KEY2)).body.uploads).toEqual([]);

    const done = await patch(path, 5, 'world');
    expect(done.status).toBe(204);
    expect((await listed()).body.uploads).toEqual([]);
    // The finished file has its catalog record, like any upload's.
    const key = done.headers.get('bytedrop-url')!.split('/f/')[1]!;
    expect(await catalog.get(key)).toMatchObject({ owner: 'alice', filename: 'film.txt', size: 10 });

    const ended = await create(3);
    expect((await listed()).body.uploads).toHaveLength(1);
    expect((await tus(ended, 'DELETE')).status).toBe(204);
    expect((await listed()).body.uploads).toEqual([]);
  });

  it('are removed by the sweep once expired, bytes and all, a leftover partial upload too', async () => {
    const path = await create(10);
    await patch(path, 0, 'abc');
    const partial = await tus('/tus/', 'POST', { 'upload-length': '4', 'upload-concat': 'partial' });
    const partialId = idOf(partial.headers.get('location')!);
    expect(await catalog.uploads.get(partialId)).toMatchObject({ kind: 'tus-partial' });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 3_600_000 });
    // Past its expiry, it is not listed any more; the next creation starts the sweep that removes it.
    expect((await listed()).body.uploads).toEqual([]);
    const next = await create(1);
    // The sweep removes one upload after the other: wait for both, the partial one may go second.
    await vi.waitFor(async () => {
      expect(await catalog.uploads.get(idOf(path))).toBeUndefined();
      expect(await catalog.uploads.get(partialId)).toBeUndefined();
    });
    expect(await readdir(tusDir)).not.toContain(idOf(path));
    expect(await readdir(tusDir)).not.toContain(partialId);
    expect(await catalog.uploads.get(idOf(next))).toBeDefined();
    await tus(next, 'DELETE');
  });

  it('are removed by the housekeeping timer too, with no tus creation to start the sweep', async () => {
    const quiet = { info() {}, warn() {}, error() {} };
    const first = await create(10);
    await patch(first, 0, 'abc');
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now: Date.now() + 2 * 3_600_000 });
    // The store's own sweep by age (a week here) stays out of it: only the expiry sweep removes the rows.
    const sweeps = startSweeps({
      store,
      prefix: SERVER_TEMP_PREFIX,
      intervalMs: 60_000,
      olderThanMs: 7 * 86_400_000,
      logger: quiet,
      expired: handler.sweepExpiredUploads,
    });
    try {
      // The first tick runs at once.
      await vi.waitFor(async () => expect(await catalog.uploads.get(idOf(first))).toBeUndefined());
      expect(await readdir(tusDir)).not.toContain(idOf(first));
      // One that expires later goes at a later tick, a minute on: still no creation after it.
      const second = await create(10);
      vi.setSystemTime(Date.now() + 2 * 3_600_000);
      expect(await catalog.uploads.get(idOf(second))).toBeDefined();
      await vi.advanceTimersByTimeAsync(60_000);
      await vi.waitFor(async () => expect(await catalog.uploads.get(idOf(second))).toBeUndefined());
      expect(await readdir(tusDir)).not.toContain(idOf(second));
    } finally {
      sweeps.stop();
    }
  });

  it('lose no upload while the catalog is down: chunks are kept, the file is stored', async () => {
    const down = await createPostgresCatalog({ url: await postgresDatabase() });
    await down.close();
    const outage = handlerWith(down);
    const path = await create(8, outage);
    expect((await patch(path, 0, 'pre', outage)).headers.get('upload-offset')).toBe('3');
    // The last chunk: the file is stored, but not listed: 503 like any upload's, saying so.
    const last = await patch(path, 3, 'cious', outage);
    expect(last.status).toBe(503);
    expect(await last.json()).toMatchObject({ msg: expect.stringMatching(/stored but not listed yet/) });
    const head = await tus(path, 'HEAD', {}, undefined, outage);
    expect(head.headers.get('upload-offset')).toBe('8');
    const answer = await tus(path, 'GET', { accept: 'application/json' }, undefined, outage);
    expect(await answer.json()).toMatchObject({ success: true, files: [{ size: 8 }] });
    expect((await listed(KEY, outage)).status).toBe(503);
  });
});
