/**
 * `createPartBuffer` cuts parts at every `partSize` bytes of the stream, whatever the chunks and however many times
 * the buffer was flushed and refilled with its own tail (a tus PATCH that ended mid-part, then a server restart).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPartBuffer, isBytedropError, MIN_PART_SIZE } from '../src/index';

const PART = MIN_PART_SIZE;
const MiB = 1024 * 1024;
const source = new Uint8Array(2 * PART + 3 * MiB + 7).map((_, i) => (i * 31 + (i >> 16)) % 251);
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
/** The parts one buffer fed the whole source at once must hand out. */
const slice = (from: number, to: number) => source.subarray(from, to);

describe('createPartBuffer', () => {
  it('hands out a part when a chunk straddles its end, keeping the rest for the next one', () => {
    const buffer = createPartBuffer(PART);
    expect(buffer.push(slice(0, 3 * MiB))).toEqual([]);
    expect(buffer.size).toBe(3 * MiB);
    const [part, ...more] = buffer.push(slice(3 * MiB, 6 * MiB));
    expect(more).toEqual([]);
    expect(part?.byteLength).toBe(PART);
    expect(same(part ?? new Uint8Array(), slice(0, PART))).toBe(true);
    expect(buffer.size).toBe(6 * MiB - PART);
    expect(buffer.push(slice(6 * MiB, 9 * MiB))).toEqual([]);
    // The short last part.
    const rest = buffer.flush();
    expect(same(rest, slice(PART, 9 * MiB))).toBe(true);
    expect(buffer.size).toBe(0);
  });

  it('hands out every part of a chunk of exactly two parts as is, with nothing left', () => {
    const buffer = createPartBuffer(PART);
    const chunk = slice(0, 2 * PART);
    const parts = buffer.push(chunk);
    expect(parts.map((part) => part.byteLength)).toEqual([PART, PART]);
    // No copy: the parts are views of the chunk.
    expect(parts.every((part) => part.buffer === chunk.buffer)).toBe(true);
    expect(same(parts[1] ?? new Uint8Array(), slice(PART, 2 * PART))).toBe(true);
    expect(buffer.size).toBe(0);
    expect(buffer.flush().byteLength).toBe(0);
  });

  it('hands out a part when small chunks fill it exactly', () => {
    const buffer = createPartBuffer(PART);
    for (let at = 0; at < PART - MiB; at += MiB) expect(buffer.push(slice(at, at + MiB))).toEqual([]);
    const parts = buffer.push(slice(PART - MiB, PART));
    expect(parts).toHaveLength(1);
    expect(same(parts[0] ?? new Uint8Array(), slice(0, PART))).toBe(true);
    expect(buffer.size).toBe(0);
  });

  it('goes on after a restart from the tail it left: same parts as without the restart', () => {
    // PATCH 1 ends mid-part 2; its tail is stored, the server restarts, PATCH 2 resumes from the stored offset.
    const first = createPartBuffer(PART);
    const sent = first.push(slice(0, PART + 2 * MiB));
    const tail = first.flush();
    expect(tail.byteLength).toBe(2 * MiB);
    const second = createPartBuffer(PART);
    expect(second.push(Uint8Array.from(tail))).toEqual([]);
    sent.push(...second.push(slice(PART + 2 * MiB, source.byteLength)));
    expect(sent.map((part) => part.byteLength)).toEqual([PART, PART]);
    expect(same(sent[1] ?? new Uint8Array(), slice(PART, 2 * PART))).toBe(true);
    expect(same(second.flush(), slice(2 * PART, source.byteLength))).toBe(true);
  });

  it('cuts at every part size whatever the chunks and restarts (property)', () => {
    const cuts = fc.uniqueArray(fc.integer({ min: 1, max: source.byteLength - 1 }), { maxLength: 12 });
    fc.assert(
      fc.property(cuts, fc.array(fc.boolean(), { maxLength: 12 }), (points, restarts) => {
        const bounds = [0, ...points.sort((a, b) => a - b), source.byteLength];
        let buffer = createPartBuffer(PART);
        const parts: Uint8Array[] = [];
        for (let i = 1; i < bounds.length; i++) {
          parts.push(...buffer.push(slice(bounds[i - 1] ?? 0, bounds[i] ?? 0)));
          if (restarts[i]) {
            const tail = Uint8Array.from(buffer.flush());
            buffer = createPartBuffer(PART);
            parts.push(...buffer.push(tail));
          }
          expect(buffer.size).toBeLessThan(PART);
        }
        expect(parts).toHaveLength(2);
        parts.forEach((part, n) => {
          expect(same(part, slice(n * PART, (n + 1) * PART))).toBe(true);
        });
        expect(same(buffer.flush(), slice(2 * PART, source.byteLength))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('hands out a whole part from a stored tail longer than a smaller part size', () => {
    // A server restarted with a smaller part size: the bytes it held must not be lost.
    const buffer = createPartBuffer(PART);
    const parts = buffer.push(slice(0, PART + 100));
    expect(parts).toHaveLength(1);
    expect(buffer.size).toBe(100);
  });

  it.each([0, PART - 1, 1.5 * PART + 0.5, Number.NaN, 5 * 1024 * MiB + 1])(
    'refuses a part size of %s with ERR_INPUT, naming the range',
    (size) => {
      let caught: unknown;
      try {
        createPartBuffer(size);
      } catch (error) {
        caught = error;
      }
      expect(isBytedropError(caught) && caught.code).toBe('ERR_INPUT');
      expect(String((caught as Error).message)).toContain(`part size ${size}`);
      expect(String((caught as Error).message)).toContain('from 5 MiB to 5 GiB');
    },
  );
});
