/**
 * A handler with a catalog for the `/api/` tests: the local-disk fixture, a catalog (in-memory SQLite, or a fresh
 * database on the test PostgreSQL cluster), and three keys: alice (prefix `alice/`), bob, and an admin.
 */
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

export async function apiFixture(
  options: Partial<HandlerOptions> = {},
  kind: ApiKind = 'sqlite',
): Promise<ApiFixture> {
  const catalog =
    options.catalog ??
    (kind === 'postgres'
      ? await createPostgresCatalog({ url: await postgresDatabase() })
      : await createSqliteCatalog({ file: ':memory:' }));
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
