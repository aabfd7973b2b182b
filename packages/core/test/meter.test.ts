/**
 * `meter` holds one abort listener for the whole stream (issue 16: one per chunk cost more than the metering), and
 * still fails a read under way as soon as the signal fires; the listener goes when the stream ends or stops early.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { meter } from '../src/_stream';

async function* chunks(count: number, signal: AbortSignal, seen: number[]): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) {
    seen.push(getEventListeners(signal, 'abort').length);
    yield new Uint8Array(16);
  }
}

describe('meter', () => {
  it('listens to the signal once for the whole stream, and not after its end', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    let total = 0;
    for await (const chunk of meter(chunks(100, controller.signal, seen), {
      signal: controller.signal,
      filename: 'a.bin',
    }))
      total += chunk.byteLength;
    expect(total).toBe(1600);
    expect(new Set(seen)).toEqual(new Set([1]));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('lets go of the signal when the reader stops early', async () => {
    const controller = new AbortController();
    const metered = meter(chunks(100, controller.signal, []), {
      signal: controller.signal,
      filename: 'a.bin',
    });
    await metered.next();
    await metered.return(undefined);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('fails a read that never settles as soon as the signal fires', async () => {
    const controller = new AbortController();
    const never: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<Uint8Array>>(() => undefined),
      }),
    };
    const read = meter(never, { signal: controller.signal, filename: 'stuck.bin' }).next();
    controller.abort(new Error('gone'));
    await expect(read).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('refuses more than maxBytes, naming the file', async () => {
    const controller = new AbortController();
    const metered = meter(chunks(10, controller.signal, []), { filename: 'big.bin', maxBytes: 100 });
    await expect(
      (async () => {
        for await (const _ of metered);
      })(),
    ).rejects.toMatchObject({ code: 'ERR_TOO_LARGE', message: expect.stringContaining('big.bin') });
  });
});
