/**
 * tus upload locks in Redis (`REDIS_URL`), shared by every instance: `SET NX PX` with a token of this holder, renewed
 * while the request runs, and released only by its holder (a compare-and-delete script). A holder that died lets go
 * when its lease runs out, so an upload is never locked for good.
 */
import { randomUUID } from 'node:crypto';
import type * as IORedis from 'ioredis';
import { nodeRequire } from './_node-require';
import type { TusLocks } from './tus-locks';

/** Options of `createRedisTusLocks`. */
export interface RedisTusLocksOptions {
  /** `redis://host:port/db`. */
  url: string;
  /** Key prefix in Redis (default `bytedrop:tus-lock:`). */
  keyPrefix?: string;
  /** How long a lock lives without renewal (default 30 s); it is renewed at a third of that while held. */
  leaseMs?: number;
}

// KEYS: lock. ARGV: token. Deletes the lock only when this holder still has it.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
// KEYS: lock. ARGV: token, lease. Extends the lock only when this holder still has it.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/** How often a waiting request asks Redis for a taken lock. */
const POLL_MS = 100;

/** Redis tus locks plus `close`. */
export interface RedisTusLocks extends TusLocks {
  close(): Promise<void>;
}

/**
 * Locks on tus uploads shared through Redis.
 *
 * @example
 * ```ts
 * const locks = createRedisTusLocks({ url: process.env.REDIS_URL! });
 * createHandler({ uploader, keys, secret, tus: { locks } });
 * ```
 */
export function createRedisTusLocks(options: RedisTusLocksOptions): RedisTusLocks {
  // A command waits for the connection at most `commandTimeout`: Redis down is a 503, not a request that hangs.
  const redis = new (nodeRequire('ioredis') as typeof IORedis).Redis(options.url, {
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
  });
  redis.on('error', () => undefined);
  const prefix = options.keyPrefix ?? 'bytedrop:tus-lock:';
  const lease = options.leaseMs ?? 30_000;
  return {
    async acquire(id, waitMs = 0) {
      const key = `${prefix}${id}`;
      const token = randomUUID();
      const deadline = Date.now() + waitMs;
      // Redis tells no one when a lock goes: a waiter asks again every POLL_MS until its wait is over.
      while ((await redis.set(key, token, 'PX', lease, 'NX')) !== 'OK') {
        if (Date.now() + POLL_MS > deadline) return undefined;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      const renewal = setInterval(() => {
        redis.eval(RENEW, 1, key, token, lease).catch(() => undefined);
      }, lease / 3).unref();
      return async () => {
        clearInterval(renewal);
        await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
      };
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
