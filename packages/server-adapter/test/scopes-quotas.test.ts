/**
 * Managed keys at work: every keyed route asks for its scope (403 ERR_SCOPE naming it), a storage quota cuts the
 * upload that would pass it while it streams (413 ERR_QUOTA, nothing left in the store), the files quota refuses
 * before any byte, `/api/usage` reports the key's limits, and a key's rates from the catalog feed the rate limiter.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseKeysFile } from '../src/auth';
import { createRateLimits } from '../src/rate-limits';
import { createTusDiskBackend } from '../src/tus-disk';
import { ADMIN_KEY, type ApiFixture, apiFixture } from './_support/api';
import { ORIGIN, uploadRequest } from './_support/fixtures';

let api: ApiFixture;
let tusDir: string;
beforeEach(async () => {
  tusDir = await mkdtemp(join(tmpdir(), 'bytedrop-quota-tus-'));
  api = await apiFixture({
    rateLimits: createRateLimits(),
    tus: { backend: createTusDiskBackend({ dir: tusDir, prefix: '.bytedrop-tmp/tus/' }) },
  });
});
afterEach(async () => {
  await api.dispose();
  await rm(tusDir, { recursive: true, force: true });
});

/** Adds a managed key through the API; its secret. */
async function managedKey(settings: Record<string, unknown>): Promise<string> {
  const response = await api.handler(
    new Request(`${ORIGIN}/api/keys`, {
      method: 'POST',
      body: JSON.stringify(settings),
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    }),
  );
  expect(response.status).toBe(201);
  return ((await response.json()) as { secret: string }).secret;
}

const put = (key: string, name: string, bytes: BodyInit) =>
  api.handler(
    new Request(`${ORIGIN}/upload/${name}`, { method: 'PUT', body: bytes, headers: { authorization: key } }),
  );

const answer = async (response: Response) => ({
  status: response.status,
  ...((await response.json()) as { code?: string; msg: string }),
});

describe('scopes', () => {
  it('an upload-only key uploads but may not list, read or delete (403 ERR_SCOPE naming the scope)', async () => {
    const key = await managedKey({ name: 'uploader', scopes: ['upload'] });
    const stored = await put(key, 'a.txt', 'hello');
    expect(stored.status).toBe(200);
    const { files } = (await stored.json()) as { files: { key: string }[] };
    const list = await answer(
      await api.handler(new Request(`${ORIGIN}/api/files`, { headers: { authorization: key } })),
    );
    expect(list).toMatchObject({
      status: 403,
      code: 'ERR_SCOPE',
      msg: expect.stringContaining("lacks the 'list-own' scope"),
    });
    const path = `${ORIGIN}/api/files/${files[0]!.key}`;
    expect(
      await answer(await api.handler(new Request(path, { headers: { authorization: key } }))),
    ).toMatchObject({
      code: 'ERR_SCOPE',
    });
    const removal = await answer(
      await api.handler(new Request(path, { method: 'DELETE', headers: { authorization: key } })),
    );
    expect(removal).toMatchObject({ status: 403, msg: expect.stringContaining("'delete-own'") });
    // Its usage and its limits are its own business: no scope needed.
    expect(
      (await api.handler(new Request(`${ORIGIN}/api/usage`, { headers: { authorization: key } }))).status,
    ).toBe(200);
  });

  it('a list-only key may not upload by PUT, POST or tus', async () => {
    const key = await managedKey({ name: 'reader', scopes: ['list-own'] });
    expect(await answer(await put(key, 'a.txt', 'x'))).toMatchObject({
      status: 403,
      msg: expect.stringContaining("'upload'"),
    });
    const form = uploadRequest([{ name: 'b.txt', body: 'x' }], { authorization: key });
    expect((await api.handler(form)).status).toBe(403);
    const tus = await api.handler(
      new Request(`${ORIGIN}/tus/`, {
        method: 'POST',
        headers: { authorization: key, 'tus-resumable': '1.0.0', 'upload-length': '1' },
      }),
    );
    expect(tus.status).toBe(403);
    expect(
      (await api.handler(new Request(`${ORIGIN}/api/files`, { headers: { authorization: key } }))).status,
    ).toBe(200);
  });

  it('a delete-own key deletes its own file but not another owner’s; an admin key deletes any', async () => {
    const owner = await managedKey({ name: 'owner', scopes: ['upload', 'delete-own'] });
    const stored = (await (await put(owner, 'o.txt', 'own')).json()) as { files: { key: string }[] };
    const path = `${ORIGIN}/api/files/${stored.files[0]!.key}`;
    const other = await managedKey({ name: 'other', scopes: ['delete-own'] });
    expect(
      (await api.handler(new Request(path, { method: 'DELETE', headers: { authorization: other } }))).status,
    ).toBe(403);
    expect(
      (await api.handler(new Request(path, { method: 'DELETE', headers: { authorization: owner } }))).status,
    ).toBe(200);
  });
});

describe('quotas', () => {
  it('cuts the upload that would pass the byte quota while it streams: 413 ERR_QUOTA, nothing left', async () => {
    const key = await managedKey({ name: 'small', quotaBytes: 100 });
    expect((await put(key, 'first.bin', 'a'.repeat(60))).status).toBe(200);
    const before = await api.allFiles();
    // Sent as a stream without Content-Length: only the bytes as they arrive can tell.
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 100) controller.close();
        else controller.enqueue(new Uint8Array(10).fill(98));
      },
    });
    const refused = await answer(
      await api.handler(
        new Request(`${ORIGIN}/upload/second.bin`, {
          method: 'PUT',
          body,
          headers: { authorization: key },
          duplex: 'half',
        } as RequestInit),
      ),
    );
    expect(refused).toMatchObject({
      status: 413,
      code: 'ERR_QUOTA',
      msg: expect.stringMatching(
        /'second.bin' would pass the storage quota of access key 'small': 60 B of 100 B used.*delete files you no longer need .* or ask the server admin for a larger quota/,
      ),
    });
    // Cut at the first chunk past the room, not read to the end.
    expect(sent).toBeLessThan(20);
    expect(await api.allFiles()).toEqual(before);
    // What fits still goes in.
    expect((await put(key, 'third.bin', 'c'.repeat(40))).status).toBe(200);
  });

  it('counts every file of one request: the one that passes fails the request, and the others are rolled back', async () => {
    const key = await managedKey({ name: 'multi', quotaBytes: 100 });
    const request = uploadRequest(
      [
        { name: 'one.bin', body: 'a'.repeat(60) },
        { name: 'two.bin', body: 'b'.repeat(60) },
      ],
      { authorization: key },
    );
    expect(await answer(await api.handler(request))).toMatchObject({ status: 413, code: 'ERR_QUOTA' });
    expect(await api.objects()).toEqual([]);
  });

  it('refuses a file over the files quota before reading it', async () => {
    const key = await managedKey({ name: 'few', quotaFiles: 1 });
    expect((await put(key, 'one.txt', 'one')).status).toBe(200);
    expect(await answer(await put(key, 'two.txt', 'two'))).toMatchObject({
      status: 413,
      code: 'ERR_QUOTA',
      msg: expect.stringContaining("files quota of access key 'few': 1 of 1 files used"),
    });
  });

  it('refuses a tus upload whose Upload-Length cannot fit, before a byte is staged', async () => {
    const key = await managedKey({ name: 'tusser', quotaBytes: 100 });
    const create = (length: number) =>
      api.handler(
        new Request(`${ORIGIN}/tus/`, {
          method: 'POST',
          headers: {
            authorization: key,
            'tus-resumable': '1.0.0',
            'upload-length': String(length),
            'upload-metadata': `filename ${btoa('big.bin')}`,
          },
        }),
      );
    const refused = await create(101);
    expect(refused.status).toBe(413);
    expect(await refused.json()).toMatchObject({
      code: 'ERR_QUOTA',
      msg: expect.stringContaining(
        "'big.bin' would pass the storage quota of access key 'tusser': 0 B of 100 B used, and it is 101 B",
      ),
    });
    expect((await create(100)).status).toBe(201);
  });

  it('GET /api/usage reports bytes, files and uploads today against the key’s limits', async () => {
    const key = await managedKey({
      name: 'counted',
      quotaBytes: '1kB',
      quotaFiles: 5,
      uploadsPerHour: 9,
      uploadsPerDay: 50,
    });
    await put(key, 'a.txt', 'hello');
    const usage = await api.handler(new Request(`${ORIGIN}/api/usage`, { headers: { authorization: key } }));
    expect(await usage.json()).toEqual({
      success: true,
      owner: 'counted',
      files: 1,
      bytes: 5,
      uploadsToday: 1,
      limits: { bytes: 1000, files: 5, uploadsPerHour: 9, uploadsPerDay: 50 },
    });
    const asAdmin = await api.call('/api/usage?owner=counted', ADMIN_KEY);
    expect(asAdmin.body.limits).toEqual({ bytes: 1000, files: 5, uploadsPerHour: 9, uploadsPerDay: 50 });
  });

  it('feeds a key’s rates from the catalog to the rate limiter: 429 with Retry-After', async () => {
    const key = await managedKey({ name: 'slow', uploadsPerHour: 1 });
    expect((await put(key, 'a.txt', 'a')).status).toBe(200);
    const refused = await put(key, 'b.txt', 'b');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({
      code: 'ERR_THROTTLED',
      msg: expect.stringContaining("'slow' may store 1 files per hour"),
    });
  });
});

describe('a keys file', () => {
  it('may give its keys scopes and a quota, mirrored into the catalog and enforced', async () => {
    const [key] = parseKeysFile(
      '[{"name":"filed","key":"filed-key-00000001","scopes":["upload"],"quotaBytes":"1kB","quotaFiles":2}]',
    );
    expect(key).toEqual({
      name: 'filed',
      key: 'filed-key-00000001',
      scopes: ['upload'],
      quota: { bytes: 1000, files: 2 },
    });
    const own = await apiFixture({ keys: [key!] });
    try {
      const refused = await own.handler(
        new Request(`${ORIGIN}/upload/big.bin`, {
          method: 'PUT',
          body: 'x'.repeat(1001),
          headers: { authorization: 'filed-key-00000001' },
        }),
      );
      expect(await answer(refused)).toMatchObject({ status: 413, code: 'ERR_QUOTA' });
      expect((await own.call('/api/files', 'filed-key-00000001')).body).toMatchObject({ code: 'ERR_SCOPE' });
      expect(await own.catalog.accessKeys.get('filed')).toMatchObject({
        scopes: ['upload'],
        quotaBytes: 1000,
        quotaFiles: 2,
      });
    } finally {
      await own.dispose();
    }
  });

  it.each([
    ['{"scopes":["root"]}', '"scopes" must be a list of upload, delete-own, list-own, admin'],
    ['{"scopes":[]}', '"scopes" must be a list of'],
    ['{"quotaBytes":"lots"}', '"quotaBytes" must be a number of bytes or a size like "5GB"'],
    ['{"quotaFiles":1.5}', '"quotaFiles" must be a whole number of files above 0'],
  ])('refuses %s naming the entry and the fix', (extra, message) => {
    const text = `[{"name":"x","key":"x-key-000000001",${extra.slice(1, -1)}}]`;
    expect(() => parseKeysFile(text)).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG',
        message: expect.stringContaining(`keys file entry 'x': ${message}`),
      }),
    );
  });
});
