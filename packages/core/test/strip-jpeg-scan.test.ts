/**
 * The JPEG walker's scan for the end of entropy-coded data (the bulk of every stripped photo), both ways it runs:
 * with Node's memchr (`Buffer#indexOf`) and with the word loop browsers get. Both must find what a byte-by-byte
 * reading of the spec finds: the first 0xFF followed by a byte that is not 00 (stuffing), FF (fill) or D0–D7 (a
 * restart), at any alignment of the view, and the end when there is none.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memchr, scanEnd } from '../src/_strip-jpeg';

/** The spec read one byte at a time. */
function reference(bytes: Uint8Array, from: number): number {
  for (let at = from; at < bytes.byteLength - 1; at++) {
    const next = bytes[at + 1]!;
    if (bytes[at] === 0xff && next !== 0x00 && next !== 0xff && (next < 0xd0 || next > 0xd7)) return at;
  }
  return bytes.byteLength;
}

const words = (bytes: Uint8Array) => new Uint32Array(bytes.buffer, 0, bytes.buffer.byteLength >> 2);

// Bytes a scan meets: mostly data, with stuffing, fills, restarts and real markers close together.
const byte = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 0xfe }) },
  { weight: 3, arbitrary: fc.constant(0xff) },
  { weight: 2, arbitrary: fc.constant(0x00) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd0, max: 0xd9 }) },
);

describe('scanEnd', () => {
  it('runs with memchr on Node', () => {
    expect(memchr).toBeTypeOf('function');
  });

  it.each([
    ['memchr', memchr],
    ['the word loop', undefined],
  ])('with %s, finds the first marker at every alignment, or the end', (_, find) => {
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 80 }), fc.nat(7), fc.nat(80), (data, offset, start) => {
        const buffer = new Uint8Array(offset + data.length + 3);
        buffer.set(data, offset);
        const bytes = buffer.subarray(offset, offset + data.length);
        const from = Math.min(start, data.length);
        expect(scanEnd(bytes, words(bytes), from, find)).toBe(reference(bytes, from));
      }),
      { numRuns: 3000 },
    );
  });

  it('skips stuffing across a long run of data to the marker after it', () => {
    const bytes = new Uint8Array(4096).fill(0x11);
    for (let at = 5; at < 4000; at += 37) bytes.set([0xff, 0x00], at);
    bytes.set([0xff, 0xd7], 4001); // the last restart marker: not the end
    bytes.set([0xff, 0xd9], 4090);
    for (const find of [memchr, undefined]) expect(scanEnd(bytes, words(bytes), 0, find)).toBe(4090);
  });
});
