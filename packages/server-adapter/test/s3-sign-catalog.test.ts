/**
 * Direct S3 uploads (Uppy, `/s3/multipart`) in flight in the catalog, on radosgw: listed by `GET /api/uploads` from
 * their start (offset what their parts held when last listed, no tus URL), and gone once completed or aborted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { useRgw } from '../../core/test/_support/rgw';
import { bytes, MiB } from '../../core/test/_support/s3';
import { createSqliteCatalog } from '../src/catalog/sqlite';
import { KEY, KEY2 } from './_support/fixtures';
import { rgwHandler, SHARED_KEYS } from './_support/rgw-server';
import { call, complete, nothingLeft, q, type Started, sendParts, start, TEMP } from './_support/s3-sign';

const rgw = useRgw('server-s3-sign-catalog');
const dir = await mkdtemp(join(tmpdir(), 'bytedrop-s3-catalog-'));
const catalog = await createSqliteCatalog({ file: join(dir, 'catalog.sqlite') });
afterAll(async () => {
  await catalog.close();
  await rm(dir, { recursive: true, force: true });
});

it('lists a direct upload from its start to its completion or abort', async () => {
  const handler = rgwHandler(rgw, { catalog });
  const listed = async (key = KEY) =>
    ((await (await call(handler, 'GET', '/api/uploads', undefined, key)).json()) as { uploads: unknown[] })
      .uploads;
  const started = await start(handler, 'film.bin');
  const id = started.key.slice(TEMP.length);
  expect(await listed()).toEqual([
    {
      id,
      kind: 's3',
      owner: 'alice',
      filename: 'film.bin',
      length: null,
      offset: 0,
      url: null,
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
    },
  ]);
  expect(await listed(KEY2)).toEqual([]);

  const data = bytes(5 * MiB + 10);
  const parts = await sendParts(handler, started, [data.subarray(0, 5 * MiB), data.subarray(5 * MiB)]);
  // A resume lists the parts first: the listing learns the offset then.
  await call(handler, 'GET', `/s3/multipart/${started.uploadId}?${q(started)}`);
  expect(await listed()).toMatchObject([{ id, offset: 5 * MiB + 10 }]);
  const done = await complete(handler, started, parts);
  expect(done.status).toBe(200);
  expect(await listed()).toEqual([]);
  expect(await catalog.get(((await done.json()) as { key: string }).key)).toMatchObject({ owner: 'alice' });
  await nothingLeft(rgw, started);

  const aborted = await start(handler);
  expect(await listed()).toHaveLength(1);
  expect((await call(handler, 'DELETE', `/s3/multipart/${aborted.uploadId}?${q(aborted)}`)).status).toBe(200);
  expect(await listed()).toEqual([]);
});

it('refuses a finish over the key’s quota (413 ERR_QUOTA) before reading it back, and removes what was staged', async () => {
  const carol = 'carol-quota-key-0001';
  const handler = rgwHandler(rgw, {
    catalog,
    keys: [...SHARED_KEYS, { name: 'carol', key: carol, quota: { bytes: 5 * MiB + 5 } }],
  });
  const created = await call(handler, 'POST', '/s3/multipart', { filename: 'over.bin' }, carol);
  const started = (await created.json()) as Started;
  const data = bytes(5 * MiB + 10);
  const parts = await sendParts(handler, started, [data.subarray(0, 5 * MiB), data.subarray(5 * MiB)], carol);
  const refused = await complete(handler, started, parts, carol);
  expect(refused.status).toBe(413);
  expect(await refused.json()).toMatchObject({
    code: 'ERR_QUOTA',
    msg: expect.stringMatching(
      /'over.bin' would pass the storage quota of access key 'carol': 0 B of 5.24 MB used, and it is 5.24 MB; delete files/,
    ),
  });
  // Its size said so: the staged object was never read back.
  const reads = rgw.proxy.requests.filter((r) => r.operation === 'GetObject' && r.key === started.key);
  expect(reads).toEqual([]);
  await nothingLeft(rgw, started);
  expect(await catalog.list({ owner: 'carol' }, { limit: 10 })).toMatchObject({ files: [] });
  const inFlight = await call(handler, 'GET', '/api/uploads', undefined, carol);
  expect(((await inFlight.json()) as { uploads: unknown[] }).uploads).toEqual([]);
});

it('never signs a part the key’s quota cannot hold (part N means over (N - 1) × 5 MiB)', async () => {
  const carol = 'carol-quota-key-0002';
  const handler = rgwHandler(rgw, {
    catalog,
    keys: [...SHARED_KEYS, { name: 'carol', key: carol, quota: { bytes: 5 * MiB } }],
  });
  const created = await call(handler, 'POST', '/s3/multipart', { filename: 'long.bin' }, carol);
  const started = (await created.json()) as Started;
  const sign = (path: string) =>
    call(
      handler,
      'GET',
      `/s3/multipart/${started.uploadId}/${path}${path.includes('?') ? '&' : '?'}${q(started)}`,
      undefined,
      carol,
    );
  expect((await sign('1')).status).toBe(200);
  for (const refused of [await sign('2'), await sign('batch?partNumbers=1,2')]) {
    expect(refused.status).toBe(413);
    expect(await refused.json()).toMatchObject({
      code: 'ERR_QUOTA',
      msg: expect.stringContaining(
        "'long.bin' would pass the storage quota of access key 'carol': 0 B of 5.24 MB used, and it is at least 5.24 MB (part 2)",
      ),
    });
  }
  expect(
    (await call(handler, 'DELETE', `/s3/multipart/${started.uploadId}?${q(started)}`, undefined, carol))
      .status,
  ).toBe(200);
  await nothingLeft(rgw, started);
});
