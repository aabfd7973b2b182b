/**
 * The storage timeout. Its clock runs only while storage keeps the upload waiting: while the uploader is not asking
 * the body for more (it is busy sending what it has) and from the end of the body until the upload settles. While
 * the uploader waits on the client it stops, because the client's silence is the idle timeout's business: each
 * side is blamed for its own stalls.
 */
import { BytedropError } from '@bytedrop/core';

/** A started storage clock: wrap the body the uploader reads with `watch`, `stop` once the upload settled. */
export interface StorageClock {
  /** Aborts when the storage timeout runs out (with an `ERR_TIMEOUT` reason), or with the signal given to start. */
  readonly signal: AbortSignal;
  /** The `ERR_TIMEOUT` once the storage timeout ran out (not when the given signal aborted), else undefined. */
  readonly expired: BytedropError | undefined;
  watch(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array>;
  stop(): void;
  /** Milliseconds the clock has run so far: how long storage kept the upload waiting (for metrics). */
  readonly waitedMs: number;
}

/**
 * Starts the clock: storage has `ms` of silence at a time before the upload is aborted with `ERR_TIMEOUT`. Its
 * signal also follows `signal` (the client gone), so the upload needs one signal, not `AbortSignal.any` of two (whose
 * validation and bookkeeping cost more than a listener, on every upload: issue 16).
 *
 * @example
 * ```ts
 * const clock = startStorageClock(60_000, request.signal);
 * try { await uploader.upload(clock.watch(body), { signal: clock.signal, filename }); } finally { clock.stop(); }
 * ```
 */
export function startStorageClock(ms: number, signal?: AbortSignal): StorageClock {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let expired: BytedropError | undefined;
  const expire = () => {
    expired = new BytedropError(
      'ERR_TIMEOUT',
      `storage did not answer for ${Math.round(ms / 100) / 10} s: the upload was aborted and nothing was stored; retry later (the server's STORAGE_TIMEOUT_S)`,
    );
    controller.abort(expired);
  };
  const follow = () => {
    // Ended by the client: no storage timeout can fire after that.
    clearTimeout(timer);
    controller.abort(signal?.reason);
  };
  if (signal?.aborted) follow();
  else signal?.addEventListener('abort', follow, { once: true });
  let waited = 0;
  let since: number | undefined;
  const run = () => {
    clearTimeout(timer);
    since ??= performance.now();
    if (!controller.signal.aborted) timer = setTimeout(expire, ms);
  };
  const pause = () => {
    clearTimeout(timer);
    if (since !== undefined) waited += performance.now() - since;
    since = undefined;
  };
  run();
  return {
    signal: controller.signal,
    watch: (body) => ({
      [Symbol.asyncIterator]() {
        const source = body[Symbol.asyncIterator]();
        return {
          async next() {
            pause();
            try {
              return await source.next();
            } finally {
              run();
            }
          },
          async return(value?: unknown) {
            run();
            return (await source.return?.(value)) ?? { done: true, value: undefined };
          },
        };
      },
    }),
    stop() {
      pause();
      signal?.removeEventListener('abort', follow);
    },
    get expired() {
      return expired;
    },
    get waitedMs() {
      return waited + (since === undefined ? 0 : performance.now() - since);
    },
  };
}
