/**
 * Bans shared through Redis (rate-limiter-flexible over ioredis), so several server instances agree on who is banned.
 * Commands fail fast while Redis is down (no offline queue), and the handler then refuses: fail closed.
 */
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { BanPolicy, BanStore } from './bans';
import type { Logger } from './handler';

/** Options of `createRedisBans`. */
export interface RedisBansOptions extends BanPolicy {
  /** `redis://host:port/db` (`REDIS_URL`). */
  url: string;
  /** Key prefix in Redis, so instances of different deployments do not share bans. */
  keyPrefix?: string;
  logger?: Logger;
}

/** A Redis ban store; `ready` settles when the first connection is up, `close` disconnects. */
export interface RedisBans extends BanStore {
  ready(): Promise<void>;
  close(): Promise<void>;
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
  const banSeconds = options.banSeconds ?? 3600;
  const redis = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    retryStrategy: (attempt) => Math.min(attempt * 250, 3000),
  });
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
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: options.keyPrefix ?? 'bytedrop:ban',
    points: maxFailures,
    duration: banSeconds,
    rejectIfRedisNotReady: true,
  });

  return {
    async bannedFor(client) {
      const state = await limiter.get(client);
      return state !== null && state.consumedPoints >= maxFailures ? state.msBeforeNext : 0;
    },
    async recordFailure(client) {
      let state: RateLimiterRes;
      try {
        state = await limiter.consume(client);
      } catch (error) {
        // rate-limiter-flexible rejects with a RateLimiterRes when over the limit (already banned), an Error otherwise.
        if (error instanceof RateLimiterRes) return error.msBeforeNext;
        throw error;
      }
      if (state.consumedPoints < maxFailures) return 0;
      // The ban runs a full `banSeconds` from the failure that caused it, not from the first failure.
      await limiter.block(client, banSeconds);
      return banSeconds * 1000;
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
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** A Redis URL without its password, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
