/**
 * What a client without a key can learn: `/health` says ok or failing and nothing else, no answer carries a path,
 * an endpoint or a bucket, malformed input is a 4xx, and the local store's internal folders are never served.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createUploader, type ObjectStore } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../src/handler';
import { type RunningServer, serve } from '../src/node';
import { KEY, type LocalFixture, localFixture, ORIGIN, SECRET, uploadRequest } from './_support/fixtures';
import { rawExchange } from './_support/net';

let fx: LocalFixture;
beforeEach(async () => {
  fx = await localFixture();
});
afterEach(() => fx.dispose());

const get = (path: string, headers: Record<string, string> = {}) =>
  fx.handler(new Request(`${ORIGIN}${path}`, { headers }));

/** A store whose `check` is counted and can be made to fail. */
function countedStore(store: ObjectStore, failure?: Error) {
  const calls = { check: 0 };
  const counted: ObjectStore = {
    ...store,
    kind: store.kind,
    check: async () => {
      calls.check += 1;
      if (failure) throw failure;
    },
  };
  return { counted, calls };
}

describe('GET /health', () => {
  it('says only ok to a client without a key, and the details to one with a key', async () => {
    const anonymous = await get('/health');
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ status: 'ok' });
    const keyed = await get('/health', { authorization: KEY });
    expect(keyed.status).toBe(200);
    expect(await keyed.json()).toEqual({
      status: 'ok',
      storage: { status: 'ok', kind: 'local-disk' },
      bans: { status: 'ok', kind: 'memory' },
    });
  });

  it('says only failing without a key when storage fails: no kind, message, path or endpoint', async () => {
    const { counted } = countedStore(
      fx.store,
      new Error(`cannot write ${fx.dir} at endpoint 'http://10.1.2.3:9000' bucket 'secret-bucket'`),
    );
    const handler = createHandler({
      uploader: createUploader({ bucket: 'x' }, { store: fx.store }),
      store: counted,
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
    });
    const anonymous = await handler(new Request(`${ORIGIN}/health`));
    expect(anonymous.status).toBe(503);
    const text = await anonymous.text();
    expect(JSON.parse(text)).toEqual({ status: 'failing' });
    const keyed = await handler(new Request(`${ORIGIN}/health`, { headers: { authorization: KEY } }));
    expect(keyed.status).toBe(503);
    expect(await keyed.json()).toMatchObject({
      status: 'failing',
      storage: { status: 'failing', kind: 'local-disk', msg: /secret-bucket/ },
    });
  });

  it('checks storage once for a burst of calls, not on every call', async () => {
    const { counted, calls } = countedStore(fx.store);
    const handler = createHandler({
      uploader: createUploader({ bucket: 'x' }, { store: fx.store }),
      store: counted,
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
    });
    const burst = await Promise.all(
      Array.from({ length: 20 }, () => handler(new Request(`${ORIGIN}/health`))),
    );
    expect(burst.map((response) => response.status)).toEqual(Array(20).fill(200));
    for (let i = 0; i < 20; i++) expect((await handler(new Request(`${ORIGIN}/health`))).status).toBe(200);
    expect(calls.check).toBe(1);
  });
});

describe('no path, endpoint or bucket in an answer to a client without a key', () => {
  it('answers a 300-byte /f/ segment with 404, without the data path', async () => {
    const response = await get(`/f/${'a'.repeat(300)}`);
    expect(response.status).toBe(404);
    const text = await response.text();
    expect(text).not.toContain(fx.dir);
    expect(JSON.parse(text)).toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect((await get(`/f/${'a/'.repeat(600)}x`)).status).toBe(404);
  });

  it("answers a delete whose storage is down with 503, without the storage's endpoint or bucket", async () => {
    const handler = createHandler({
      uploader: createUploader({
        provider: 'minio',
        endpoint: 'http://127.0.0.1:1',
        bucket: 'secret-bucket',
        accessKeyId: 'k',
        secretAccessKey: 's',
        forcePathStyle: true,
        // A refused connection is final here: the default six tries spent ~12 s of backoff on the same answer.
        maxAttempts: 1,
      }),
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
    });
    const { createDeleteTokens } = await import('../src/delete-token');
    const token = await createDeleteTokens(SECRET).sign('2024/a.png', 'a');
    const response = await handler(
      new Request(`${ORIGIN}/files/2024/a.png?token=${token}`, { method: 'DELETE' }),
    );
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ success: false, code: 'ERR_NETWORK' });
    expect(text).not.toContain('secret-bucket');
    expect(text).not.toContain('127.0.0.1:1');
  });
});

describe("the local store's internal folders are never served", () => {
  it('answers 404 for /f/.bytedrop-tmp/, /f/.bytedrop-partial/ and /f/.bytedrop-meta/', async () => {
    // The uploader stages one-shot streams at `.bytedrop-tmp/<id>` through the store itself, so it is a real object.
    await fx.store.put('.bytedrop-tmp/3f2a9c', new TextEncoder().encode('half an upload'), {
      contentType: 'text/plain',
    });
    expect(await fx.store.read('.bytedrop-tmp/3f2a9c')).toBeUndefined();
    await mkdir(join(fx.dir, '.bytedrop-partial'), { recursive: true });
    await writeFile(join(fx.dir, '.bytedrop-partial', 'b1c2'), 'in progress');
    const uploaded = await fx.handler(uploadRequest([{ name: 'a.txt', body: 'a' }]));
    const key = ((await uploaded.json()) as { files: { key: string }[] }).files[0]!.key;
    for (const path of [
      '/f/.bytedrop-tmp/3f2a9c',
      '/f/.bytedrop-partial/b1c2',
      `/f/.bytedrop-meta/${key}.json`,
      '/f/.bytedrop-tmp',
    ]) {
      expect((await get(path)).status, path).toBe(404);
    }
  });
});

describe('a bad Host header over the Node runner', () => {
  let server: RunningServer;
  beforeEach(async () => {
    const store = createLocalDiskStore({ dir: join(fx.dir, 'files'), publicBaseUrl: 'http://unused/f' });
    server = await serve({
      port: 0,
      hostname: '127.0.0.1',
      uploader: createUploader({ bucket: 'local-disk' }, { store }),
      files: store,
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
    });
  });
  afterEach(() => server.close(true));

  it.each(['x:99999', 'a b', '[::1', 'exa%mple.com'])(
    'answers Host: %s with 400 and keeps serving',
    async (host) => {
      const raw = await rawExchange(
        server.port,
        `GET /config/sharex.sxcu HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      expect(raw.status).toBe(400);
      expect(JSON.parse(raw.body)).toMatchObject({ success: false, code: 'ERR_INPUT', msg: /Host/ });
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    },
  );
});
