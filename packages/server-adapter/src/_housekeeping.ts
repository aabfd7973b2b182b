/**
 * What the bin does so that uploads that died leave nothing behind in storage: at start, `recover()` finishes what
 * the journal says a previous run left (exact, but only as good as the journal); then, every `SWEEP_INTERVAL_S`, a
 * sweep of the server's own temporary prefix removes multipart uploads and temporary objects older than
 * `SWEEP_AFTER_S` (which also covers a lost journal), and the handler's sweep of tus uploads past their expiry runs.
 * Nothing outside that prefix is ever touched.
 */
import type { ObjectStore, SweepReport } from '@bytedrop/core';
import type { Logger } from './types';

/**
 * Where the server stages long uploads while they are hashed: a prefix of its own under core's `.bytedrop-tmp/`, so
 * its sweeps never touch what the CLI or another tool is uploading, and one lifecycle rule covers both.
 */
export const SERVER_TEMP_PREFIX = '.bytedrop-tmp/server/';

const removedAnything = (report: SweepReport) => report.abortedUploads.length + report.deleted.length > 0;

/** Runs the store's journal recovery once; a failure is logged (the sweeps still cover it) and never thrown. */
export async function recoverLeftovers(store: ObjectStore, logger: Logger): Promise<void> {
  if (!store.recover) return;
  try {
    const report = await store.recover();
    if (removedAnything(report)) {
      logger.info({ ...report }, 'recovered: removed what uploads of a previous run left in storage');
    }
  } catch (error) {
    logger.error(
      { err: error },
      'recovery at start failed: the periodic sweep removes those leftovers later',
    );
  }
}

/** Options of `startSweeps`. */
export interface SweepOptions {
  store: ObjectStore;
  prefix: string;
  intervalMs: number;
  olderThanMs: number;
  logger: Logger;
  /**
   * Runs at each sweep too, after the store's: the handler's `sweepExpiredUploads`, so tus uploads past their
   * expiry end on a server that gets no new ones (the handler sweeps them by itself only after a tus creation).
   */
  expired?: () => Promise<number>;
}

/**
 * Sweeps now, then `intervalMs` after each sweep ends (never two at once). Returns `stop`, which cancels the next
 * one; a sweep in flight is left to finish (it is safe to cut: each removal stands alone).
 */
export function startSweeps(options: SweepOptions): { stop(): void } {
  const { store, prefix, intervalMs, olderThanMs, logger, expired } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const sweep = async () => {
    try {
      const report = await store.sweep?.({ olderThan: olderThanMs, prefix });
      if (report && removedAnything(report)) {
        logger.info({ ...report, prefix }, 'swept: removed what dead uploads left in storage');
      }
    } catch (error) {
      logger.error({ err: error, prefix }, 'sweep failed: retried at the next interval');
    }
    // It logs what it removes and why it failed, and never rejects.
    await expired?.();
    // The timer does not keep the process alive: stopping the server is enough to exit.
    if (!stopped) timer = setTimeout(sweep, intervalMs).unref();
  };
  void sweep();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
