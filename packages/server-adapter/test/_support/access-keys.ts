/** A managed access key as the catalog's key store holds it, for the tests that add keys to a catalog directly. */
import type { HashedKey, KeyRecord } from '../../src/catalog/keys';

/** The created time of every test key unless overridden. */
export const KEY_CREATED = new Date(Date.UTC(2026, 10, 1, 12));

/** Key number `n`'s hash: 64 hex digits. */
export const keyHash = (n: number) => n.toString(16).padStart(64, '0');

/** Key `n`, named `name`: no prefix, limits or expiry, scopes `upload` and `list-own`, unless overridden. */
export function managedKey(name: string, n: number, overrides: Partial<KeyRecord> = {}): HashedKey {
  return {
    hash: keyHash(n),
    record: {
      name,
      prefix: null,
      scopes: ['upload', 'list-own'],
      quotaBytes: null,
      quotaFiles: null,
      perHour: null,
      perDay: null,
      expiresAt: null,
      createdAt: KEY_CREATED,
      revokedAt: null,
      source: 'managed',
      ...overrides,
    },
  };
}
