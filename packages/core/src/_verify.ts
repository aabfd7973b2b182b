/**
 * The bytes sent are the bytes named. A Blob is read twice (hash at prepare, then upload), and a file behind it can
 * change in between, even with its size and mtime put back. So the second read is hashed as it streams, and a
 * mismatch fails the stream before its last byte reaches the provider: lib-storage then aborts instead of completing,
 * and nothing is stored under a hash that names other bytes.
 */
import { ownHashingRead, toAsyncIterable } from './_body';
import { BytedropError } from './errors';
import { createHasher, type Hasher } from './hash';
import type { HashAlgorithm } from './types';

/** A digest the bytes must have: the content hash of the key, or a client's Content-MD5. */
export interface ExpectedDigest {
  algorithm: HashAlgorithm;
  /** Lowercase hex. */
  hex: string;
  /** The error when the bytes hash to something else. */
  mismatch: () => BytedropError;
}

/** `ERR_INPUT` for a file that changed between prepare and upload. */
export function changedError(filename: string): BytedropError {
  return new BytedropError(
    'ERR_INPUT',
    `'${filename}' changed during the upload: the bytes read now do not hash to what was read before, so nothing was stored; upload it again once it is no longer being written`,
  );
}

/** `ERR_CHECKSUM` for bytes that do not match a declared Content-MD5. */
export function md5MismatchError(filename: string, contentMd5: string): BytedropError {
  return new BytedropError(
    'ERR_CHECKSUM',
    `'${filename}' does not match its Content-MD5 ${contentMd5}: the bytes were changed or damaged on the way, so nothing was stored; send the file again`,
  );
}

/** Lowercase hex of a base64 MD5, or `undefined` when it is not 16 bytes of base64. */
export function md5Hex(contentMd5: string): string | undefined {
  if (!/^[A-Za-z0-9+/]{22}==$/.test(contentMd5.trim())) return undefined;
  const binary = atob(contentMd5.trim());
  return Array.from(binary, (char) => char.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}

/** Base64 of bytes (btoa takes a binary string, not bytes). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Base64 of a hex digest (an MD5 for `Content-MD5`). */
export function hexToBase64(hex: string): string {
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index++) {
    bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  }
  return bytesToBase64(bytes);
}

/** Passes `source` through and throws the first expectation's mismatch after the last chunk, before the end. */
export async function* verified(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  expected: readonly ExpectedDigest[],
): AsyncGenerator<Uint8Array> {
  const hashers: Hasher[] = await Promise.all(expected.map((digest) => createHasher(digest.algorithm)));
  for await (const chunk of source) {
    for (const hasher of hashers) hasher.update(chunk);
    yield chunk;
  }
  for (const [index, digest] of expected.entries()) {
    if ((await hashers[index]!.digest()) !== digest.hex) throw digest.mismatch();
  }
}

/**
 * A Blob read again for the upload, checked against `expected` as it streams. A Blob that hashes itself as it reads
 * (core's file Blob, in a worker thread: `OWN_HASHING_READ`) takes the first expectation, the key's hash, off the
 * main thread; any others (a client's Content-MD5) are hashed here. Either way a mismatch fails the stream after its
 * last chunk, before its end.
 */
export function verifiedRead(body: Blob, expected: readonly ExpectedDigest[]): AsyncGenerator<Uint8Array> {
  const [first, ...rest] = expected;
  const own = first === undefined ? undefined : ownHashingRead(body, first.algorithm);
  if (own === undefined || first === undefined) return verified(toAsyncIterable(body), expected);
  return checkedAfter(verified(own.chunks, rest), own, first);
}

async function* checkedAfter(
  source: AsyncIterable<Uint8Array>,
  read: { digest(): Promise<string> },
  expected: ExpectedDigest,
): AsyncGenerator<Uint8Array> {
  yield* source;
  if ((await read.digest()) !== expected.hex) throw expected.mismatch();
}

/** Checks in-memory bytes against the expectations at once (they cannot change under us). */
export async function verifyBytes(bytes: Uint8Array, expected: readonly ExpectedDigest[]): Promise<void> {
  for await (const _ of verified([bytes], expected)) {
    // Nothing to do with the bytes: verified() throws on a mismatch after the last one.
  }
}
