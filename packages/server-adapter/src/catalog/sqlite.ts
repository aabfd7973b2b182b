/**
 * The embedded catalog: one SQLite file (better-sqlite3) in the data directory, zero configuration. WAL mode, so
 * reads (listings) do not wait behind a write, and every write is durable once its statement returns.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BytedropError } from '@bytedrop/core';
import { Kysely, SqliteDialect } from 'kysely';
import { createKyselyCatalog } from './_kysely-catalog';
import type { CatalogDatabase } from './_schema';
import type { Catalog } from './types';

/** Options of `createSqliteCatalog`. */
export interface SqliteCatalogOptions {
  /** The database file (created with its directory when missing), or `:memory:` for a throwaway catalog. */
  file: string;
}

/** better-sqlite3 loads its native module at import: a machine where it did not build fails here, with the fix. */
async function loadDriver(): Promise<typeof import('better-sqlite3')> {
  try {
    return (await import('better-sqlite3')).default;
  } catch (error) {
    throw new BytedropError(
      'ERR_CONFIG',
      `the SQLite driver (better-sqlite3) could not load (${(error as Error).message}): install a C++ toolchain (apt-get install python3 make g++) and run \`pnpm rebuild better-sqlite3\`, or use PostgreSQL with DATABASE_URL`,
      { cause: error },
    );
  }
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
  const Database = await loadDriver();
  const file = options.file === ':memory:' ? options.file : resolve(options.file);
  let database: import('better-sqlite3').Database;
  try {
    if (file !== ':memory:') await mkdir(dirname(file), { recursive: true });
    database = new Database(file);
    database.pragma('journal_mode = WAL');
    // Another process (`catalog rebuild` beside a running server) may hold the write lock for a moment.
    database.pragma('busy_timeout = 5000');
  } catch (error) {
    throw new BytedropError(
      'ERR_CONFIG',
      `cannot open the catalog at ${file} (${(error as Error).message}): make its directory writable, or set BYTEDROP_DATA_DIR`,
      { cause: error },
    );
  }
  return createKyselyCatalog(
    new Kysely<CatalogDatabase>({ dialect: new SqliteDialect({ database }) }),
    'sqlite',
  );
}
