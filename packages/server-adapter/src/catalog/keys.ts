/**
 * Managed access keys in the catalog: one row per key with its scopes, quota, upload rates and lifetime, and the
 * SHA-256 of its secret (never the secret). A request's key is found by that hash through a unique index. Rows
 * whose `source` is `config` mirror the keys file or AUTH_KEY and are rewritten by `sync` at every start; `managed`
 * rows come from `bytedrop-server keys` or `/api/keys`.
 */
import { BytedropError } from '@bytedrop/core';
import type { Kysely } from 'kysely';
import type { CatalogDatabase, KeysTable } from './_schema';

/** What a key may do: store files, delete and list its own, and (`admin`) everything, keys included. */
export type Scope = 'upload' | 'delete-own' | 'list-own' | 'admin';

/**
 * Every scope, in the order they are shown.
 *
 * @example
 * ```ts
 * SCOPES.includes(value as Scope); // a scope from a request or a token claim
 * ```
 */
export const SCOPES: readonly Scope[] = ['upload', 'delete-own', 'list-own', 'admin'];

/** Where a key came from: the keys file / AUTH_KEY (`config`), or the CLI / API (`managed`). */
export type KeySource = 'config' | 'managed';

/**
 * One access key as the catalog keeps it.
 *
 * @example
 * ```ts
 * const record: KeyRecord = {
 *   name: 'alice', prefix: 'alice/', scopes: ['upload', 'list-own'], quotaBytes: 5e9, quotaFiles: null,
 *   perHour: 100, perDay: null, expiresAt: null, createdAt: new Date(), revokedAt: null, source: 'managed',
 * };
 * ```
 */
export interface KeyRecord {
  name: string;
  prefix: string | null;
  scopes: Scope[];
  /** Bytes this key may store in all; `null` for no limit. */
  quotaBytes: number | null;
  /** Files this key may store in all; `null` for no limit. */
  quotaFiles: number | null;
  perHour: number | null;
  perDay: number | null;
  expiresAt: Date | null;
  createdAt: Date;
  revokedAt: Date | null;
  source: KeySource;
}

/** A key with the hex SHA-256 of its secret, as written. */
export interface HashedKey {
  record: KeyRecord;
  hash: string;
}

/** What `sync` changed. */
export interface KeySyncReport {
  added: number;
  updated: number;
  revoked: number;
}

/** The catalog's access keys. */
export interface KeyStore {
  /** Adds a key; `ERR_CONFLICT` when its name is taken (revoked keys keep their name). */
  add(key: HashedKey): Promise<void>;
  /** The key whose secret hashes to `hash` (hex), revoked and expired ones included. */
  byHash(hash: string): Promise<KeyRecord | undefined>;
  get(name: string): Promise<KeyRecord | undefined>;
  /** Every key, oldest first. */
  list(): Promise<KeyRecord[]>;
  /** Marks a key revoked at `at` (kept when already revoked); the key after, or `undefined` when there is none. */
  revoke(name: string, at: Date): Promise<KeyRecord | undefined>;
  /** Gives a key a new secret hash; the old secret stops working at once. False when there is no such key. */
  rehash(name: string, hash: string): Promise<boolean>;
  /**
   * Makes the `config` keys exactly `keys` in one transaction: new ones added, changed ones rewritten (and
   * un-revoked), the ones no longer given revoked at `at`. `ERR_CONFIG` when a name belongs to a managed key.
   */
  sync(keys: readonly HashedKey[], at: Date): Promise<KeySyncReport>;
}

const num = (value: number | string | null): number | null => (value === null ? null : Number(value));
const time = (value: number | string | null): Date | null =>
  value === null ? null : new Date(Number(value));

function toKey(row: KeysTable): KeyRecord {
  return {
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes.split(',').filter((scope): scope is Scope => SCOPES.includes(scope as Scope)),
    quotaBytes: num(row.quota_bytes),
    quotaFiles: num(row.quota_files),
    perHour: num(row.per_hour),
    perDay: num(row.per_day),
    expiresAt: time(row.expires_at),
    createdAt: new Date(Number(row.created_at)),
    revokedAt: time(row.revoked_at),
    source: row.source === 'config' ? 'config' : 'managed',
  };
}

function toKeyRow({ record, hash }: HashedKey): KeysTable {
  return {
    name: record.name,
    key_hash: hash,
    prefix: record.prefix,
    scopes: record.scopes.join(','),
    quota_bytes: record.quotaBytes,
    quota_files: record.quotaFiles,
    per_hour: record.perHour,
    per_day: record.perDay,
    expires_at: record.expiresAt?.getTime() ?? null,
    created_at: record.createdAt.getTime(),
    revoked_at: record.revokedAt?.getTime() ?? null,
    source: record.source,
  };
}

/** Whether a stored row says the same as a new one (times of creation aside). */
function sameKey(row: KeysTable, next: KeysTable): boolean {
  const facts = (r: KeysTable) =>
    JSON.stringify([
      r.key_hash,
      r.prefix,
      r.scopes,
      num(r.quota_bytes),
      num(r.quota_files),
      num(r.per_hour),
      num(r.per_day),
      num(r.expires_at),
      num(r.revoked_at),
    ]);
  return facts(row) === facts(next);
}

/**
 * How the store runs each write of a key: synced to disk before it returns (`durably` in `_durably.ts`). Passed in,
 * not imported: this module loads with every server (its `SCOPES`), and `_durably.ts` needs Kysely, which loads with
 * a catalog only.
 */
export type KeyWrites = <T>(work: (db: Kysely<CatalogDatabase>) => Promise<T>) => Promise<T>;

/**
 * The key store over the catalog's database (`Catalog.accessKeys`).
 *
 * @example
 * ```ts
 * const keys = createKeyStore(db, (work) => durably(db, 'sqlite', work));
 * await keys.byHash('9f86d081…'); // the KeyRecord, or undefined
 * ```
 */
export function createKeyStore(db: Kysely<CatalogDatabase>, write: KeyWrites): KeyStore {
  const rows = (from: Kysely<CatalogDatabase> = db) => from.selectFrom('bytedrop_keys').selectAll();
  return {
    async add(key) {
      await write((db) =>
        db.transaction().execute(async (trx) => {
          const taken = await trx
            .selectFrom('bytedrop_keys')
            .select('name')
            .where('name', '=', key.record.name)
            .executeTakeFirst();
          if (taken) {
            throw new BytedropError(
              'ERR_CONFLICT',
              `an access key named '${key.record.name}' exists already (revoked keys keep their name): choose another name, or rotate it`,
            );
          }
          await trx.insertInto('bytedrop_keys').values(toKeyRow(key)).execute();
        }),
      );
    },
    async byHash(hash) {
      const row = await rows().where('key_hash', '=', hash).executeTakeFirst();
      return row ? toKey(row) : undefined;
    },
    async get(name) {
      const row = await rows().where('name', '=', name).executeTakeFirst();
      return row ? toKey(row) : undefined;
    },
    async list() {
      return (await rows().orderBy('created_at').orderBy('name').execute()).map(toKey);
    },
    async revoke(name, at) {
      const row = await write(async (db) => {
        await db
          .updateTable('bytedrop_keys')
          .set({ revoked_at: at.getTime() })
          .where('name', '=', name)
          .where('revoked_at', 'is', null)
          .execute();
        return rows(db).where('name', '=', name).executeTakeFirst();
      });
      return row ? toKey(row) : undefined;
    },
    async rehash(name, hash) {
      const result = await write((db) =>
        db.updateTable('bytedrop_keys').set({ key_hash: hash }).where('name', '=', name).executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) > 0;
    },
    sync: (keys, at) =>
      write((db) =>
        db.transaction().execute(async (trx) => {
          const existing = new Map(
            (await trx.selectFrom('bytedrop_keys').selectAll().execute()).map((row) => [row.name, row]),
          );
          const report: KeySyncReport = { added: 0, updated: 0, revoked: 0 };
          const given = new Set(keys.map((key) => key.record.name));
          const hashes = new Set(keys.map((key) => key.hash));
          for (const row of existing.values()) {
            if (row.source !== 'config' || given.has(row.name)) continue;
            existing.delete(row.name);
            const gone = trx.updateTable('bytedrop_keys').where('name', '=', row.name);
            // A renamed entry: its secret now belongs to the new name, so the old row goes (the hash is unique).
            if (hashes.has(row.key_hash)) {
              await trx.deleteFrom('bytedrop_keys').where('name', '=', row.name).execute();
            } else if (row.revoked_at === null) {
              await gone.set({ revoked_at: at.getTime() }).execute();
              report.revoked += 1;
            }
          }
          for (const key of keys) {
            const row = toKeyRow(key);
            const old = existing.get(row.name);
            if (old && old.source !== 'config') {
              throw new BytedropError(
                'ERR_CONFIG',
                `the keys file names '${row.name}', which is a managed key (bytedrop-server keys): rename the keys-file entry, or revoke the managed key and choose another name for it`,
              );
            }
            if (!old) {
              await trx.insertInto('bytedrop_keys').values(row).execute();
              report.added += 1;
            } else if (!sameKey(old, row)) {
              const { name: _name, created_at: _created, ...changes } = row;
              await trx.updateTable('bytedrop_keys').set(changes).where('name', '=', row.name).execute();
              report.updated += 1;
            }
          }
          return report;
        }),
      ),
  };
}
