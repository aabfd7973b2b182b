/**
 * The lock on a tus upload: one request writes it at a time. In memory for one instance (`createMemoryTusLocks`);
 * in Redis for several behind a load balancer (`createRedisTusLocks` in `@bytedrop/server/node`), so two servers
 * never write one upload at once. A lock that is taken is not waited for: the request is answered 423 and tus
 * clients retry, after the other request has kept what it received.
 */

/** Locks on tus uploads by id. */
export interface TusLocks {
  /** Takes the lock on `id`; resolves to its release, or `undefined` when another request holds it. */
  acquire(id: string): Promise<(() => Promise<void>) | undefined>;
}

/**
 * Locks held in this process only: right for one server instance.
 *
 * @example
 * ```ts
 * const locks = createMemoryTusLocks();
 * const release = await locks.acquire(id);
 * if (release) try { ... } finally { await release(); }
 * ```
 */
export function createMemoryTusLocks(): TusLocks {
  const held = new Set<string>();
  return {
    async acquire(id) {
      if (held.has(id)) return undefined;
      held.add(id);
      return async () => {
        held.delete(id);
      };
    },
  };
}
