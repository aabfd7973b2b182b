/**
 * The part every ban store shares: take a guess, or wait for one to free up. A store provides the atomic steps (a
 * `Ledger`); waiting is event-driven (a settle wakes the waiters of that client) with a short fallback poll, so a
 * wake-up lost between instances costs at most `MAX_WAIT_MS`, never a refusal.
 */
import type { Reservation } from './bans';

/** What one atomic step of a store decided. */
export type Take =
  /** A guess was granted; `id` settles it. */
  | { id: string }
  /** No guess left: the client is banned for this long. */
  | { bannedMs: number }
  /** Every guess left is being checked right now; one frees at the latest in this long (a lease running out). */
  | { retryInMs: number };

/** The atomic steps of a ban store (internal). */
export interface Ledger {
  take(client: string): Promise<Take>;
  /** Settles a granted guess: `right` gives it back, else it counts as a failure; resolves to the ban in ms, or 0. */
  settle(client: string, id: string, right: boolean): Promise<number>;
}

/** Longest wait between two tries when no wake-up comes. */
const MAX_WAIT_MS = 1000;

/** Per-client wake-ups. `next` before `take` and `wake` after `settle`, so a wake-up between the two is not lost. */
export function createWaiters() {
  const pending = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  return {
    next(client: string): Promise<void> {
      let entry = pending.get(client);
      if (!entry) {
        let resolve!: () => void;
        const promise = new Promise<void>((done) => {
          resolve = done;
        });
        entry = { promise, resolve };
        pending.set(client, entry);
      }
      return entry.promise;
    },
    wake(client: string): void {
      pending.get(client)?.resolve();
      pending.delete(client);
    },
    /** Forgets a client nobody woke (its guess freed by a lease running out), so the map stays bounded. */
    forget(client: string, promise: Promise<void>): void {
      if (pending.get(client)?.promise === promise) pending.delete(client);
    },
  };
}

export type Waiters = ReturnType<typeof createWaiters>;

function waitFor(
  woken: Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<'woken' | 'timeout'> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const done = (outcome: 'woken' | 'timeout') => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', aborted);
      resolve(outcome);
    };
    const aborted = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => done('timeout'), ms);
    signal?.addEventListener('abort', aborted, { once: true });
    woken.then(() => done('woken'));
  });
}

/** `BanStore.reserve` over a ledger: take a guess, or wait for one, until granted, banned or `signal` aborts. */
export async function reserveGuess(
  ledger: Ledger,
  waiters: Waiters,
  client: string,
  signal: AbortSignal | undefined,
): Promise<Reservation> {
  while (true) {
    signal?.throwIfAborted();
    const woken = waiters.next(client);
    const taken = await ledger.take(client);
    if ('id' in taken) {
      let settled = false;
      const settle = (right: boolean) => {
        // Settling twice would give back or spend a guess that is not this one.
        if (settled) throw new Error('a guess is settled once');
        settled = true;
        return ledger.settle(client, taken.id, right);
      };
      return {
        guess: {
          refund: async () => {
            await settle(true);
          },
          spend: () => settle(false),
        },
      };
    }
    if ('bannedMs' in taken) return { bannedMs: taken.bannedMs };
    const outcome = await waitFor(woken, Math.min(taken.retryInMs, MAX_WAIT_MS), signal);
    if (outcome === 'timeout') waiters.forget(client, woken);
  }
}
