/**
 * A handler with a catalog for the `/api/` tests: the local-disk fixture, a catalog (in-memory SQLite, or a fresh
 * database on the test PostgreSQL cluster), and three keys: alice (prefix `alice/`), bob, and an admin.
 */
import pg from 'pg';
import { createPostgresCatalog } from '../../src/catalog/postgres';
import { createSqliteCatalog } from '../../src/catalog/sqlite';
import type { Catalog, FileRecord } from '../../src/catalog/types';
import type { HandlerOptions } from '../../src/handler';
import { postgresDatabase } from './catalogs';
import { KEY, KEY2, type LocalFixture, localFixture, ORIGIN } from './fixtures';

export const ADMIN_KEY = 'admin-access-key-00003';

export interface ApiFixture extends LocalFixture {
  catalog: Catalog;
  /** `GET`s (or another method on) `path` with `key`, answering the status and the JSON body. */
  call(
    path: string,
    key?: string,
    method?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** The catalogs the route tests run on: every route end to end on the default and on `DATABASE_URL`'s. */
export const API_KINDS = ['sqlite', 'postgres'] as const;
export type ApiKind = (typeof API_KINDS)[number];

/**
 * Where a PostgreSQL fixture's catalog lives. `fresh`: a database of its own. `emptied`: the test file's one database,
 * every table emptied first, as good as fresh to the routes. It is for a fixture made per test (`beforeEach`): a
 * `CREATE DATABASE` per test took most of such a file's time on CI's loaded cores. Two such fixtures cannot be open
 * at once (the second would empty the first's tables): that is refused.
 */
export type ApiDatabase = 'fresh' | 'emptied';

// Per test file: vitest runs each file with its own copy of this module.
let fileDatabase: Promise<string> | undefined;
let emptiedOpen = false;

async function emptiedDatabase(): Promise<string> {
  if (emptiedOpen) {
    throw Object.assign(
      new Error('an emptied API fixture is still open: dispose it before making the next'),
      {
        code: 'ERR_FIXTURE_OPEN',
      },
    );
  }
  emptiedOpen = true;
  fileDatabase ??= postgresDatabase();
  return fileDatabase;
}

/** Empties every table the migrations made (their own bookkeeping aside), as a new database has them. */
async function emptyTables(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT quote_ident(tablename) AS name FROM pg_tables
       WHERE schemaname = current_schema() AND tablename NOT LIKE 'bytedrop_migration%'`,
    );
    if (rows.length) {
      await client.query(`TRUNCATE ${rows.map((row) => row.name).join(', ')} RESTART IDENTITY`);
    }
  } finally {
    await client.end();
  }
}

async function postgresCatalog(database: ApiDatabase): Promise<Catalog> {
  if (database === 'fresh') return createPostgresCatalog({ url: await postgresDatabase() });
  try {
    const url = await emptiedDatabase();
    // The catalog first: on the file's first fixture its migrations make the tables.
    const catalog = await createPostgresCatalog({ url });
    await emptyTables(url);
    return catalog;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_FIXTURE_OPEN') emptiedOpen = false;
    throw error;
  }
}

export async function apiFixture(
  options: Partial<HandlerOptions> = {},
  kind: ApiKind = 'sqlite',
  database: ApiDatabase = 'fresh',
): Promise<ApiFixture> {
  const catalog =
    options.catalog ??
    (kind === 'postgres' ? await postgresCatalog(database) : await createSqliteCatalog({ file: ':memory:' }));
  const emptied = kind === 'postgres' && database === 'emptied' && !options.catalog;
  const fixture = await localFixture({
    keys: [
      { name: 'alice', key: KEY, prefix: 'alice/' },
      { name: 'bob', key: KEY2 },
      { name: 'root', key: ADMIN_KEY, admin: true },
    ],
    catalog,
    ...options,
  });
  return {
    ...fixture,
    catalog,
    async call(path, key = KEY, method = 'GET') {
      const response = await fixture.handler(
        new Request(`${ORIGIN}${path}`, { method, headers: { authorization: `Bearer ${key}` } }),
      );
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async dispose() {
      await catalog.close();
      if (emptied) emptiedOpen = false;
      await fixture.dispose();
    },
  };
}

export const T0 = Date.UTC(2026, 10, 1, 12);

/** A record for seeding the catalog directly (listing tests need known times). */
export function seed(key: string, overrides: Partial<FileRecord> = {}): FileRecord {
  return {
    key,
    owner: 'alice',
    filename: key.split('/').at(-1)!,
    size: 10,
    hash: null,
    contentType: 'image/png',
    width: null,
    height: null,
    createdAt: new Date(T0),
    requestId: null,
    deleteToken: 'none',
    ...overrides,
  };
}
