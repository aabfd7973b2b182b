/**
 * Two server instances on one bucket and one Redis never write one tus upload at once: while instance A is reading a
 * PATCH body, instance B's PATCH of the same upload is answered 423 (tus clients retry it), its HEAD still answers,
 * and once A is done B resumes where A left off. Also the local-disk backend: a partial file, cut back on a bad
 * checksum, finished through core.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRgw } from '../../core/test/_support/rgw';
import { getBytes, inspector, bytes as random } from '../../core/test/_support/s3';
import { TUS_TEMP_PREFIX } from '../src/_tus-setup';
import { type BytedropHandler, createHandler } from '../src/handler';
import { createTusDiskBackend } from '../src/tus-disk';
import { createRedisTusLocks, type RedisTusLocks } from '../src/tus-redis-locks';
import { KEY, ORIGIN, SECRET } from './_support/fixtures';
import { freePort } from './_support/net';
import { startRedis } from './_support/redis';
import { rgwHandler } from './_support/rgw-server';

const MiB = 1024 * 1024;
const rgw = useRgw('server-tus-instances');

const headers = (more: Record<string, string> = {}) => ({
  'tus-resumable': '1.0.0',
  authorization: KEY,
  ...more,
});
const patchHeaders = (offset: number, more: Record<string, string> = {}) =>
  headers({ 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset), ...more });

async function create(handler: BytedropHandler, length: number): Promise<string> {
  const response = await handler(
    new Request(`${ORIGIN}/tus/`, {
      method: 'POST',
      headers: headers({ 'upload-length': String(length), 'upload-metadata': `filename ${btoa('two.bin')}` }),
    }),
  );
  expect(response.status).toBe(201);
  return new URL(response.headers.get('location')!).pathname;
}

describe('two instances on one Redis', () => {
  let redis: ChildProcess;
  let port: number;
  const locks: RedisTusLocks[] = [];

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
  });
  afterAll(async () => {
    await Promise.all(locks.map((lock) => lock.close()));
    redis?.kill();
  });

  const instance = (lockWaitMs = 0) => {
    const lock = createRedisTusLocks({ url: `redis://127.0.0.1:${port}` });
    locks.push(lock);
    // B does not wait: its PATCH is answered while A still holds the lock (the test releases A only after it).
    return rgwHandler(rgw, { tus: { locks: lock, lockWaitMs } }, { partSize: 5 * MiB });
  };

  it('lets one instance write an upload at a time', async () => {
    const [a, b] = [instance(), instance()];
    const data = random(6 * MiB);
    const path = await create(a, data.byteLength);

    // A's body: the first MiB, then held until the test lets it end.
    let reading!: () => void;
    const started = new Promise<void>((resolve) => {
      reading = resolve;
    });
    let finish!: () => void;
    const held = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let step = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (step++ === 0) {
          controller.enqueue(data.subarray(0, MiB));
          reading();
          return;
        }
        await held;
        controller.close();
      },
    });
    const first = a(
      new Request(`${ORIGIN}${path}`, {
        method: 'PATCH',
        headers: patchHeaders(0),
        body,
        duplex: 'half',
      } as RequestInit),
    );
    await started;

    const blocked = await b(
      new Request(`${ORIGIN}${path}`, { method: 'PATCH', headers: patchHeaders(0), body: data }),
    );
    expect(blocked.status).toBe(423);
    expect((await blocked.json()).msg).toMatch(/being written by another request: retry/);
    const head = await b(new Request(`${ORIGIN}${path}`, { method: 'HEAD', headers: headers() }));
    expect(head.status).toBe(200);

    // C waits for the lock instead: it gets it once A let go, and finds the offset A left (409, HEAD and resume).
    const waiting = instance(60_000)(
      new Request(`${ORIGIN}${path}`, { method: 'PATCH', headers: patchHeaders(0), body: data }),
    );
    finish();
    expect((await waiting).status).toBe(409);
    const done = await first;
    expect(done.status).toBe(204);
    expect(done.headers.get('upload-offset')).toBe(String(MiB));

    const rest = await b(
      new Request(`${ORIGIN}${path}`, {
        method: 'PATCH',
        headers: patchHeaders(MiB),
        body: data.subarray(MiB),
      }),
    );
    expect(rest.status).toBe(204);
    const key = new URL(rest.headers.get('bytedrop-url')!).pathname.split('/').slice(2).join('/');
    expect(
      Buffer.from(await getBytes(inspector(rgw.direct), rgw.bucket, key)).equals(Buffer.from(data)),
    ).toBe(true);
  });
});

describe('the local-disk backend', () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('appends to a partial file, cuts a bad chunk back off, and finishes through core', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-tus-'));
    const store = createLocalDiskStore({ dir, publicBaseUrl: `${ORIGIN}/f` });
    const handler = createHandler({
      uploader: createUploader({ bucket: 'local-disk', keyTemplate: '{hash:16}.{ext}' }, { store }),
      files: store,
      keys: [{ name: 'alice', key: KEY }],
      secret: SECRET,
      tus: { backend: createTusDiskBackend({ dir, prefix: TUS_TEMP_PREFIX }) },
    });
    const data = random(300_000);
    const path = await create(handler, data.byteLength);
    const send = (offset: number, end: number, checksum?: string) =>
      handler(
        new Request(`${ORIGIN}${path}`, {
          method: 'PATCH',
          headers: patchHeaders(offset, checksum ? { 'upload-checksum': checksum } : {}),
          body: data.subarray(offset, end),
        }),
      );
    expect((await send(0, 100_000)).status).toBe(204);
    const bad = await send(
      100_000,
      300_000,
      `sha256 ${createHash('sha256').update('other').digest('base64')}`,
    );
    expect(bad.status).toBe(460);
    const partial = join(dir, ...TUS_TEMP_PREFIX.split('/').filter(Boolean), path.split('/').pop()!);
    expect((await readdir(join(partial, '..'))).length).toBe(2);
    const good = await send(
      100_000,
      300_000,
      `sha1 ${createHash('sha1').update(data.subarray(100_000)).digest('base64')}`,
    );
    expect(good.status).toBe(204);
    const key = new URL(good.headers.get('bytedrop-url')!).pathname.slice(3);
    const file = await store.read(key);
    const stored = new Uint8Array(await new Response(file!.stream).arrayBuffer());
    expect(Buffer.from(stored).equals(Buffer.from(data))).toBe(true);
    // Only the record is left (for GET), swept with the other leftovers.
    expect(await readdir(join(partial, '..'))).toEqual([`${path.split('/').pop()}.info`]);
  });
});
