/**
 * The catalogs the contract suite runs against: SQLite in a temporary file, and PostgreSQL in a database of the
 * test file's own on the cluster the global setup started (`inject('postgres')`).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { createPostgresCatalog } from '../../src/catalog/postgres';
import { createSqliteCatalog } from '../../src/catalog/sqlite';
import type { Catalog } from '../../src/catalog/types';

export interface CatalogHarness {
  /** Opens the catalog (again: the same file or database, so reopening tests the migrations). */
  open(): Promise<Catalog>;
  dispose(): Promise<void>;
}

export async function sqliteHarness(driver: 'auto' | 'node:sqlite' = 'auto'): Promise<CatalogHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'bytedrop-catalog-'));
  return {
    open: () => createSqliteCatalog({ file: join(dir, 'catalog.sqlite'), driver }),
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
  return { open: () => createPostgresCatalog({ url }), dispose: async () => {} };
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
