/**
 * Streaming content hashes. Node's OpenSSL when the host has it (several times faster for large files),
 * hash-wasm everywhere else (browsers, Obsidian mobile). Both give identical digests. The same for CRC-32 (ZIP's):
 * Node's native zlib, else hash-wasm.
 */
import { ownDigest, toAsyncIterable } from './_body';
import { BytedropError } from './errors';
import type { BodyInput, HashAlgorithm } from './types';

/**
 * An incremental hash: feed chunks, then read the lowercase hex digest once.
 *
 * @example
 * ```ts
 * const hasher = await createHasher();
 * for await (const chunk of stream) hasher.update(chunk);
 * const hex = await hasher.digest();
 * ```
 */
export interface Hasher {
  update(chunk: Uint8Array): void;
  digest(): Promise<string>;
  /** Which implementation computes the digest (diagnostics, and proof in tests that the fallback ran). */
  readonly implementation?: 'node:crypto' | 'hash-wasm';
}

/**
 * Which implementation computes the digest. `'auto'` uses node:crypto (node:zlib for CRC-32) when the runtime exposes it and hash-wasm
 * otherwise; `'wasm'` forces hash-wasm (tests use it to prove both paths agree).
 *
 * @example
 * ```ts
 * await hashBody(bytes, 'sha256', { backend: 'wasm' }); // what a browser would compute
 * ```
 */
export type HashBackend = 'auto' | 'wasm';

/**
 * Options of `createHasher` and `hashBody`.
 *
 * @example
 * ```ts
 * await createHasher('md5', { backend: 'wasm' });
 * ```
 */
export interface HashOptions {
  backend?: HashBackend;
}

type NodeCrypto = typeof import('node:crypto');

function nodeCrypto(): NodeCrypto | undefined {
  // Reached through getBuiltinModule, never a static `node:` import, so bundlers keep this file browser-safe.
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
  } catch {
    return undefined;
  }
}

/**
 * A running CRC-32 (the ZIP and gzip one): feed it the chunks in order, then read the value.
 *
 * @example
 * ```ts
 * const crc = await createCrc32();
 * for await (const chunk of stream) crc.update(chunk);
 * crc.value(); // unsigned 32-bit
 * ```
 */
export interface Crc32 {
  update(chunk: Uint8Array): void;
  /** The CRC-32 of every chunk so far, unsigned. */
  value(): number;
  /** Which implementation computes it (diagnostics, and proof in tests that the fallback ran). */
  readonly implementation: 'node:zlib' | 'hash-wasm';
}

type NativeCrc32 = (data: Uint8Array, value?: number) => number;

function nativeCrc32(): NativeCrc32 | undefined {
  // As `nodeCrypto`: never a static `node:` import. `zlib.crc32` exists from Node 20.15.
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return (proc?.getBuiltinModule?.('node:zlib') as { crc32?: NativeCrc32 } | undefined)?.crc32;
  } catch {
    return undefined;
  }
}

/**
 * Creates a running CRC-32, as fast as the runtime allows: Node's native `zlib.crc32` (zlib's SIMD code, about
 * 1.5 GiB/s on the bench machine) where the runtime has it, else hash-wasm's (WebAssembly, about half that). A
 * table-driven CRC in JavaScript, as ZIP libraries carry, makes about 150 MiB/s: slower than a disk or a LAN.
 * `{ backend: 'wasm' }` forces hash-wasm.
 *
 * @example
 * ```ts
 * const crc = await createCrc32();
 * crc.update(new TextEncoder().encode('hello'));
 * crc.value(); // 0x3610a686
 * ```
 */
export async function createCrc32(options?: HashOptions): Promise<Crc32> {
  const native = options?.backend === 'wasm' ? undefined : nativeCrc32();
  if (native) {
    let value = 0;
    return {
      implementation: 'node:zlib',
      update: (chunk) => {
        value = native(chunk, value);
      },
      value: () => value >>> 0,
    };
  }
  const { createCRC32 } = await import('./_wasm-hashers');
  const wasm = await createCRC32();
  wasm.init();
  return {
    implementation: 'hash-wasm',
    update: (chunk) => {
      wasm.update(chunk);
    },
    // digest() ends hash-wasm's state: kept and restored, so the value can be read again and more chunks fed.
    value: () => {
      const state = wasm.save();
      const hex = wasm.digest('hex');
      wasm.load(state);
      return Number.parseInt(hex, 16);
    },
  };
}

function checkAlgorithm(algorithm: unknown): asserts algorithm is HashAlgorithm {
  if (algorithm !== 'sha256' && algorithm !== 'md5') {
    throw new BytedropError(
      'ERR_CONFIG',
      `hash algorithm '${String(algorithm)}' is not supported: use 'sha256' (default) or 'md5'`,
    );
  }
}

/**
 * Creates an incremental hasher. SHA-256 unless told otherwise.
 *
 * @example
 * ```ts
 * const hasher = await createHasher('sha256');
 * hasher.update(new TextEncoder().encode('abc'));
 * await hasher.digest(); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export async function createHasher(
  algorithm: HashAlgorithm = 'sha256',
  options?: HashOptions,
): Promise<Hasher> {
  checkAlgorithm(algorithm);
  const crypto = options?.backend === 'wasm' ? undefined : nodeCrypto();
  if (crypto) {
    const hash = crypto.createHash(algorithm);
    return {
      implementation: 'node:crypto',
      update: (chunk) => {
        hash.update(chunk);
      },
      digest: async () => hash.digest('hex'),
    };
  }
  // Loaded only here: hash-wasm's module carries every algorithm's WebAssembly, ~50 ms of start-up a Node host
  // never needs.
  const { createMD5, createSHA256 } = await import('./_wasm-hashers');
  const wasm = algorithm === 'md5' ? await createMD5() : await createSHA256();
  wasm.init();
  return {
    implementation: 'hash-wasm',
    update: (chunk) => {
      wasm.update(chunk);
    },
    digest: async () => wasm.digest('hex'),
  };
}

/**
 * Hashes a whole body, streaming it chunk by chunk, and counts its bytes.
 * One-shot bodies (ReadableStream, AsyncIterable) are consumed.
 *
 * @example
 * ```ts
 * const { hash, size } = await hashBody(new Blob(['hello']));
 * // hash: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824', size: 5
 * ```
 */
export async function hashBody(
  body: BodyInput,
  algorithm: HashAlgorithm = 'sha256',
  options?: HashOptions,
): Promise<{ hash: string; size: number }> {
  checkAlgorithm(algorithm);
  // A large file hashes itself in a worker thread; 'wasm' asks for hash-wasm whatever the body.
  const own = options?.backend === 'wasm' ? undefined : ownDigest(body, algorithm);
  if (own) return own;
  const hasher = await createHasher(algorithm, options);
  let size = 0;
  for await (const chunk of toAsyncIterable(body)) {
    hasher.update(chunk);
    size += chunk.byteLength;
  }
  return { hash: await hasher.digest(), size };
}

/**
 * The first `length` hex characters of a digest — the `{hash:N}` of key templates.
 *
 * @example
 * ```ts
 * shortHash('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'); // 'ba7816bf'
 * shortHash('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 12); // 'ba7816bf8f01'
 * ```
 */
export function shortHash(hex: string, length = 8): string {
  if (!Number.isInteger(length) || length < 1 || length > hex.length) {
    throw new BytedropError(
      'ERR_INPUT',
      `short hash length ${length} is out of range: use a whole number from 1 to ${hex.length}`,
    );
  }
  return hex.slice(0, length).toLowerCase();
}
