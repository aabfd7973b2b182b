/**
 * The storage clock's one signal: it ends an upload when storage stays silent too long (`expired` says so) and when
 * the signal it was started with fires (the client gone; `expired` stays unset, so that is not a 504). It replaced
 * `AbortSignal.any` of the two on every upload (issue 16). Fake timers: no test waits for the clock.
 */
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startStorageClock } from '../src/_storage-clock';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('the storage clock', () => {
  it('aborts with ERR_TIMEOUT after the given silence, and says it expired', () => {
    const client = new AbortController();
    const clock = startStorageClock(1000, client.signal);
    vi.advanceTimersByTime(999);
    expect(clock.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(clock.signal.aborted).toBe(true);
    expect(clock.expired?.code).toBe('ERR_TIMEOUT');
    expect(clock.signal.reason).toBe(clock.expired);
    clock.stop();
  });

  it('follows the signal it was started with, with its reason, without expiring', () => {
    const client = new AbortController();
    const clock = startStorageClock(1000, client.signal);
    const gone = new Error('the client disconnected');
    client.abort(gone);
    expect(clock.signal.aborted).toBe(true);
    expect(clock.signal.reason).toBe(gone);
    expect(clock.expired).toBeUndefined();
    // No timer left to fire an ERR_TIMEOUT later.
    vi.advanceTimersByTime(5000);
    expect(clock.expired).toBeUndefined();
    clock.stop();
  });

  it('starts aborted when that signal already fired', () => {
    const clock = startStorageClock(1000, AbortSignal.abort('gone'));
    expect(clock.signal.aborted).toBe(true);
    expect(clock.signal.reason).toBe('gone');
    clock.stop();
  });

  it('lets go of that signal once stopped: nothing of the upload stays on the request', () => {
    const client = new AbortController();
    const clock = startStorageClock(1000, client.signal);
    expect(getEventListeners(client.signal, 'abort')).toHaveLength(1);
    clock.stop();
    expect(getEventListeners(client.signal, 'abort')).toHaveLength(0);
    client.abort();
    expect(clock.signal.aborted).toBe(false);
  });
});
