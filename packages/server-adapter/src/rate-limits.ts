/**
 * Upload rates per access key: how many files a key may store per hour and per day, counted by rate-limiter-flexible
 * in memory (one instance) or in Redis (several instances share the count). A file over the rate is refused before
 * any byte is stored, with 429 `ERR_THROTTLED` and `Retry-After` saying when the next one is allowed.
 */
import { BytedropError } from '@bytedrop/core';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { AccessKey } from './auth';

/** Files per hour and per day; a missing one is unlimited. */
export interface UploadRates {
  perHour?: number;
  perDay?: number;
}

/** Options of `createRateLimits`. */
export interface RateLimitsOptions {
  /** Rates for keys that carry none of their own (`UPLOADS_PER_HOUR`, `UPLOADS_PER_DAY`). */
  defaults?: UploadRates;
  /**
   * An ioredis client to count in (`REDIS_URL`), so every instance behind a load balancer counts together; in memory
   * when absent.
   */
  redis?: unknown;
  /** Prefix of the counters' Redis keys (default `bytedrop:rate`). */
  keyPrefix?: string;
  /**
   * tus uploads one key may create per hour (`TUS_CREATIONS_PER_HOUR`, default 1000). A creation holds a record and
   * soon storage, bytes or not: without a bound, a key could open uploads by the ten thousand and never send a byte.
   */
  creationsPerHour?: number;
}

/** Counts uploads against each key's rates. */
export interface RateLimits {
  /**
   * Counts one file for `who`; throws `ERR_THROTTLED` (with `retryAfterS`) when it is over a rate, and `ERR_NETWORK`
   * when the Redis that counts does not answer.
   */
  consume(who: AccessKey): Promise<void>;
  /**
   * Counts one resumable upload created by `who` (tus, or direct-to-S3 multipart through the signing routes);
   * `ERR_THROTTLED` (with `retryAfterS`) past `creationsPerHour`.
   */
  consumeCreation(who: AccessKey): Promise<void>;
  /** The rates of keys that carry none of their own (`GET /api/usage` reports them). */
  readonly defaults?: UploadRates;
}

/** tus uploads a key may create per hour when `creationsPerHour` is not given. */
export const DEFAULT_CREATIONS_PER_HOUR = 1000;

const WINDOWS = [
  { field: 'perHour', seconds: 3600, label: 'hour' },
  { field: 'perDay', seconds: 86_400, label: 'day' },
] as const;

/** Checks a rate as given in settings: a positive whole number, or undefined. */
export function checkRate(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new BytedropError(
      'ERR_CONFIG',
      `${where} must be a whole number of uploads above 0, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Creates the upload-rate counter that `createHandler({ rateLimits })` asks before storing each file. A key's own
 * `rates` (keys file `uploadsPerHour`, `uploadsPerDay`) win over `defaults`.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * import { createHandler, createRateLimits } from '@bytedrop/server';
 *
 * const rateLimits = createRateLimits({ defaults: { perHour: 100, perDay: 1000 }, redis: new Redis(process.env.REDIS_URL!) });
 * const handler = createHandler({ uploader, keys, secret, rateLimits });
 * ```
 */
export function createRateLimits(options: RateLimitsOptions = {}): RateLimits {
  const prefix = options.keyPrefix ?? 'bytedrop:rate';
  const creationsPerHour =
    checkRate(options.creationsPerHour, 'creationsPerHour') ?? DEFAULT_CREATIONS_PER_HOUR;
  // Loaded on first use, so a server without rates never loads it.
  let library: Promise<typeof import('rate-limiter-flexible')> | undefined;
  const limiters = new Map<string, RateLimiterAbstract>();

  async function limiter(points: number, seconds: number, kind = ''): Promise<RateLimiterAbstract> {
    const id = `${kind}${points}/${seconds}`;
    let found = limiters.get(id);
    if (found) return found;
    library ??= import('rate-limiter-flexible');
    const { RateLimiterMemory, RateLimiterRedis } = await library;
    const settings = { points, duration: seconds, keyPrefix: `${prefix}:${kind}${seconds}:${points}` };
    found =
      options.redis === undefined
        ? new RateLimiterMemory(settings)
        : new RateLimiterRedis({ ...settings, storeClient: options.redis });
    limiters.set(id, found);
    return found;
  }

  return {
    ...(options.defaults ? { defaults: options.defaults } : {}),
    async consume(who) {
      const taken: { limiter: RateLimiterAbstract }[] = [];
      for (const window of WINDOWS) {
        const points = who.rates?.[window.field] ?? options.defaults?.[window.field];
        if (points === undefined) continue;
        const counter = await limiter(points, window.seconds);
        try {
          await counter.consume(who.name);
          taken.push({ limiter: counter });
        } catch (refusal) {
          // A count taken in a shorter window is given back: this file is not stored.
          await Promise.all(taken.map((t) => t.limiter.reward(who.name).catch(() => undefined)));
          throw refused(refusal, `access key '${who.name}' may store ${points} files per ${window.label}`);
        }
      }
    },
    async consumeCreation(who) {
      const counter = await limiter(creationsPerHour, 3600, 'tus-create:');
      try {
        await counter.consume(who.name);
      } catch (refusal) {
        throw refused(
          refusal,
          `access key '${who.name}' may create ${creationsPerHour} tus uploads per hour, direct-to-S3 multipart uploads included (finish or end the open ones)`,
        );
      }
    },
  };
}

/** What a counter's refusal becomes: `ERR_THROTTLED` saying when to retry, or `ERR_NETWORK` for a store that failed. */
function refused(refusal: unknown, rule: string): BytedropError {
  if (refusal instanceof Error) {
    return new BytedropError(
      'ERR_NETWORK',
      'the server cannot count uploads right now (rate store unreachable): try again later',
      { cause: refusal },
    );
  }
  const ms = (refusal as RateLimiterRes).msBeforeNext;
  return Object.assign(
    new BytedropError('ERR_THROTTLED', `${rule}: the next one is allowed in ${Math.ceil(ms / 1000)} s`),
    {
      retryAfterS: Math.max(1, Math.ceil(ms / 1000)),
    },
  );
}
