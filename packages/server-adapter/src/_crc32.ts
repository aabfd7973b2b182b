/**
 * CRC-32 (the ZIP and gzip one) over a stream of chunks, as fast as the runtime allows: Node's native
 * `zlib.crc32` (Node ≥ 20.15, zlib's SIMD code: about 1.5 GiB/s on the bench machine) where the runtime has it,
 * reached through `process.getBuiltinModule` so that this module stays importable by the fetch handler in any
 * runtime; else hash-wasm's CRC-32 (WebAssembly, about half that), loaded only then. A table-driven CRC in
 * JavaScript, as ZIP libraries carry, makes about 150 MiB/s: slower than a disk or a LAN, which is what made
 * `POST /api/zip` slow.
 */

/** A running CRC-32: feed it the chunks in order, then read the value. */
export interface Crc32 {
  update(chunk: Uint8Array): void;
  /** The CRC-32 of every chunk so far, unsigned. */
  value(): number;
}

type NativeCrc32 = (data: Uint8Array, value?: number) => number;

function nativeCrc32(): NativeCrc32 | undefined {
  const getBuiltin = (
    globalThis as { process?: { getBuiltinModule?: (id: string) => { crc32?: NativeCrc32 } | undefined } }
  ).process?.getBuiltinModule;
  return getBuiltin?.('node:zlib')?.crc32;
}

/**
 * A new running CRC-32, native where the runtime has one.
 *
 * @example
 * ```ts
 * const crc = await createCrc32();
 * crc.update(new TextEncoder().encode('hello'));
 * crc.value(); // 0x3610a686
 * ```
 */
export async function createCrc32(): Promise<Crc32> {
  const native = nativeCrc32();
  if (native) {
    let value = 0;
    return {
      update: (chunk) => {
        value = native(chunk, value);
      },
      value: () => value >>> 0,
    };
  }
  const { createCRC32 } = await import('./_wasm-hashers');
  const hasher = await createCRC32();
  hasher.init();
  return {
    update: (chunk) => {
      hasher.update(chunk);
    },
    value: () => Number.parseInt(hasher.digest('hex'), 16),
  };
}
