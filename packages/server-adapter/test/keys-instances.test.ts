/**
 * Two server instances sharing one PostgreSQL catalog, one Redis (bans and upload rates) and one store, as behind a
 * load balancer: a key added on one works on the other, a revocation or rotation on one counts on the other at its
 * next request, a quota counts what was stored through either, wrong keys sent to both ban the client on both, and a
 * key's hourly rate counts the uploads made through either.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresCatalog } from '../src/catalog/postgres';
import type { Catalog } from '../src/catalog/types';
import { type BytedropHandler, createHandler } from '../src/handler';
import { createRateLimits } from '../src/rate-limits';
import { createRedisBans, type RedisBans } from '../src/redis-bans';
import { ADMIN_KEY } from './_support/api';
import { postgresDatabase } from './_support/catalogs';
import { ORIGIN, SECRET } from './_support/fixtures';
import { freePort } from './_support/net';
import { startRedis } from './_support/redis';

let dir: string;
const catalogs: Catalog[] = [];
let a: BytedropHandler;
let b: BytedropHandler;
let redis: ChildProcess;
const bans: RedisBans[] = [];
const counters: Redis[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bytedrop-keys-instances-'));
  const url = await postgresDatabase();
  const port = await freePort();
  redis = await startRedis(port);
  const quiet = { info() {}, warn() {}, error() {} };
  const instance = async () => {
    const catalog = await createPostgresCatalog({ url });
    catalogs.push(catalog);
    const store = createLocalDiskStore({ dir, publicBaseUrl: `${ORIGIN}/f` });
    const instanceBans = createRedisBans({
      url: `redis://127.0.0.1:${port}`,
      keyPrefix: 'keys-instances',
      maxFailures: 3,
      banSeconds: 3600,
      commandTimeoutMs: 2000,
      logger: quiet,
    });
    await instanceBans.ready();
    bans.push(instanceBans);
    const counter = new Redis(port, '127.0.0.1');
    counters.push(counter);
    return createHandler({
      uploader: createUploader({ bucket: 'local-disk' }, { store }),
      store,
      keys: [{ name: 'root', key: ADMIN_KEY, admin: true }],
      secret: SECRET,
      catalog,
      bans: instanceBans,
      rateLimits: createRateLimits({ redis: counter, keyPrefix: 'keys-instances:rate' }),
    });
  };
  [a, b] = [await instance(), await instance()];
});
afterAll(async () => {
  await Promise.all(catalogs.map((catalog) => catalog.close()));
  await Promise.all(bans.map((store) => store.close()));
  for (const counter of counters) counter.disconnect();
  redis?.kill();
  await rm(dir, { recursive: true, force: true });
});

async function admin(handler: BytedropHandler, method: string, path: string, body?: unknown) {
  const response = await handler(
    new Request(`${ORIGIN}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  return (await response.json()) as { secret: string; key: { status: string } };
}

const put = async (handler: BytedropHandler, key: string, name: string, bytes: string, ip = '10.0.0.1') => {
  const response = await handler(
    new Request(`${ORIGIN}/upload/${name}`, { method: 'PUT', body: bytes, headers: { authorization: key } }),
    { ip },
  );
  return { status: response.status, ...((await response.json()) as { code?: string; msg: string }) };
};

describe('two instances on one PostgreSQL and one Redis', () => {
  it('share keys, revocation and rotation', async () => {
    const { secret } = await admin(a, 'POST', '/api/keys', { name: 'shared' });
    expect((await put(b, secret, 'one.txt', 'one')).status).toBe(200);
    const rotated = await admin(b, 'POST', '/api/keys/shared/rotate');
    expect((await put(a, secret, 'two.txt', 'two')).status).toBe(401);
    expect((await put(a, rotated.secret, 'three.txt', 'three')).status).toBe(200);
    expect((await admin(b, 'DELETE', '/api/keys/shared')).key.status).toBe('revoked');
    expect(await put(a, rotated.secret, 'four.txt', 'four')).toMatchObject({
      status: 401,
      msg: expect.stringContaining("access key 'shared' was revoked"),
    });
  });

  it('share quotas: what one instance stored counts on the other', async () => {
    const { secret } = await admin(b, 'POST', '/api/keys', {
      name: 'capped',
      quotaBytes: 100,
      quotaFiles: 3,
    });
    expect((await put(a, secret, 'big.bin', 'a'.repeat(80))).status).toBe(200);
    expect(await put(b, secret, 'more.bin', 'b'.repeat(40))).toMatchObject({
      status: 413,
      code: 'ERR_QUOTA',
      msg: expect.stringContaining('80 B of 100 B used'),
    });
    const usage = await b(new Request(`${ORIGIN}/api/usage`, { headers: { authorization: secret } }));
    expect(await usage.json()).toMatchObject({ files: 1, bytes: 80, limits: { bytes: 100, files: 3 } });
  });

  it('share bans: wrong keys sent to both ban the client on both', async () => {
    const { secret } = await admin(a, 'POST', '/api/keys', { name: 'banned-client' });
    const ip = '10.9.9.9';
    expect((await put(a, 'wrong-key-000000001', 'x.txt', 'x', ip)).status).toBe(401);
    expect((await put(b, 'wrong-key-000000002', 'x.txt', 'x', ip)).status).toBe(401);
    expect((await put(a, 'wrong-key-000000003', 'x.txt', 'x', ip)).status).toBe(401);
    // The third wrong key (two on one instance, one on the other) banned the client everywhere, even with a good key.
    expect(await put(b, secret, 'y.txt', 'y', ip)).toMatchObject({ status: 403, code: 'ERR_FORBIDDEN' });
    expect((await put(b, secret, 'y.txt', 'y', '10.0.0.2')).status).toBe(200);
  });

  it('share upload rates: a key’s uploads per hour count through either instance', async () => {
    const { secret } = await admin(a, 'POST', '/api/keys', { name: 'rated', uploadsPerHour: 2 });
    expect((await put(a, secret, 'r1.txt', 'r1')).status).toBe(200);
    expect((await put(b, secret, 'r2.txt', 'r2')).status).toBe(200);
    expect(await put(a, secret, 'r3.txt', 'r3')).toMatchObject({ status: 429, code: 'ERR_THROTTLED' });
  });
});
