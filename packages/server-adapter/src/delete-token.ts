/**
 * Per-file delete tokens: an HMAC of the object key under a server secret. Stateless (nothing to store or expire)
 * and specific to one key, so a leaked delete link deletes one file and the access key never travels in a URL.
 */
import { BytedropError } from '@bytedrop/core';
import { createHashing } from './_crypto';

/** Shortest secret taken (characters, or bytes): anyone who guesses the secret can delete every file. */
export const MIN_SECRET_LENGTH = 32;

/**
 * Throws `ERR_CONFIG` for a secret shorter than `MIN_SECRET_LENGTH`, naming where it came from and the fix.
 *
 * @example
 * ```ts
 * checkSecret('a', 'BYTEDROP_SECRET'); // throws: BYTEDROP_SECRET is 1 character long: …
 * ```
 */
export function checkSecret(secret: string | Uint8Array, source = 'the delete-token secret'): void {
  const length = typeof secret === 'string' ? secret.length : secret.byteLength;
  if (length >= MIN_SECRET_LENGTH) return;
  throw new BytedropError(
    'ERR_CONFIG',
    `${source} is ${length} ${typeof secret === 'string' ? 'character' : 'byte'}${length === 1 ? '' : 's'} long: use at least ${MIN_SECRET_LENGTH} random characters, e.g. \`openssl rand -base64 32\` (or unset BYTEDROP_SECRET to have one generated)`,
  );
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | undefined {
  // A length of 4n+1 is no base64 at all (atob would throw, and the DELETE would be a 500 instead of a 403).
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** Signs and checks delete tokens. */
export interface DeleteTokens {
  sign(key: string): Promise<string>;
  verify(key: string, token: string): Promise<boolean>;
}

/**
 * Delete tokens under `secret` (keep it stable across restarts, or earlier links stop working). Throws `ERR_CONFIG`
 * for a secret shorter than 32 characters.
 *
 * @example
 * ```ts
 * const tokens = createDeleteTokens('a-long-random-server-secret-of-32+-chars');
 * const token = await tokens.sign('2024/05/01/shot-1a2b3c4d.png');
 * await tokens.verify('2024/05/01/shot-1a2b3c4d.png', token); // true
 * ```
 */
export function createDeleteTokens(secret: string | Uint8Array): DeleteTokens {
  checkSecret(secret);
  const hashing = createHashing();
  // A copy: the caller's buffer may change later, and tokens already handed out must keep working.
  const hmac = hashing.hmacSha256(
    typeof secret === 'string' ? new TextEncoder().encode(secret) : new Uint8Array(secret),
  );
  // The purpose is part of the signed data so the same secret could sign other things without confusion.
  const signature = (key: string) => hmac.sign(`bytedrop-delete:${key}`);
  return {
    async sign(key) {
      return toBase64Url(await signature(key));
    },
    async verify(key, token) {
      const presented = fromBase64Url(token);
      return presented !== undefined && hashing.equal(presented, await signature(key));
    },
  };
}
