/**
 * Access keys: who may upload. Keys are compared in constant time over SHA-256 digests (node:crypto where the runtime
 * has it, else WebCrypto: `_crypto.ts`), which also hides a key's length.
 */
import { BytedropError } from '@bytedrop/core';
import { createHashing } from './_crypto';
import { parseSize } from './_key-params';
import { SCOPES, type Scope } from './catalog/keys';
import { checkRate, type UploadRates } from './rate-limits';

/** One access key: a person or an app. */
export interface AccessKey {
  /** Shown in logs and passed to key templates as `{user}`; never the key itself. */
  name: string;
  /** The secret the client sends. */
  key: string;
  /** Put before every object key uploaded with this access key (e.g. `alice/`), so people get separate folders. */
  prefix?: string;
  /** Files this key may store per hour and per day (keys file `uploadsPerHour`, `uploadsPerDay`); see `createRateLimits`. */
  rates?: UploadRates;
  /** Sees and deletes every owner's files through `/api/files` (a keys-file entry's `"admin": true`). */
  admin?: boolean;
  /**
   * What the key may do; when absent, `upload`, `delete-own` and `list-own`, and every scope for an `admin` key
   * (`scopesOf`). Keys from the catalog always carry theirs.
   */
  scopes?: readonly Scope[];
  /** Bytes and files this key may store in all (a managed key's quota); no limit where absent. */
  quota?: { bytes?: number; files?: number };
  /** Uploads are private unless a request says otherwise (a keys-file entry's `"private": true`). */
  private?: boolean;
  /** A JWT's subject (`jwt.ts`): its scopes come from the token, so a missing one is asked of the identity provider. */
  jwt?: boolean;
}

/** Checks a presented key against the configured ones. */
export interface Keyring {
  /** The matching access key, or `undefined`; takes the same time whether or which key matches. */
  verify(presented: string): Promise<AccessKey | undefined>;
  /**
   * Like `verify`, with the reason a key that is known no longer works (revoked, expired); the authenticator asks
   * this when a keyring has it (`createCatalogKeyring`).
   */
  lookup?(presented: string): Promise<{ key?: AccessKey; problem?: string }>;
  readonly size: number;
}

/**
 * Builds a keyring from access keys. Throws `ERR_CONFIG` for an empty list, a key shorter than 8 characters or a
 * duplicate name, because each of those is a deployment mistake better caught at startup.
 *
 * @example
 * ```ts
 * const keyring = createKeyring([{ name: 'alice', key: 's3cret-alice', prefix: 'alice/' }]);
 * await keyring.verify('s3cret-alice'); // { name: 'alice', … }
 * await keyring.verify('guess'); // undefined
 * ```
 */
export function createKeyring(keys: readonly AccessKey[]): Keyring {
  if (keys.length === 0) {
    throw new BytedropError(
      'ERR_CONFIG',
      'no access keys configured: set AUTH_KEY or a keys file (KEYS_FILE)',
    );
  }
  const names = new Set<string>();
  for (const entry of keys) {
    if (typeof entry.key !== 'string' || entry.key.length < 8) {
      throw new BytedropError(
        'ERR_CONFIG',
        `access key '${entry.name}' is shorter than 8 characters: use a long random key (e.g. \`openssl rand -hex 24\`)`,
      );
    }
    if (names.has(entry.name)) {
      throw new BytedropError(
        'ERR_CONFIG',
        `access key name '${entry.name}' is used twice: give each key its own name`,
      );
    }
    names.add(entry.name);
  }
  const hashing = createHashing();
  const digests = Promise.all(
    keys.map(async (entry) => ({ entry, digest: await hashing.sha256(entry.key) })),
  );
  return {
    size: keys.length,
    async verify(presented) {
      const digest = await hashing.sha256(presented);
      let match: AccessKey | undefined;
      // No early exit: every key is compared, so the time does not say which key (or whether any) matched.
      for (const candidate of await digests) {
        if (hashing.equal(digest, candidate.digest) && match === undefined) match = candidate.entry;
      }
      return match;
    },
  };
}

/**
 * The key a client presented, from the headers ByteGo, PicGo, PicList, ShareX and Bytedrop clients use:
 * `Authorization: <key>`, `Authorization: Bearer <key>`, `X-API-Key` or `X-PicGo-Secret`.
 *
 * @example
 * ```ts
 * presentedKey(new Headers({ authorization: 'Bearer abc12345' })); // 'abc12345'
 * ```
 */
export function presentedKey(headers: Headers): string | undefined {
  const authorization = headers.get('authorization')?.trim();
  if (authorization) {
    const bearer = /^bearer\s+(.+)$/i.exec(authorization);
    return bearer ? bearer[1]!.trim() : authorization;
  }
  for (const name of ['x-api-key', 'x-picgo-secret']) {
    const value = headers.get(name)?.trim();
    if (value) return value;
  }
  return undefined;
}

/** A keys-file entry's `scopes` and `quotaBytes` / `quotaFiles`, checked; `ERR_CONFIG` naming the entry. */
function managedFields(entry: Record<string, unknown>, where: string): Pick<AccessKey, 'scopes' | 'quota'> {
  const { scopes, quotaBytes, quotaFiles } = entry;
  if (
    scopes !== undefined &&
    (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => SCOPES.includes(s)))
  ) {
    throw new BytedropError('ERR_CONFIG', `${where}: "scopes" must be a list of ${SCOPES.join(', ')}`);
  }
  const bytes = typeof quotaBytes === 'string' ? (parseSize(quotaBytes) ?? Number.NaN) : quotaBytes;
  if (bytes !== undefined && (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 1)) {
    throw new BytedropError(
      'ERR_CONFIG',
      `${where}: "quotaBytes" must be a number of bytes or a size like "5GB"`,
    );
  }
  if (quotaFiles !== undefined && (!Number.isSafeInteger(quotaFiles) || (quotaFiles as number) < 1)) {
    throw new BytedropError('ERR_CONFIG', `${where}: "quotaFiles" must be a whole number of files above 0`);
  }
  const files = quotaFiles as number | undefined;
  const quota = { ...(bytes === undefined ? {} : { bytes }), ...(files === undefined ? {} : { files }) };
  return {
    ...(scopes === undefined ? {} : { scopes: scopes as Scope[] }),
    ...(Object.keys(quota).length > 0 ? { quota } : {}),
  };
}

/**
 * Parses a keys file: JSON, either an array or `{ "keys": [...] }` of `{ name, key, prefix?, admin?,
 * uploadsPerHour?, uploadsPerDay?, scopes?, quotaBytes?, quotaFiles? }`.
 * Throws `ERR_CONFIG` naming the entry and the fix.
 *
 * @example
 * ```ts
 * parseKeysFile('[{"name":"alice","key":"s3cret-alice","prefix":"alice/"}]');
 * ```
 */
export function parseKeysFile(text: string, source = 'keys file'): AccessKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BytedropError(
      'ERR_CONFIG',
      `${source} is not valid JSON (${(error as Error).message}): write [{"name":"alice","key":"…","prefix":"alice/"}]`,
      { cause: error },
    );
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) {
    throw new BytedropError('ERR_CONFIG', `${source} must be an array of keys or {"keys":[…]}`);
  }
  return list.map((item, index) => {
    const entry = (item ?? {}) as Record<string, unknown>;
    const { name, key, prefix, admin } = entry;
    if (typeof name !== 'string' || name === '' || typeof key !== 'string') {
      throw new BytedropError(
        'ERR_CONFIG',
        `${source} entry ${index} needs a string "name" and "key" (got ${Object.keys(entry).join(', ') || 'nothing'})`,
      );
    }
    if (prefix !== undefined && typeof prefix !== 'string') {
      throw new BytedropError(
        'ERR_CONFIG',
        `${source} entry '${name}': "prefix" must be a string like "alice/"`,
      );
    }
    if (admin !== undefined && typeof admin !== 'boolean') {
      throw new BytedropError('ERR_CONFIG', `${source} entry '${name}': "admin" must be true or false`);
    }
    if (entry.private !== undefined && typeof entry.private !== 'boolean') {
      throw new BytedropError('ERR_CONFIG', `${source} entry '${name}': "private" must be true or false`);
    }
    const perHour = checkRate(entry.uploadsPerHour, `${source} entry '${name}': "uploadsPerHour"`);
    const perDay = checkRate(entry.uploadsPerDay, `${source} entry '${name}': "uploadsPerDay"`);
    const rates: UploadRates = {
      ...(perHour === undefined ? {} : { perHour }),
      ...(perDay === undefined ? {} : { perDay }),
    };
    return {
      name,
      key,
      ...(prefix ? { prefix } : {}),
      ...(admin ? { admin } : {}),
      ...managedFields(entry, `${source} entry '${name}'`),
      ...(entry.private ? { private: true } : {}),
      ...(perHour === undefined && perDay === undefined ? {} : { rates }),
    };
  });
}
