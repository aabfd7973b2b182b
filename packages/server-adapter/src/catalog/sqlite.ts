/**
 * The embedded catalog: one SQLite file in the data directory, zero configuration. WAL mode, so reads (listings) do
 * not wait behind a write; `synchronous = NORMAL` (below) for the uploads' records, FULL for access keys
 * (`_durably.ts`). The driver is better-sqlite3; on a Node it was not built for (its native module follows the Node
 * that ran `pnpm install`), Node's own `node:sqlite` (22.13+, 24) takes over.
 */

import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BytedropError } from '@bytedrop/core';
import type { SqliteDatabase } from 'kysely';
import { loadKysely } from './_load-kysely';
import { nodeSqliteAvailable, openNodeSqlite } from './_node-sqlite';
import type { CatalogDatabase } from './_schema';
import { cachingStatements } from './_statement-cache';
import type { Catalog } from './types';

/** Options of `createSqliteCatalog`. */
export interface SqliteCatalogOptions {
  /** The database file (created with its directory when missing), or `:memory:` for a throwaway catalog. */
  file: string;
  /**
   * `better-sqlite3`, `node:sqlite`, or `auto` (default): better-sqlite3, else `node:sqlite` where this Node has it.
   */
  driver?: 'auto' | 'better-sqlite3' | 'node:sqlite';
}

const PRAGMAS = [
  'journal_mode = WAL',
  // No fsync per commit: the WAL is synced at each checkpoint instead. better-sqlite3 is built so already
  // (SQLITE_DEFAULT_WAL_SYNCHRONOUS=1); said here so `node:sqlite` does the same, and so it is argued. A commit then
  // survives a crash of the server's process and the database stays consistent (the owners' counters commit with
  // their rows), but an OS crash or power cut may take the commits since the last checkpoint. An fsync per upload's
  // record would block the event loop (the drivers are synchronous) for each upload. What NORMAL may lose can be
  // rebuilt: storage is the source of truth for files, so `bytedrop-server catalog rebuild` lists again what lost
  // its record and drops a record of a deleted file, and an upload in flight catches up at its next step. Access
  // keys are not in storage, and a revocation must not come undone: their writes commit with FULL (`_durably.ts`).
  'synchronous = NORMAL',
  // Another process (`catalog rebuild` beside a running server) may hold the write lock for a moment.
  'busy_timeout = 5000',
];

/** better-sqlite3's native module loads with the first database: a failure there means it was not built for this Node. */
function nativeMissing(error: unknown): boolean {
  return (
    (error as { code?: string }).code === 'ERR_DLOPEN_FAILED' ||
    /bindings file|self-register/.test(String(error))
  );
}

/** The database, through the driver asked for (or better-sqlite3, then `node:sqlite` where its native module fails). */
async function openDatabase(file: string, driver: SqliteCatalogOptions['driver']): Promise<SqliteDatabase> {
  let problem = 'node:sqlite was asked for';
  if (driver !== 'node:sqlite') {
    try {
      const Database = (await import('better-sqlite3')).default;
      const database = new Database(file);
      for (const pragma of PRAGMAS) database.pragma(pragma);
      return database;
    } catch (error) {
      if (!nativeMissing(error) && (error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
      problem = (error as Error).message.split('\n')[0] ?? String(error);
    }
  }
  if (driver !== 'better-sqlite3' && nodeSqliteAvailable()) return openNodeSqlite(file, PRAGMAS);
  throw new BytedropError(
    'ERR_CONFIG',
    `the SQLite driver (better-sqlite3) could not load (${problem}) and this Node has no node:sqlite: install a C++ toolchain (apt-get install python3 make g++) and run \`pnpm rebuild better-sqlite3\`, use Node 22.13+ or 24, or use PostgreSQL with DATABASE_URL`,
  );
}

/**
 * Opens (or creates) the SQLite catalog and brings it to the latest migration.
 *
 * @example
 * ```ts
 * import { createSqliteCatalog } from '@bytedrop/server/node';
 * const catalog = await createSqliteCatalog({ file: './data/catalog.sqlite' });
 * ```
 */
export async function createSqliteCatalog(options: SqliteCatalogOptions): Promise<Catalog> {
  const file = options.file === ':memory:' ? options.file : resolve(options.file);
  if (file !== ':memory:') await mkdir(dirname(file), { recursive: true }).catch(() => undefined);
  let database: SqliteDatabase;
  try {
    database = await openDatabase(file, options.driver ?? 'auto');
  } catch (error) {
    if (error instanceof BytedropError) throw error;
    throw new BytedropError(
      'ERR_CONFIG',
      `cannot open the catalog at ${file} (${(error as Error).message}): make its directory writable, or set BYTEDROP_DATA_DIR`,
      { cause: error },
    );
  }
  // Kysely and the catalog's queries load here, not with `@bytedrop/server/node`: a server without a catalog, and
  // every command of the bin that needs none, start without them (hundreds of modules).
  const { Kysely, SqliteDialect, createKyselyCatalog } = await loadKysely();
  return createKyselyCatalog(
    new Kysely<CatalogDatabase>({ dialect: new SqliteDialect({ database: cachingStatements(database) }) }),
    'sqlite',
  );
}
