/**
 * Bans after repeated wrong keys. A guess is taken from the client's allowance *before* its key is checked and given
 * back when the key is right, so a burst of parallel guesses gets no more tries than one client sending them in turn.
 * The handler talks to a `BanStore`, so the allowance can live in memory (one instance) or in Redis (several
 * instances share it; see `createRedisBans` in `@bytedrop/server/node`).
 */
import { LRUCache } from 'lru-cache';
import { createWaiters, type Ledger, reserveGuess } from './_guesses';

/** One guess, taken before a key is checked; settle it exactly once. */
export interface Guess {
  /** The key was right: the guess is given back, as if it had never been taken. */
  refund(): Promise<void>;
  /** The key was wrong: the guess is spent. Resolves to the ban length in ms when it was the last one, else 0. */
  spend(): Promise<number>;
}

/** What `reserve` gives: a guess to settle, or the ban that leaves none. */
export type Reservation = { guess: Guess; bannedMs?: undefined } | { guess?: undefined; bannedMs: number };

/**
 * Where failed attempts, guesses being checked and bans are kept. Methods reject when the store is unreachable (the
 * handler then refuses: fail closed).
 */
export interface BanStore {
  /** What keeps the bans (`memory`, `redis`), for `/health` to a client with a key. */
  readonly kind: string;
  /**
   * Takes one guess for `client`, atomically with every instance that shares the store: wrong keys plus keys being
   * checked never exceed `maxFailures`. When they would, and some are still being checked, it waits for one of
   * them to settle (right keys give their guess back) instead of refusing; `signal` stops the wait.
   */
  reserve(client: string, signal?: AbortSignal): Promise<Reservation>;
  /** Resolves when the store answers (for `/health`). */
  check(): Promise<void>;
  /**
   * Forgets `client`'s wrong keys, lifting its ban (`bytedrop-server unban`). Resolves to whether there was
   * anything to forget. Optional for stores of one's own; without it, `DELETE /bans/:address` answers 501.
   */
  lift?(client: string): Promise<boolean>;
}

/** How many wrong keys lead to a ban, and for how long. */
export interface BanPolicy {
  /** Failed attempts before a ban (default 3). */
  maxFailures?: number;
  /** Ban length in seconds (default 3600), counted from the failure that caused it; failures older are forgotten. */
  banSeconds?: number;
  /**
   * Addresses the in-memory store remembers (default 100,000); past that the least recently seen is forgotten, so
   * a scan from many addresses cannot grow memory without bound.
   */
  maxAddresses?: number;
}

/** An in-memory ban store, plus how many addresses it remembers right now. */
export interface MemoryBans extends BanStore {
  readonly size: number;
  lift(client: string): Promise<boolean>;
}

/**
 * An in-memory ban store for a single instance: a bounded LRU (lru-cache), every operation O(1).
 *
 * @example
 * ```ts
 * const bans = createMemoryBans({ maxFailures: 3, banSeconds: 3600 });
 * const reservation = await bans.reserve('203.0.113.7');
 * if (reservation.guess) await (keyIsRight ? reservation.guess.refund() : reservation.guess.spend());
 * ```
 */
export function createMemoryBans(policy: BanPolicy = {}, now: () => number = Date.now): MemoryBans {
  const maxFailures = policy.maxFailures ?? 3;
  const banMs = (policy.banSeconds ?? 3600) * 1000;
  // Each failure resets the entry's TTL: failures are forgotten, and a ban ends, `banMs` after the latest one.
  const failures = new LRUCache<string, number>({
    max: policy.maxAddresses ?? 100_000,
    ttl: banMs,
    ttlResolution: 0,
    perf: { now },
  });
  // Guesses being checked; an entry lives only while a key is checked, so this is bounded by requests in flight.
  const checking = new Map<string, number>();
  const waiters = createWaiters();

  const ledger: Ledger = {
    async take(client) {
      let failed = failures.get(client) ?? 0;
      if (failed >= maxFailures) {
        const left = failures.getRemainingTTL(client);
        if (left > 0) return { bannedMs: left };
        failed = 0; // ends this very millisecond
        failures.delete(client);
      }
      const busy = checking.get(client) ?? 0;
      if (failed + busy >= maxFailures) return { retryInMs: Number.POSITIVE_INFINITY };
      checking.set(client, busy + 1);
      return { id: client };
    },
    async settle(client, _id, right) {
      const busy = (checking.get(client) ?? 1) - 1;
      if (busy > 0) checking.set(client, busy);
      else checking.delete(client);
      let banned = 0;
      if (!right) {
        const failed = (failures.get(client) ?? 0) + 1;
        failures.set(client, failed);
        if (failed >= maxFailures) banned = banMs;
      }
      waiters.wake(client);
      return banned;
    },
  };

  return {
    kind: 'memory',
    get size() {
      return failures.size;
    },
    reserve: (client, signal) => reserveGuess(ledger, waiters, client, signal),
    check: async () => undefined,
    async lift(client) {
      const known = failures.delete(client);
      waiters.wake(client);
      return known;
    },
  };
}
