/**
 * `meter` holds one abort listener for the whole stream (issue 16: one per chunk cost more than the metering), and
 * still fails a read under way as soon as the signal fires; the listener goes when the stream ends or stops early.
 * `concatBytes` joins into unzeroed memory in Node (issue 16), so it must never hand out bytes the chunks did not hold.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { concatBytes, meter } from '../src/_stream';

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

describe('concatBytes', () => {
  it('joins chunks into a plain Uint8Array that owns its whole buffer, with exactly their bytes', () => {
    // Big enough to skip Buffer's pool, and filled so that unzeroed memory could not pass for the chunks' zeros.
    const chunks = [new Uint8Array(70_000).fill(1), new Uint8Array(3).fill(2), new Uint8Array(5000).fill(3)];
    const size = 75_003;
    const joined = concatBytes(chunks, size);
    expect(Object.getPrototypeOf(joined)).toBe(Uint8Array.prototype);
    expect([joined.byteOffset, joined.buffer.byteLength]).toEqual([0, size]);
    expect(Buffer.from(joined).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('leaves zeros, never old memory, past the chunks when given more room than they fill', () => {
    // Old memory stands in as 0xee: what an unzeroed allocation may hold.
    const dirty = vi
      .spyOn(Buffer, 'allocUnsafeSlow')
      .mockImplementation((size: number) => Buffer.alloc(size, 0xee));
    try {
      const joined = concatBytes([new Uint8Array(10).fill(7), new Uint8Array(10).fill(8)], 65_536);
      expect(dirty).toHaveBeenCalled();
      expect(joined.subarray(0, 20)).toEqual(new Uint8Array([...Array(10).fill(7), ...Array(10).fill(8)]));
      expect(joined.subarray(20).every((byte) => byte === 0)).toBe(true);
    } finally {
      dirty.mockRestore();
    }
  });
});
