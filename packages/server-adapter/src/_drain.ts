/**
 * A clean stop for the Node runner: take no new work, give the exchanges in flight a grace period to finish, then
 * cut the rest. Cutting a connection aborts its request's signal, so core aborts the upload in storage (no object,
 * no multipart parts left); the stop waits for those aborts before it resolves, so the process may then exit.
 */
import type { Server, ServerResponse } from 'node:http';

/** After the grace period, how long the aborted uploads get to clean up in storage. */
const ABORT_WAIT_MS = 10_000;

/** Tracks the exchanges of one server and stops it. */
export function createDrain(http: Server) {
  const responses = new Set<ServerResponse>();
  const handling = new Set<Promise<unknown>>();
  let draining = false;
  // Everyone waiting for the exchanges to end: a second stop signal waits alongside the first.
  const waiting = new Set<() => void>();

  const settled = () => {
    if (responses.size === 0 && handling.size === 0) for (const wake of waiting) wake();
  };
  /** Resolves to true once nothing is in flight, or to false after `ms`. */
  const quiet = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        waiting.delete(wake);
        resolve(true);
      };
      const timer = setTimeout(() => {
        waiting.delete(wake);
        resolve(false);
      }, ms);
      waiting.add(wake);
      settled();
    });

  return {
    /** True once `shutdown` began: new requests are then refused. */
    get draining() {
      return draining;
    },
    /** Counts an exchange from its request until its response is closed and `work` settled. */
    track(res: ServerResponse | undefined, work: Promise<unknown>): void {
      if (res) {
        responses.add(res);
        // Once the stop began, answers close their connection instead of keeping it for more requests.
        if (draining && !res.headersSent) res.shouldKeepAlive = false;
        res.once('close', () => {
          responses.delete(res);
          settled();
        });
      }
      handling.add(work);
      work.finally(() => {
        handling.delete(work);
        settled();
      });
    },
    /**
     * Stops listening, lets exchanges in flight finish for `graceMs`, then cuts them and waits for their uploads to
     * be aborted. Resolves to the number of exchanges that were cut.
     */
    async shutdown(graceMs: number): Promise<number> {
      if (!draining) http.close();
      draining = true;
      for (const res of responses) if (!res.headersSent) res.shouldKeepAlive = false;
      http.closeIdleConnections();
      if (await quiet(graceMs)) return 0;
      const cut = Math.max(responses.size, handling.size);
      http.closeAllConnections();
      await quiet(ABORT_WAIT_MS);
      return cut;
    },
  };
}
