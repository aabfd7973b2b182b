/**
 * Bans shared between two server instances through a real redis-server (started here on a free port, no persistence).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BanStore } from '../src/bans';
import { type RunningServer, serve } from '../src/node';
import { createRedisBans, type RedisBans } from '../src/redis-bans';
import { KEY, SECRET } from './_support/fixtures';
import { freePort, waitFor } from './_support/net';
import { startRedis } from './_support/redis';

/**
 * While `burst` is set, holds every key check's settle until `burst.size` requests have reached the ban store: all
 * of them are then racing at once, the worst case for counting (over HTTP they would otherwise trickle in).
 */
let burst: { size: number; arrived: number; open: () => void; all: Promise<void> } | undefined;

function racing(store: RedisBans): BanStore {
  return {
    kind: store.kind,
    check: () => store.check(),
    async reserve(client, signal) {
      const gate = burst;
      if (gate && ++gate.arrived === gate.size) gate.open();
      const reservation = await store.reserve(client, signal);
      if (!gate || !reservation.guess) return reservation;
      const { guess } = reservation;
      return {
        guess: {
          refund: () => gate.all.then(() => guess.refund()),
          spend: () => gate.all.then(() => guess.spend()),
        },
      };
    },
  };
}

describe('two instances sharing bans through redis', () => {
  let redis: ChildProcess;
  let port: number;
  let dir: string;
  const servers: RunningServer[] = [];
  const bans: RedisBans[] = [];
  const errors: string[] = [];
  const checked: string[] = [];

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-redis-'));
    const store = createLocalDiskStore({ dir, publicBaseUrl: 'http://unused/f' });
    const logger = {
      info() {},
      warn: (_object: Record<string, unknown>, message?: string) => checked.push(message ?? ''),
      error: (_object: Record<string, unknown>, message?: string) => errors.push(message ?? ''),
    };
    // The two sharing instances wait long for redis: 300 racing requests on a loaded machine must not time out (a
    // 503 is not what the burst test counts). The third answers the hang test, whose point is its short timeout.
    for (const commandTimeoutMs of [30_000, 30_000, 500]) {
      const instanceBans = createRedisBans({
        url: `redis://127.0.0.1:${port}`,
        keyPrefix: `bytedrop-test-${process.pid}`,
        maxFailures: 3,
        banSeconds: 3600,
        commandTimeoutMs,
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
          bans: racing(instanceBans),
          // Each test plays its own client through X-Forwarded-For, so one test's ban does not end the next.
          trustProxy: { addresses: ['loopback'] },
          healthCacheMs: 1,
          logger,
        }),
      );
    }
  });
  afterAll(async () => {
    if (redis?.exitCode === null) redis.kill('SIGCONT');
    for (const server of servers) await server.close(true);
    for (const store of bans) await store.close();
    redis?.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const put = (server: RunningServer, key: string, client: string) =>
    fetch(`${server.url}/upload/a.txt`, {
      method: 'PUT',
      body: 'a',
      headers: { authorization: key, 'x-forwarded-for': client },
    });

  it('3 wrong keys on instance A ban the client on instance B', async () => {
    const [a, b] = servers as [RunningServer, RunningServer];
    const client = '203.0.113.1';
    expect((await put(b, KEY, client)).status).toBe(200);
    expect((await put(a, 'wrong-key-1', client)).status).toBe(401);
    expect((await put(a, 'wrong-key-2', client)).status).toBe(401);
    const third = await put(a, 'wrong-key-3', client);
    expect(third.status).toBe(401);
    expect(await third.json()).toMatchObject({
      code: 'ERR_AUTH',
      msg: /last try.*banned until .*\(60 minutes\)/,
    });
    const onB = await put(b, KEY, client);
    expect(onB.status).toBe(403);
    expect(await onB.json()).toMatchObject({
      code: 'ERR_FORBIDDEN',
      msg: /banned until .*\(60 more minutes\)/,
    });
    // The ban is the configured hour, counted from the failure that caused it.
    const inspector = new Redis(port, '127.0.0.1');
    try {
      const keys = await inspector.keys(`bytedrop-test-${process.pid}:{${client}}*`);
      expect(keys).toEqual([`bytedrop-test-${process.pid}:{${client}}:failures`]);
      const ttl = await inspector.pttl(keys[0]!);
      expect(ttl).toBeGreaterThan(3500_000);
      expect(ttl).toBeLessThanOrEqual(3600_000);
    } finally {
      inspector.disconnect();
    }
  });

  it('lifts a ban for every instance at once (what `bytedrop-server unban` does with REDIS_URL)', async () => {
    const [a, b] = servers as [RunningServer, RunningServer];
    const client = '203.0.113.9';
    for (let i = 1; i <= 3; i++) expect((await put(a, `wrong-key-${i}`, client)).status).toBe(401);
    expect((await put(b, KEY, client)).status).toBe(403);
    expect(await bans[1]!.lift(client)).toBe(true);
    expect((await put(a, KEY, client)).status).toBe(200);
    expect((await put(b, KEY, client)).status).toBe(200);
    // Nothing left to lift: said so.
    expect(await bans[0]!.lift(client)).toBe(false);
  });

  it('counts a burst of 300 wrong keys over both instances exactly: 3 checked, the rest refused unchecked', async () => {
    const [a, b] = servers as [RunningServer, RunningServer];
    const client = '203.0.113.2';
    checked.length = 0;
    let open!: () => void;
    const all = new Promise<void>((resolve) => {
      open = resolve;
    });
    burst = { size: 300, arrived: 0, open, all };
    const responses = await Promise.all(
      Array.from({ length: 300 }, (_, i) => put(i % 2 ? a : b, `wrong-key-${i}`, client)),
    ).finally(() => {
      burst = undefined;
    });
    // Only three keys were checked at all: the rest were refused before their key was looked at.
    expect(checked.filter((message) => message === 'wrong access key')).toHaveLength(3);
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(3);
    expect(statuses.filter((status) => status === 403)).toHaveLength(297);
    // No right key gets in after the ban, on either instance.
    expect((await put(a, KEY, client)).status).toBe(403);
    expect((await put(b, KEY, client)).status).toBe(403);
  });

  it('lets parallel uploads with the right key through on both instances', async () => {
    const [a, b] = servers as [RunningServer, RunningServer];
    const client = '203.0.113.3';
    expect((await put(a, 'wrong-key', client)).status).toBe(401);
    expect((await put(a, 'wrong-key', client)).status).toBe(401);
    // One guess left: 40 right keys share it in turn (each gives it back), none is refused.
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => put(i % 2 ? a : b, KEY, client)),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(40).fill(200));
  });

  it('reports redis in /health: ok or failing without a key, the details with one', async () => {
    const [a] = servers as [RunningServer];
    const keyed = await fetch(`${a.url}/health`, {
      headers: { authorization: KEY, 'x-forwarded-for': '203.0.113.4' },
    });
    expect(await keyed.json()).toMatchObject({ status: 'ok', bans: { status: 'ok', kind: 'redis' } });
  });

  it('answers 503 at once while redis hangs (SIGSTOP), and serves again when it is back', async () => {
    const [, , a] = servers as [RunningServer, RunningServer, RunningServer];
    const client = '203.0.113.5';
    redis.kill('SIGSTOP');
    try {
      const hung = await put(a, KEY, client);
      expect(hung.status).toBe(503);
      expect(await hung.json()).toMatchObject({ code: 'ERR_NETWORK', msg: /ban store unreachable/ });
      const health = await fetch(`${a.url}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: 'failing' });
    } finally {
      redis.kill('SIGCONT');
    }
    await waitFor('redis to answer again', async () => (await put(a, KEY, client)).status === 200);
  });

  it('fails closed when redis is unreachable, and says so in the log', async () => {
    redis.kill('SIGKILL');
    await new Promise((resolve) => redis.once('exit', resolve));
    const [, , a] = servers as [RunningServer, RunningServer, RunningServer];
    await waitFor('the client to notice', () => errors.some((message) => /redis unreachable/.test(message)));
    const response = await put(a, KEY, '203.0.113.6');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: 'ERR_NETWORK', msg: /ban store unreachable/ });
    expect(errors.some((message) => /ban store unreachable/.test(message))).toBe(true);
    expect((await fetch(`${a.url}/health`)).status).toBe(503);
  });
});
