/**
 * Bans shared through Redis, so several server instances agree on who is banned and how many guesses are left.
 * Each step is one Lua script (atomic in Redis): failures and the guesses being checked are counted together, so a
 * burst spread over instances gets exactly `maxFailures` tries. Guesses being checked are leases that run out on
 * their own, so an instance that dies mid-check cannot hold a client's guess for ever.
 * Commands fail fast while Redis is down (no offline queue) and time out when it hangs (`commandTimeoutMs`); the
 * handler then refuses with 503: fail closed.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createWaiters, type Ledger, reserveGuess, type Take } from './_guesses';
import type { BanPolicy, BanStore } from './bans';
import type { Logger } from './types';

/** Options of `createRedisBans`. */
export interface RedisBansOptions extends Omit<BanPolicy, 'maxAddresses'> {
  /** `redis://host:port/db` (`REDIS_URL`). */
  url: string;
  /** Key prefix in Redis, so instances of different deployments do not share bans. */
  keyPrefix?: string;
  /** How long one Redis command may take before the request is refused with 503 (default 1000 ms). */
  commandTimeoutMs?: number;
  logger?: Logger;
}

/** A Redis ban store; `ready` settles when the first connection is up, `close` disconnects. */
export interface RedisBans extends BanStore {
  /** The connection, for other counters that share this Redis (upload rates). */
  readonly client: Redis;
  lift(client: string): Promise<boolean>;
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** How long a guess may be checked before it is given back by itself (a key check takes well under 1 ms). */
const LEASE_MS = 10_000;

// KEYS: failures, leases. ARGV: maxFailures, leaseMs, lease id. → {1} granted, {0, ms} banned, {2, ms} busy.
const TAKE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local failed = tonumber(redis.call('GET', KEYS[1]) or '0')
local max = tonumber(ARGV[1])
if failed >= max then return {0, redis.call('PTTL', KEYS[1])} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if failed + redis.call('ZCARD', KEYS[2]) < max then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  return {1, 0}
end
local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
return {2, tonumber(first[2]) - now}
`;

// KEYS: failures, leases. ARGV: lease id, right (1/0), maxFailures, banMs, channel, client. → ban ms or 0.
const SETTLE = `
redis.call('ZREM', KEYS[2], ARGV[1])
local banned = 0
if ARGV[2] == '0' then
  local failed = redis.call('INCR', KEYS[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  if failed >= tonumber(ARGV[3]) then banned = tonumber(ARGV[4]) end
end
redis.call('PUBLISH', ARGV[5], ARGV[6])
return banned
`;

interface Scripts {
  bytedropTake(
    failures: string,
    leases: string,
    max: number,
    leaseMs: number,
    id: string,
  ): Promise<[number, number]>;
  bytedropSettle(
    failures: string,
    leases: string,
    id: string,
    right: string,
    max: number,
    banMs: number,
    channel: string,
    client: string,
  ): Promise<number>;
}

/**
 * Creates a ban store in Redis.
 *
 * @example
 * ```ts
 * const bans = createRedisBans({ url: process.env.REDIS_URL!, maxFailures: 3, banSeconds: 3600 });
 * await bans.ready();
 * const handler = createHandler({ uploader, keys, secret, bans });
 * ```
 */
export function createRedisBans(options: RedisBansOptions): RedisBans {
  const maxFailures = options.maxFailures ?? 3;
  const banMs = (options.banSeconds ?? 3600) * 1000;
  const prefix = options.keyPrefix ?? 'bytedrop:ban';
  const channel = `${prefix}:freed`;
  const redis = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    // A Redis that hangs (stopped, swapping, a dead link with no reset) must not hang every keyed request.
    commandTimeout: options.commandTimeoutMs ?? 1000,
    retryStrategy: (attempt) => Math.min(attempt * 250, 3000),
  });
  redis.defineCommand('bytedropTake', { numberOfKeys: 2, lua: TAKE });
  redis.defineCommand('bytedropSettle', { numberOfKeys: 2, lua: SETTLE });
  const scripts = redis as unknown as Scripts;
  // Wake-ups from every instance's settles. Its own connection, since a subscribed connection runs no other command.
  const subscriber = new Redis(options.url, {
    connectTimeout: 3000,
    retryStrategy: (attempt) => Math.min(attempt * 250, 3000),
  });
  const waiters = createWaiters();
  subscriber.on('message', (_channel: string, client: string) => waiters.wake(client));
  subscriber.on('error', () => undefined); // reported once through the main connection below
  subscriber.subscribe(channel).catch(() => undefined);

  let lastReport = 0;
  redis.on('error', (error: Error) => {
    // Reconnect errors repeat every few seconds; one line per 30 s says it without flooding.
    if (Date.now() - lastReport < 30_000) return;
    lastReport = Date.now();
    options.logger?.error(
      { err: { message: error.message, code: (error as { code?: string }).code } },
      'redis unreachable: ban checks fail closed (requests needing a key are refused) until it is back',
    );
  });
  redis.on('ready', () => {
    if (lastReport !== 0) options.logger?.info({}, 'redis reachable again');
    lastReport = 0;
  });

  // One hash tag per client, so a client's two keys share a slot on Redis Cluster.
  const keysOf = (client: string) =>
    [`${prefix}:{${client}}:failures`, `${prefix}:{${client}}:checking`] as const;
  const ledger: Ledger = {
    async take(client): Promise<Take> {
      const id = randomUUID();
      const [state, ms] = await scripts.bytedropTake(...keysOf(client), maxFailures, LEASE_MS, id);
      if (state === 1) return { id };
      return state === 0 ? { bannedMs: Math.max(ms, 0) } : { retryInMs: Math.max(ms, 0) };
    },
    settle: (client, id, right) =>
      scripts.bytedropSettle(...keysOf(client), id, right ? '1' : '0', maxFailures, banMs, channel, client),
  };

  return {
    kind: 'redis',
    client: redis,
    reserve: (client, signal) => reserveGuess(ledger, waiters, client, signal),
    async check() {
      await redis.ping();
    },
    async lift(client) {
      const [failures] = keysOf(client);
      const removed = await redis.del(failures);
      // Requests waiting for a guess of this client's are woken on every instance.
      await redis.publish(channel, client);
      return removed > 0;
    },
    ready() {
      if (redis.status === 'ready') return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`redis at ${redact(options.url)} not ready after 5 s`)),
          5000,
        );
        redis.once('ready', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    async close() {
      // The subscriber has nothing to flush, and QUIT would wait for ever on a hung Redis.
      subscriber.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** A Redis URL without its password, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
