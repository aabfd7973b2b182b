/**
 * The catalogs the contract suite runs against: SQLite in a temporary file, and PostgreSQL in a database of the
 * test file's own on the cluster the global setup started (`inject('postgres')`).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import { openNodeSqlite } from '../../src/catalog/_node-sqlite';
import type { CatalogDatabase } from '../../src/catalog/_schema';
import { createPostgresCatalog } from '../../src/catalog/postgres';
import { createSqliteCatalog } from '../../src/catalog/sqlite';
import type { Catalog } from '../../src/catalog/types';

export interface CatalogHarness {
  /** Opens the catalog (again: the same file or database, so reopening tests the migrations). */
  open(): Promise<Catalog>;
  /** The same database without the catalog (no migrations run): to build an older version, or look underneath. */
  raw(): Kysely<CatalogDatabase>;
  dispose(): Promise<void>;
}

/** The file through the driver the catalog would pick (better-sqlite3 where its native module loads). */
export function rawSqlite(file: string, driver: 'auto' | 'node:sqlite' = 'auto'): SqliteDatabase {
  if (driver === 'auto') {
    try {
      return new Database(file);
    } catch {}
  }
  return openNodeSqlite(file, []);
}

export async function sqliteHarness(driver: 'auto' | 'node:sqlite' = 'auto'): Promise<CatalogHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'bytedrop-catalog-'));
  const file = join(dir, 'catalog.sqlite');
  return {
    open: () => createSqliteCatalog({ file, driver }),
    raw: () =>
      new Kysely<CatalogDatabase>({ dialect: new SqliteDialect({ database: rawSqlite(file, driver) }) }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Whether this Node has `node:sqlite` (22.13+ and 24; not Node 20). */
export const HAS_NODE_SQLITE = process.getBuiltinModule?.('node:sqlite') !== undefined;

/** A fresh database on the test cluster; its URL. */
export async function postgresDatabase(): Promise<string> {
  const admin = inject('postgres');
  const name = `bytedrop_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return admin.replace(/\/postgres$/, `/${name}`);
}

export async function postgresHarness(): Promise<CatalogHarness> {
  const url = await postgresDatabase();
  return {
    open: () => createPostgresCatalog({ url }),
    raw: () =>
      new Kysely<CatalogDatabase>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }),
      }),
    dispose: async () => {},
  };
}

/**
 * Every catalog kind: SQLite (better-sqlite3 where it loads), SQLite through `node:sqlite` on the Nodes that have it
 * (CI's Node 24 run), and PostgreSQL.
 */
export const CATALOG_KINDS: (readonly [string, () => Promise<CatalogHarness>])[] = [
  ['sqlite', () => sqliteHarness()],
  ...(HAS_NODE_SQLITE ? [['sqlite (node:sqlite)', () => sqliteHarness('node:sqlite')] as const] : []),
  ['postgres', postgresHarness],
];

/**
 * Registers a describe block's hooks: a catalog of one kind opened before its tests, emptied before each and closed
 * after all; `opened` hands the block its harness and catalog.
 */
export function useEmptiedCatalog(
  start: () => Promise<CatalogHarness>,
  opened: (harness: CatalogHarness, catalog: Catalog) => void,
): void {
  let harness: CatalogHarness | undefined;
  let catalog: Catalog | undefined;
  beforeAll(async () => {
    harness = await start();
    catalog = await harness.open();
    opened(harness, catalog);
  });
  beforeEach(async () => {
    await catalog?.removeMany(await catalog.keys());
  });
  afterAll(async () => {
    await catalog?.close();
    await harness?.dispose();
  });
}
