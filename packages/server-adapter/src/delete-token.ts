/**
 * Per-file delete tokens, bound to the object's owner: a MAC of the owner and the key under a server secret.
 * Stateless (nothing to store or expire) and specific to one owner's object at one key, so a leaked delete link
 * deletes one file, the access key never travels in a URL, and a re-upload of someone else's file earns no right to
 * delete it.
 */
import { BytedropError } from '@bytedrop/core';
import { fromBase64Url, toBase64Url } from './_base64url';
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

/**
 * What a genuine token grants: deleting `key` while it holds an object of the owner the token was signed for (`tag`),
 * or, for a token signed before owners were recorded (`legacy`), an object with no owner.
 */
export type DeleteGrant = { legacy: true } | { legacy: false; tag: Uint8Array };

/** Signs and checks delete tokens. */
export interface DeleteTokens {
  /** A token for `owner`'s object at `key`. */
  sign(key: string, owner: string): Promise<string>;
  /** What `token` grants for `key`, or `undefined` when it is not a token this secret signed for `key`. */
  check(key: string, token: string): Promise<DeleteGrant | undefined>;
  /** True when `grant` covers an object whose recorded owner is `owner` (`undefined`: none recorded). */
  covers(grant: DeleteGrant, owner: string | undefined): Promise<boolean>;
}

/** Bytes of the owner tag and of the MAC in a token: 24 bytes, 32 characters of base64url. */
const TAG_BYTES = 8;
const MAC_BYTES = 16;
/** Owners whose tag is kept (`tagOf`). */
const MAX_KEPT_TAGS = 1024;
/** A token from before owners: the whole HMAC-SHA-256 of the key. */
const LEGACY_BYTES = 32;

const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

/**
 * Delete tokens under `secret` (keep it stable across restarts, or earlier links stop working). A token is the
 * owner's tag (an HMAC of the access key's name, so the name stays out of the URL) and a MAC of tag and key: it is
 * checked before storage is asked anything, and it deletes only while the object at the key is that owner's, so a
 * token outlives neither its file nor a later upload of the same bytes by another key. Throws `ERR_CONFIG` for a
 * secret shorter than 32 characters.
 *
 * @example
 * ```ts
 * const tokens = createDeleteTokens('a-long-random-server-secret-of-32+-chars');
 * const token = await tokens.sign('2024/05/01/shot-1a2b3c4d.png', 'alice');
 * const grant = await tokens.check('2024/05/01/shot-1a2b3c4d.png', token); // { legacy: false, tag }
 * await tokens.covers(grant!, 'alice'); // true; 'bob' or no owner: false
 * ```
 */
export function createDeleteTokens(secret: string | Uint8Array): DeleteTokens {
  checkSecret(secret);
  const hashing = createHashing();
  // A copy: the caller's buffer may change later, and tokens already handed out must keep working.
  const hmac = hashing.hmacSha256(
    typeof secret === 'string' ? new TextEncoder().encode(secret) : new Uint8Array(secret),
  );
  // The purpose is part of the signed data so the same secret signs tags, MACs and old tokens without confusion.
  const sign = async (owner: string) => (await hmac.sign(`bytedrop-owner:${owner}`)).subarray(0, TAG_BYTES);
  // Tags depend on the owner alone: kept, so an upload's answer costs one HMAC, not two. Owners are access keys (few),
  // but `covers` also sees owners read from storage, so the memo is bounded and starts over when full.
  const tags = new Map<string, Promise<Uint8Array>>();
  const tagOf = (owner: string): Promise<Uint8Array> => {
    let tag = tags.get(owner);
    if (tag === undefined) {
      if (tags.size >= MAX_KEPT_TAGS) tags.clear();
      tag = sign(owner);
      tags.set(owner, tag);
      tag.catch(() => tags.delete(owner));
    }
    return tag;
  };
  const macOf = async (tag: Uint8Array, key: string) =>
    (await hmac.sign(`bytedrop-delete-v2:${hex(tag)}:${key}`)).subarray(0, MAC_BYTES);
  return {
    async sign(key, owner) {
      const tag = await tagOf(owner);
      const token = new Uint8Array(TAG_BYTES + MAC_BYTES);
      token.set(tag);
      token.set(await macOf(tag, key), TAG_BYTES);
      return toBase64Url(token);
    },
    async check(key, token) {
      const presented = fromBase64Url(token, 100);
      if (presented?.length === LEGACY_BYTES) {
        return hashing.equal(presented, await hmac.sign(`bytedrop-delete:${key}`))
          ? { legacy: true }
          : undefined;
      }
      if (presented?.length !== TAG_BYTES + MAC_BYTES) return undefined;
      const tag = presented.slice(0, TAG_BYTES);
      return hashing.equal(presented.subarray(TAG_BYTES), await macOf(tag, key))
        ? { legacy: false, tag }
        : undefined;
    },
    async covers(grant, owner) {
      if (grant.legacy || owner === undefined) return grant.legacy && owner === undefined;
      return hashing.equal(grant.tag, await tagOf(owner));
    },
  };
}
