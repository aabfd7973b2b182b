/**
 * Signing sessions for Uppy: `@uppy/aws-s3` in Companion mode calls `<companionEndpoint>/s3/...` with a bare
 * `fetch` (no way to add an `Authorization` header), so the access key cannot travel the usual way, and it must never
 * travel in a URL (logs, history). A keyed `POST /s3/session` answers an endpoint whose path holds a session token
 * instead: the key's name, prefix and rates, an expiry, and an HMAC under the server secret. The token grants only
 * the signing routes, for that key, until it expires.
 */
import { BytedropError } from '@bytedrop/core';
import { fromBase64Url, toBase64Url } from './_base64url';
import { createHashing } from './_crypto';
import type { AccessKey } from './auth';

/** Where session endpoints live: `/s3-session/<token>/s3/...`. */
export const SESSION_PATH = '/s3-session/';

/** How long a session token is good for, by default. */
export const SESSION_TTL_MS = 3_600_000;

const encoder = new TextEncoder();

/** What a token says: the key without its secret, and until when. */
interface Claims {
  who: Omit<AccessKey, 'key'>;
  exp: number;
}

function expired(): BytedropError {
  return new BytedropError(
    'ERR_AUTH',
    'this signing session is not valid (expired, or not signed by this server): ask POST /s3/session for a new companionEndpoint',
  );
}

/** Signs and checks session tokens under the server secret. */
export function createSessions(secret: string | Uint8Array, ttlMs = SESSION_TTL_MS) {
  const hashing = createHashing();
  const hmac = hashing.hmacSha256(
    typeof secret === 'string' ? encoder.encode(secret) : new Uint8Array(secret),
  );
  // The purpose is signed too: a delete token or tag can never pass for a session.
  const macOf = async (payload: string) =>
    (await hmac.sign(`bytedrop-s3-session:${payload}`)).subarray(0, 16);
  return {
    ttlMs,
    /** A token for `who`, good for `ttlMs`. */
    async sign(who: AccessKey, now = Date.now()): Promise<{ token: string; expires: number }> {
      const { key: _secret, ...rest } = who;
      const claims: Claims = { who: rest, exp: now + ttlMs };
      const payload = toBase64Url(encoder.encode(JSON.stringify(claims)));
      return { token: `${payload}.${toBase64Url(await macOf(payload))}`, expires: claims.exp };
    },
    /** The access key `token` stands for; `ERR_AUTH` when it is forged or expired. */
    async verify(token: string, now = Date.now()): Promise<AccessKey> {
      const [payload, mac, extra] = token.split('.');
      const presented = mac === undefined ? undefined : fromBase64Url(mac);
      if (!payload || !presented || extra !== undefined) throw expired();
      if (!hashing.equal(presented, await macOf(payload))) throw expired();
      const claims = JSON.parse(new TextDecoder().decode(fromBase64Url(payload))) as Claims;
      if (now > claims.exp) throw expired();
      // The secret itself is never in a token; routes behind a session never look at it.
      return { ...claims.who, key: '' };
    },
  };
}

/** The signing sessions of one handler. */
export type Sessions = ReturnType<typeof createSessions>;
