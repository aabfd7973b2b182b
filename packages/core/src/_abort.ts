/**
 * AbortSignal handling shared by the upload pipeline and the stores.
 * Checked after every await (VS Code copyFiles style), because a signal that fires while we wait on I/O must not let
 * the next step start.
 */
import { BytedropError } from './errors';

/** The error every aborted upload rejects with, whatever was running when the signal fired. */
export function abortedError(what: string, cause?: unknown): BytedropError {
  return new BytedropError(
    'ERR_ABORTED',
    `${what} was aborted by its AbortSignal: nothing to fix unless that was unintended, then upload again`,
    cause === undefined ? undefined : { cause },
  );
}

/** Throws `ERR_ABORTED` when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw abortedError(what, signal.reason);
}

/**
 * Settles with `promise`, or rejects with `ERR_ABORTED` as soon as the signal fires, whichever is first.
 * Used where the awaited thing (a caller's stream) cannot be told to stop.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    // The losing promise may still reject later; it has nobody left to tell.
    promise.catch(() => undefined);
    return Promise.reject(abortedError(what, signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(what, signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * A signal that fires with whichever of `first` and `second` fires first (`AbortSignal.any` of two, for runtimes
 * without it): a resumable upload's `stop` ends its preparation (hashing) as `signal` does, since nothing is in
 * flight yet.
 */
export function eitherSignal(
  first: AbortSignal | undefined,
  second: AbortSignal | undefined,
): AbortSignal | undefined {
  if (first === undefined || second === undefined) return first ?? second;
  const either = new AbortController();
  for (const signal of [first, second]) {
    if (signal.aborted) either.abort(signal.reason);
    else signal.addEventListener('abort', () => either.abort(signal.reason), { once: true });
  }
  return either.signal;
}
