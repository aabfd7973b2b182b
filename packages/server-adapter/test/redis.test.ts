/**
 * Bans shared between two server instances through a real redis-server (started here on a free port, no persistence).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../src/node';
import { createRedisBans, type RedisBans } from '../src/redis-bans';
import { KEY, SECRET } from './_support/fixtures';
import { freePort, waitFor } from './_support/net';

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const probe = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  await waitFor('redis-server to answer PING', async () => {
    try {
      if (probe.status !== 'ready') await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      probe.disconnect();
      return false;
    }
  });
  probe.disconnect();
  return child;
}

describe('two instances sharing bans through redis', () => {
  let redis: ChildProcess;
  let port: number;
  let dir: string;
  const servers: RunningServer[] = [];
  const bans: RedisBans[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-redis-'));
    const store = createLocalDiskStore({ dir, publicBaseUrl: 'http://unused/f' });
    const logger = {
      info() {},
      warn() {},
      error: (_object: Record<string, unknown>, message?: string) => errors.push(message ?? ''),
    };
    for (let i = 0; i < 2; i++) {
      const instanceBans = createRedisBans({
        url: `redis://127.0.0.1:${port}`,
        keyPrefix: `bytedrop-test-${process.pid}`,
        maxFailures: 3,
        banSeconds: 3600,
        logger,
      });
      await instanceBans.ready();
      bans.push(instanceBans);
      servers.push(
        await serve({
          port: 0,
          hostname: '127.0.0.1',
          uploader: createUploader({ bucket: 'local-disk' }, { store }),
          files: store,
          keys: [{ name: 'a', key: KEY }],
          secret: SECRET,
          bans: instanceBans,
          logger,
        }),
      );
    }
  });
  afterAll(async () => {
    for (const server of servers) await server.close(true);
    for (const store of bans) await store.close();
    redis?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  const put = (server: RunningServer, key: string) =>
    fetch(`${server.url}/upload/a.txt`, { method: 'PUT', body: 'a', headers: { authorization: key } });

  it('3 wrong keys on instance A ban the client on instance B', async () => {
    const [a, b] = servers as [RunningServer, RunningServer];
    expect((await put(b, KEY)).status).toBe(200);
    expect((await put(a, 'wrong-key-1')).status).toBe(401);
    expect((await put(a, 'wrong-key-2')).status).toBe(401);
    expect((await put(a, 'wrong-key-3')).status).toBe(403);
    const onB = await put(b, KEY);
    expect(onB.status).toBe(403);
    expect(await onB.json()).toMatchObject({ code: 'ERR_FORBIDDEN', msg: /banned for 60 more minutes/ });
    // The ban is the configured hour, counted from the failure that caused it.
    const inspector = new Redis(port, '127.0.0.1');
    try {
      const keys = await inspector.keys(`bytedrop-test-${process.pid}*`);
      expect(keys).toHaveLength(1);
      const ttl = await inspector.pttl(keys[0]!);
      expect(ttl).toBeGreaterThan(3500_000);
      expect(ttl).toBeLessThanOrEqual(3600_000);
    } finally {
      inspector.disconnect();
    }
  });

  it('fails closed when redis is unreachable, and says so in the log', async () => {
    redis.kill('SIGKILL');
    await new Promise((resolve) => redis.once('exit', resolve));
    const [a] = servers as [RunningServer];
    await waitFor('the client to notice', () => errors.some((message) => /redis unreachable/.test(message)));
    const response = await put(a, KEY);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: 'ERR_NETWORK', msg: /ban store unreachable/ });
    expect(errors.some((message) => /ban store unreachable/.test(message))).toBe(true);
    // Storage does not depend on redis: health stays ok.
    expect((await fetch(`${a.url}/health`)).status).toBe(200);
  });
});
