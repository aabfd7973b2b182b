/**
 * Access keys checked against the catalog. A presented key is hashed (SHA-256) and looked up by that hash through a
 * unique index: the lookup's timing depends on the hash, which tells nothing about which secret (if any) is near
 * one stored, and no secret is ever compared byte by byte. No slow KDF is needed because managed secrets are 256
 * random bits: a stolen hash cannot be reversed by guessing, where a KDF's cost protects low-entropy passwords.
 * (Keys-file keys may be weaker, but the keys file holds them in plain text anyway.)
 *
 * The keys of the keys file or AUTH_KEY are mirrored into the catalog before the first check (`sync`): a changed
 * file rewrites them, a removed entry is revoked. When the catalog does not answer, those keys are still checked
 * from memory, so a database outage does not lock out the deployment's own keys.
 */
import { BytedropError, isBytedropError } from '@bytedrop/core';
import { catalogUnavailable } from './_catalog-write';
import { createHashing } from './_crypto';
import { DEFAULT_SCOPES } from './_scopes';
import { type AccessKey, createKeyring, type Keyring } from './auth';
import { type HashedKey, type KeyRecord, SCOPES } from './catalog/keys';
import type { Catalog } from './catalog/types';
import type { Logger } from './types';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * A new secret: `bd_` and 32 random bytes in base64url (the prefix lets secret scanners recognise a leaked key).
 *
 * @example
 * ```ts
 * newSecret(); // 'bd_3q2-7wX…' (46 characters)
 * ```
 */
export function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `bd_${btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')}`;
}

/**
 * The hex SHA-256 a secret is stored and looked up as.
 *
 * @example
 * ```ts
 * await hashSecret('bd_…'); // '9f86d081…' (64 hex digits)
 * ```
 */
export async function hashSecret(secret: string): Promise<string> {
  return hex(await createHashing().sha256(secret));
}

/** A catalog key as the routes see it. */
export function toAccessKey(record: KeyRecord): AccessKey {
  const quota = {
    ...(record.quotaBytes === null ? {} : { bytes: record.quotaBytes }),
    ...(record.quotaFiles === null ? {} : { files: record.quotaFiles }),
  };
  const rates = {
    ...(record.perHour === null ? {} : { perHour: record.perHour }),
    ...(record.perDay === null ? {} : { perDay: record.perDay }),
  };
  return {
    name: record.name,
    // The secret is not known here (only its hash), and nothing after the check needs it.
    key: '',
    ...(record.prefix ? { prefix: record.prefix } : {}),
    scopes: record.scopes,
    ...(record.scopes.includes('admin') ? { admin: true } : {}),
    ...(Object.keys(quota).length > 0 ? { quota } : {}),
    ...(Object.keys(rates).length > 0 ? { rates } : {}),
  };
}

/** A keys-file (or AUTH_KEY) key as the catalog keeps it. */
export async function configKey(key: AccessKey, at: Date): Promise<HashedKey> {
  return {
    hash: await hashSecret(key.key),
    record: {
      name: key.name,
      prefix: key.prefix ?? null,
      scopes: [...(key.scopes ?? (key.admin ? SCOPES : DEFAULT_SCOPES))],
      quotaBytes: key.quota?.bytes ?? null,
      quotaFiles: key.quota?.files ?? null,
      perHour: key.rates?.perHour ?? null,
      perDay: key.rates?.perDay ?? null,
      expiresAt: null,
      createdAt: at,
      revokedAt: null,
      source: 'config',
    },
  };
}

const day = (date: Date) => date.toISOString().replace(/\.\d+Z$/, 'Z');

/** Why a known key does not work, or nothing when it does. */
export function keyProblem(record: KeyRecord, now = new Date()): string | undefined {
  if (record.revokedAt) {
    return `access key '${record.name}' was revoked at ${day(record.revokedAt)}: ask the server's admin for a new key (bytedrop-server keys add, or POST /api/keys)`;
  }
  if (record.expiresAt && record.expiresAt.getTime() <= now.getTime()) {
    return `access key '${record.name}' expired at ${day(record.expiresAt)}: ask the server's admin for a new key (bytedrop-server keys add, or POST /api/keys)`;
  }
  return undefined;
}

/** A keyring over the catalog, with `ready()` to mirror the configured keys (the bin calls it at start). */
export interface CatalogKeyring extends Keyring {
  /** Mirrors the configured keys into the catalog once; `ERR_CONFIG` when one clashes with a managed key. */
  ready(): Promise<void>;
}

/**
 * Checks keys against `catalog`, after mirroring `configured` (keys file, AUTH_KEY) into it.
 *
 * @example
 * ```ts
 * const keyring = createCatalogKeyring(catalog, parseKeysFile(text), logger);
 * await keyring.ready();
 * ```
 */
export function createCatalogKeyring(
  catalog: Catalog,
  configured: readonly AccessKey[],
  logger: Logger,
): CatalogKeyring {
  // Also validates the configured keys (length, duplicate names) as a keyring of its own does.
  const fallback = configured.length > 0 ? createKeyring(configured) : undefined;
  const privateNames = new Set(configured.filter((key) => key.private).map((key) => key.name));
  let synced: Promise<void> | undefined;
  const ready = () => {
    synced ??= (async () => {
      const at = new Date();
      const keys = await Promise.all(configured.map((key) => configKey(key, at)));
      const report = await catalog.accessKeys.sync(keys, at);
      if (report.added + report.updated + report.revoked > 0)
        logger.info({ ...report }, 'catalog: access keys from the keys file / AUTH_KEY brought up to date');
    })().catch((error: unknown) => {
      synced = undefined;
      throw error;
    });
    return synced;
  };

  const lookup = async (presented: string): Promise<{ key?: AccessKey; problem?: string }> => {
    const hash = await hashSecret(presented);
    let record: KeyRecord | undefined;
    try {
      await ready();
      record = await catalog.accessKeys.byHash(hash);
    } catch (error) {
      if (isBytedropError(error, 'ERR_CONFIG')) throw error;
      const key = await fallback?.verify(presented);
      if (key) {
        logger.warn({ err: error, key: key.name }, 'catalog down: a keys-file key was checked from memory');
        return { key };
      }
      throw catalogUnavailable(catalog, error, logger, 'access keys cannot be checked');
    }
    if (!record) return {};
    const problem = keyProblem(record);
    if (problem) return { problem };
    // A keys-file key's `private` lives in the file only (the catalog holds what every key has).
    const own = record.source === 'config' && privateNames.has(record.name);
    return { key: { ...toAccessKey(record), ...(own ? { private: true } : {}) } };
  };

  return {
    ready,
    lookup,
    size: configured.length,
    async verify(presented) {
      return (await lookup(presented)).key;
    },
  };
}

/** The 404 for a key name the catalog does not have. */
export function unknownKey(name: string): BytedropError {
  return new BytedropError(
    'ERR_NOT_FOUND',
    `no access key named '${name}': GET /api/keys (or bytedrop-server keys list) shows them`,
  );
}
