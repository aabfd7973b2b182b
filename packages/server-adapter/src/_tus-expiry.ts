/**
 * The expiry sweep of tus uploads, driven by the catalog's rows of uploads in flight: each expired upload the
 * catalog knows of is removed from the tus backend (its bytes, a multipart upload, a partial file, and its record)
 * and from the catalog. It complements the housekeeping sweep by age: it ends an upload at its own expiry, on
 * whichever instance, without listing storage. It runs in the background of a tus creation, at most once a minute
 * per instance, and from the host's housekeeping timer (`handler.sweepExpiredUploads()`, which the bin calls at each
 * `SWEEP_INTERVAL_S`), so a server that gets no new tus uploads still ends the expired ones; the handler itself
 * keeps no timer (it is web-standard and may run where timers do not). Each upload's lock keeps a sweep from
 * removing one that a request is writing, and two sweeps never run at once on one instance.
 */
import type { Catalog } from './catalog/types';
import type { TusLocks } from './tus-locks';
import type { TusBackend } from './tus-store';
import type { Logger } from './types';

/** Rows looked at per sweep: the next sweep takes the rest. */
const BATCH = 100;

/** Options of `createTusExpiry`. */
export interface TusExpiryOptions {
  catalog: Catalog | undefined;
  /** The backend with its catalog rows (`TusCatalog.backend`): a discard removes the row too. */
  backend: TusBackend | undefined;
  locks: TusLocks;
  logger: Logger;
  /** Least time between two sweeps (default one minute). */
  everyMs?: number;
}

/** The expiry sweep of one handler's tus endpoint. */
export function createTusExpiry(options: TusExpiryOptions) {
  const { catalog, backend, locks, logger } = options;
  const everyMs = options.everyMs ?? 60_000;
  let last = Number.NEGATIVE_INFINITY;
  let running: Promise<number> | undefined;

  /** Removes the expired uploads; how many. */
  const sweep = async (): Promise<number> => {
    if (!catalog || !backend) return 0;
    const now = Date.now();
    let removed = 0;
    for (const row of await catalog.uploads.expired(new Date(now), BATCH)) {
      // A direct S3 upload's bytes are the housekeeping sweep's (by age, the same): only its row goes here.
      if (row.kind === 's3') {
        await catalog.uploads.remove(row.id);
        continue;
      }
      // A request holds it: it is being written (and will be found expired by that request), or ended.
      const release = await locks.acquire(row.id, 0);
      if (!release) continue;
      try {
        const upload = await backend.load(row.id);
        if (upload === undefined || upload.result !== undefined) {
          // Ended or finished elsewhere without its row removed (a catalog outage then): only the row is left.
          await catalog.uploads.remove(row.id);
        } else if (upload.expires < now) {
          await backend.discard(upload);
          removed += 1;
        }
      } finally {
        await release();
      }
    }
    return removed;
  };

  /** Starts a sweep, logged; its failure is logged and answers 0, so neither caller has to catch it. */
  const start = (): Promise<number> => {
    last = Date.now();
    running = sweep()
      .then((removed) => {
        if (removed > 0) logger.info({ removed }, 'removed expired tus uploads');
        return removed;
      })
      .catch((error: unknown) => {
        logger.error(
          { err: error },
          'the expiry sweep of tus uploads failed: the next creation or housekeeping tick retries it',
        );
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  return {
    sweep,
    /** Starts a sweep in the background unless one ran less than `everyMs` ago or is running. */
    nudge(): Promise<number> | undefined {
      if (!catalog || running || Date.now() - last < everyMs) return running;
      return start();
    },
    /** Sweeps now, or joins the sweep running: the housekeeping timer's call. Never rejects. */
    now(): Promise<number> {
      if (!catalog || !backend) return Promise.resolve(0);
      return running ?? start();
    },
  };
}
