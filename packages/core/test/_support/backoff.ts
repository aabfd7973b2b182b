/** Waiting out a failure that the S3 client retries first, in the editors' tests, without the backoff's real time. */
import { vi } from 'vitest';

/**
 * Runs `pending` (a paste or command that fails while S3 is down, up to the message it shows) on a fake clock:
 * only `setTimeout`/`clearTimeout` are faked, moved on 100 ms at each turn of the event loop until `pending`
 * settles. The client still makes every attempt against the stopped server; only the backoff between them (about
 * 12 s of core's default retry policy) passes without its real seconds. Real timers are back on return.
 */
export async function pastBackoff<T>(pending: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    let settled = false;
    const result = pending().finally(() => {
      settled = true;
    });
    // Handled below; without this a rejection during the loop would be reported as unhandled.
    result.catch(() => undefined);
    while (!settled) {
      await new Promise((resolve) => setImmediate(resolve));
      await vi.advanceTimersByTimeAsync(100);
    }
    return await result;
  } finally {
    vi.useRealTimers();
  }
}
