/**
 * Upload rates per access key: a file over the rate is refused whole with 429 and Retry-After, other keys go on, the
 * window passing lets uploads in again, a multi-file request over the rate leaves nothing, two instances on one
 * real redis-server count together, a Redis that is gone is a 503, and bad rates stop the start naming the field.
 */
import type { ChildProcess } from 'node:child_process';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseKeysFile } from '../src/auth';
import { createRateLimits } from '../src/rate-limits';
import { serverSettingsFromEnv } from '../src/settings';
import { KEY, KEY2, type LocalFixture, localFixture, uploadRequest } from './_support/fixtures';
import { freePort } from './_support/net';
import { startRedis } from './_support/redis';

const upload = (fx: LocalFixture, key: string, name: string, files = 1) =>
  fx.handler(
    uploadRequest(
      Array.from({ length: files }, (_, i) => ({
        name: `${i}-${name}`,
        body: `${name} ${i} ${Math.random()}`,
      })),
      { authorization: key },
    ),
  );

/** The fixture's keys: alice with her own rate, bob with none. */
const keys = (perHour: number) => [
  { name: 'alice', key: KEY, prefix: 'alice/', rates: { perHour } },
  { name: 'bob', key: KEY2 },
];

describe('upload rates in memory', () => {
  let fx: LocalFixture;
  afterEach(() => fx.dispose());

  it('refuses the file over the rate with 429, Retry-After and the rate it is over; other keys go on', async () => {
    fx = await localFixture({ keys: keys(2), rateLimits: createRateLimits() });
    expect((await upload(fx, KEY, 'a.txt')).status).toBe(200);
    expect((await upload(fx, KEY, 'b.txt')).status).toBe(200);
    const refused = await upload(fx, KEY, 'c.txt');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3500);
    expect(await refused.json()).toMatchObject({
      code: 'ERR_THROTTLED',
      msg: expect.stringMatching(
        /access key 'alice' may store 2 files per hour: the next one is allowed in \d+ s/,
      ),
    });
    expect((await fx.objects()).length).toBe(2);
    // bob has no rate of his own and there is no default.
    for (let i = 0; i < 3; i++) expect((await upload(fx, KEY2, `bob-${i}.txt`)).status).toBe(200);
  });

  it('a multi-file request that passes the rate is refused whole: nothing of it is kept', async () => {
    fx = await localFixture({ keys: keys(2), rateLimits: createRateLimits() });
    const refused = await upload(fx, KEY, 'many.txt', 3);
    expect(refused.status).toBe(429);
    expect(await fx.objects()).toEqual([]);
  });

  it('defaults count keys without rates of their own; a per-day rate counts beside the hourly one', async () => {
    fx = await localFixture({ rateLimits: createRateLimits({ defaults: { perHour: 5, perDay: 1 } }) });
    expect((await upload(fx, KEY2, 'first.txt')).status).toBe(200);
    const refused = await upload(fx, KEY2, 'second.txt');
    expect(refused.status).toBe(429);
    expect((await refused.json()).msg).toContain("'bob' may store 1 files per day");
  });

  it('lets uploads in again once the window has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    try {
      fx = await localFixture({ keys: keys(1), rateLimits: createRateLimits() });
      expect((await upload(fx, KEY, 'now.txt')).status).toBe(200);
      expect((await upload(fx, KEY, 'too-soon.txt')).status).toBe(429);
      await vi.advanceTimersByTimeAsync(3600 * 1000);
      expect((await upload(fx, KEY, 'later.txt')).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('upload rates in Redis', () => {
  let redis: ChildProcess;
  let port: number;
  const clients: Redis[] = [];
  const fixtures: LocalFixture[] = [];
  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
  });
  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((fx) => fx.dispose()));
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(() => redis.kill());

  const client = (options: RedisOptions = {}) => {
    const made = new Redis(port, '127.0.0.1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      ...options,
    });
    made.on('error', () => undefined);
    clients.push(made);
    return made;
  };

  it('two instances on one Redis count one key together', async () => {
    const a = client();
    const b = client();
    await Promise.all([a, b].map((c) => new Promise((ready) => c.once('ready', ready))));
    const prefix = `test:${Math.random()}`;
    const one = await localFixture({
      keys: keys(3),
      rateLimits: createRateLimits({ redis: a, keyPrefix: prefix }),
    });
    const two = await localFixture({
      keys: keys(3),
      rateLimits: createRateLimits({ redis: b, keyPrefix: prefix }),
    });
    fixtures.push(one, two);
    const statuses = [];
    for (const [i, fx] of [one, two, one, two].entries())
      statuses.push((await upload(fx, KEY, `${i}.txt`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('a file refused by the daily rate gives back the hourly count it took', async () => {
    const redis = client();
    await new Promise((ready) => redis.once('ready', ready));
    const prefix = `test:${Math.random()}`;
    const fx = await localFixture({
      keys: [{ name: 'alice', key: KEY, rates: { perHour: 5, perDay: 1 } }],
      rateLimits: createRateLimits({ redis, keyPrefix: prefix }),
    });
    fixtures.push(fx);
    expect((await upload(fx, KEY, 'first.txt')).status).toBe(200);
    expect((await upload(fx, KEY, 'second.txt')).status).toBe(429);
    // The hourly counter holds the one stored file, not the refused one.
    expect(await redis.get(`${prefix}:3600:5:alice`)).toBe('1');
  });

  it('a Redis that is gone is a 503 saying the count is unavailable, and nothing is stored', async () => {
    const gone = client({ lazyConnect: true, port: await freePort(), retryStrategy: () => null });
    const fx = await localFixture({ keys: keys(3), rateLimits: createRateLimits({ redis: gone }) });
    fixtures.push(fx);
    const response = await upload(fx, KEY, 'x.txt');
    expect(response.status).toBe(503);
    expect((await response.json()).msg).toContain('cannot count uploads right now');
    expect(await fx.objects()).toEqual([]);
  });
});

describe('bad rates', () => {
  it.each([0, -1, 1.5, '10', null])(
    'a keys file rate of %j stops the start naming the key and field',
    (value) => {
      const text = JSON.stringify([{ name: 'carol', key: 'carol-key-0001', uploadsPerHour: value }]);
      expect(() => parseKeysFile(text, 'keys.json')).toThrow(
        expect.objectContaining({
          code: 'ERR_CONFIG',
          message: expect.stringContaining(
            `keys.json entry 'carol': "uploadsPerHour" must be a whole number of uploads above 0`,
          ),
        }),
      );
    },
  );

  it('reads per-key rates from a keys file, and UPLOADS_PER_HOUR / UPLOADS_PER_DAY from the environment', () => {
    const [carol] = parseKeysFile(
      JSON.stringify([{ name: 'carol', key: 'carol-key-0001', uploadsPerHour: 10, uploadsPerDay: 50 }]),
    );
    expect(carol?.rates).toEqual({ perHour: 10, perDay: 50 });
    expect(serverSettingsFromEnv({ UPLOADS_PER_HOUR: '60' }).uploadRates).toEqual({ perHour: 60 });
    expect(() => serverSettingsFromEnv({ UPLOADS_PER_DAY: 'lots' })).toThrow(
      /UPLOADS_PER_DAY='lots' must be a whole number of uploads above 0/,
    );
  });
});
