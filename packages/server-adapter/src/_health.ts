/**
 * `GET /health`. Anyone may ask whether the server works, so the answer without a key is only `ok` or `failing`:
 * storage kinds, endpoints, buckets, paths and error messages go only to a client with a key. The probe (a storage
 * write check and a Redis PING) runs at most once per `cacheMs`, shared by concurrent callers, so polling
 * `/health` cannot turn into storage I/O on every call.
 */
import { BytedropError, type ObjectStore } from '@bytedrop/core';
import { LRUCache } from 'lru-cache';
import type { BanStore } from './bans';
import type { ServerMetrics } from './metrics';
import { json } from './response';
import type { Logger } from './types';

/** The state of one dependency, as a client with a key sees it. */
interface Probe {
  status: 'ok' | 'failing';
  kind: string;
  msg?: string;
}

interface Report {
  status: 'ok' | 'failing';
  storage?: Probe;
  bans: Probe;
}

async function probe(
  kind: string,
  check: (signal: AbortSignal) => Promise<void>,
  timeoutMs: number,
  logger: Logger,
): Promise<Probe> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      check(controller.signal),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new BytedropError('ERR_NETWORK', `${kind} did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]);
    return { status: 'ok', kind };
  } catch (error) {
    logger.warn({ err: error, kind }, 'health check failed');
    return { status: 'failing', kind, msg: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Returns `(detailed) => Response`; `detailed` only for a request whose key was checked. */
export function createHealth(context: {
  store: ObjectStore | undefined;
  bans: BanStore;
  timeoutMs: number;
  cacheMs: number;
  logger: Logger;
  metrics: ServerMetrics;
}) {
  const { store, bans, timeoutMs, logger, metrics } = context;
  const timedStorage = async (target: ObjectStore) => {
    const started = performance.now();
    const result = await probe(target.kind, (signal) => target.check(signal), timeoutMs, logger);
    metrics.storageChecked((performance.now() - started) / 1000, result.status === 'ok');
    return result;
  };
  const cache = new LRUCache<'report', Report>({
    max: 1,
    // lru-cache reads a TTL of 0 as "forever": the shortest real cache is 1 ms.
    ttl: Math.max(1, context.cacheMs),
    // The fetch is shared: callers that arrive while a probe runs wait for that one.
    fetchMethod: async () => {
      const [storage, banState] = await Promise.all([
        store ? timedStorage(store) : undefined,
        probe(bans.kind, () => bans.check(), timeoutMs, logger),
      ]);
      const ok = storage?.status !== 'failing' && banState.status === 'ok';
      return { status: ok ? 'ok' : 'failing', ...(storage ? { storage } : {}), bans: banState };
    },
  });
  return async (detailed: boolean): Promise<Response> => {
    const report = (await cache.fetch('report')) as Report;
    return json(detailed ? report : { status: report.status }, report.status === 'ok' ? 200 : 503);
  };
}
