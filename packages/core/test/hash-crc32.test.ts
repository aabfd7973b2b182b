/**
 * CRC-32 (ZIP's), read against Node's zlib.crc32 as the independent answer: natively, in WebAssembly when asked, and
 * in WebAssembly where the runtime has no node:zlib (a browser, a worker without Node built-ins).
 */
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCrc32 } from '../src/index';

const bytes = new Uint8Array(Array.from({ length: 100_000 }, (_, i) => (i * 7) % 251));
const expected = crc32(bytes);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createCrc32', () => {
  it('matches zlib over chunks, natively', async () => {
    const crc = await createCrc32();
    crc.update(bytes.subarray(0, 33_333));
    crc.update(bytes.subarray(33_333));
    expect(crc.implementation).toBe('node:zlib');
    expect(crc.value()).toBe(expected);
  });

  it('matches zlib over chunks in WebAssembly when forced', async () => {
    const crc = await createCrc32({ backend: 'wasm' });
    crc.update(bytes.subarray(0, 1));
    crc.update(bytes.subarray(1));
    expect(crc.implementation).toBe('hash-wasm');
    expect(crc.value()).toBe(expected);
  });

  it('falls back to WebAssembly where the runtime has no node:zlib', async () => {
    vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined);
    const crc = await createCrc32();
    crc.update(bytes);
    expect(crc.implementation).toBe('hash-wasm');
    expect(crc.value()).toBe(expected);
    expect(process.getBuiltinModule).toHaveBeenCalledWith('node:zlib');
  });

  it('is unsigned, 0 for nothing, and the documented value of "hello"', async () => {
    for (const backend of ['auto', 'wasm'] as const) {
      expect((await createCrc32({ backend })).value()).toBe(0);
      const crc = await createCrc32({ backend });
      crc.update(new TextEncoder().encode('hello'));
      expect(crc.value()).toBe(0x3610a686);
      const high = await createCrc32({ backend });
      high.update(new Uint8Array([0xff])); // 0xff000000: the top bit set
      expect(high.value()).toBe(crc32(new Uint8Array([0xff])));
      expect(high.value()).toBeGreaterThan(2 ** 31);
    }
  });

  it('reads the value again and keeps counting after it', async () => {
    for (const backend of ['auto', 'wasm'] as const) {
      const crc = await createCrc32({ backend });
      crc.update(bytes.subarray(0, 500));
      expect(crc.value()).toBe(crc32(bytes.subarray(0, 500)));
      expect(crc.value()).toBe(crc32(bytes.subarray(0, 500)));
      crc.update(bytes.subarray(500));
      expect(crc.value()).toBe(expected);
    }
  });

  it('both backends agree with zlib on arbitrary chunked input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), async (chunks) => {
        const native = await createCrc32();
        const wasm = await createCrc32({ backend: 'wasm' });
        for (const chunk of chunks) {
          native.update(chunk);
          wasm.update(chunk);
        }
        const whole = crc32(Buffer.concat(chunks));
        expect(native.value()).toBe(whole);
        expect(wasm.value()).toBe(whole);
      }),
      { numRuns: 50 },
    );
  });
});
