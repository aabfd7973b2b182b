/**
 * The lock on a tus upload: one request writes it at a time. In memory for one instance (`createMemoryTusLocks`);
 * in Redis for several behind a load balancer (`createRedisTusLocks` in `@bytedrop/server/node`), so two servers
 * never write one upload at once. A request waits a while for a taken lock: a client that lost its connection
 * resumes at once, while the server is still keeping what the cut request had received. Past the wait it is
 * answered 423, which tus clients retry.
 */

/** Locks on tus uploads by id. */
export interface TusLocks {
  /**
   * Takes the lock on `id`, waiting up to `waitMs` (default 0) while another request holds it; resolves to its
   * release, or `undefined` when it is still taken.
   */
  acquire(id: string, waitMs?: number): Promise<(() => Promise<void>) | undefined>;
}

/**
 * Locks held in this process only: right for one server instance.
 *
 * @example
 * ```ts
 * const locks = createMemoryTusLocks();
 * const release = await locks.acquire(id, 10_000);
 * if (release) try { ... } finally { await release(); }
 * ```
 */
export function createMemoryTusLocks(): TusLocks {
  /** Each held lock, settled when it is released. */
  const held = new Map<string, Promise<void>>();
  return {
    async acquire(id, waitMs = 0) {
      const deadline = Date.now() + waitMs;
      for (let current = held.get(id); current; current = held.get(id)) {
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([current, new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
        clearTimeout(timer);
      }
      let release!: () => void;
      held.set(id, new Promise<void>((resolve) => (release = resolve)));
      return async () => {
        held.delete(id);
        release();
      };
    },
  };
}
