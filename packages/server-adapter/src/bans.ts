/**
 * Bans after repeated wrong keys. The handler talks to a `BanStore`, so bans can live in memory (one instance) or in
 * Redis (several instances share them; see `createRedisBans` in `@bytedrop/server/node`).
 */

/** Where failed attempts and bans are kept. Methods reject when the store is unreachable (the handler then refuses). */
export interface BanStore {
  /** Milliseconds left on the client's ban, or 0 when it is not banned. */
  bannedFor(client: string): Promise<number>;
  /** Records a failed attempt; resolves to the ban length in ms when this attempt caused a ban, else 0. */
  recordFailure(client: string): Promise<number>;
}

/** How many wrong keys lead to a ban, and for how long. */
export interface BanPolicy {
  /** Failed attempts before a ban (default 3). */
  maxFailures?: number;
  /** Ban length in seconds (default 3600); failures older than this are forgotten. */
  banSeconds?: number;
}

interface Entry {
  failures: number;
  /** Until when the failures count (or, once `failures >= max`, the ban lasts), in ms since the epoch. */
  until: number;
}

/** Entries kept before expired ones are swept, so a scan of many addresses cannot grow memory without bound. */
const SWEEP_AT = 10_000;

/**
 * An in-memory ban store for a single instance.
 *
 * @example
 * ```ts
 * const bans = createMemoryBans({ maxFailures: 3, banSeconds: 3600 });
 * await bans.recordFailure('203.0.113.7'); // 0 (not banned yet)
 * ```
 */
export function createMemoryBans(policy: BanPolicy = {}, now: () => number = Date.now): BanStore {
  const maxFailures = policy.maxFailures ?? 3;
  const banMs = (policy.banSeconds ?? 3600) * 1000;
  const entries = new Map<string, Entry>();

  const live = (client: string): Entry | undefined => {
    const entry = entries.get(client);
    if (entry && entry.until <= now()) {
      entries.delete(client);
      return undefined;
    }
    return entry;
  };

  return {
    async bannedFor(client) {
      const entry = live(client);
      return entry && entry.failures >= maxFailures ? entry.until - now() : 0;
    },
    async recordFailure(client) {
      if (entries.size >= SWEEP_AT) for (const key of [...entries.keys()]) live(key);
      const entry = live(client) ?? { failures: 0, until: 0 };
      entry.failures += 1;
      entry.until = now() + banMs;
      entries.set(client, entry);
      return entry.failures >= maxFailures ? banMs : 0;
    },
  };
}
