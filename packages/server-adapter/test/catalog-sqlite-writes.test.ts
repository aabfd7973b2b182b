/**
 * How the SQLite catalog writes: each SQL text prepared once (`_statement-cache.ts`), an upload's record committed
 * without an fsync (`synchronous = NORMAL`) and every access-key write with one (`_durably.ts`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKyselyCatalog } from '../src/catalog/_kysely-catalog';
import type { CatalogDatabase } from '../src/catalog/_schema';
import { cachingStatements } from '../src/catalog/_statement-cache';
import type { Catalog } from '../src/catalog/types';
import { KEY_CREATED, managedKey } from './_support/access-keys';
import { rawSqlite } from './_support/catalogs';

const T0 = KEY_CREATED;
const key = (name: string, n: number) => managedKey(name, n, { scopes: ['upload'] });

describe('cachingStatements', () => {
  /** A database whose statements are numbered in the order they were prepared. */
  const counting = () => {
    const prepared: string[] = [];
    const database: SqliteDatabase = {
      close: () => {},
      prepare(sql) {
        prepared.push(sql);
        return { reader: false, id: prepared.length } as unknown as SqliteStatement;
      },
    };
    return { prepared, database: cachingStatements(database) };
  };

  it('prepares each SQL text once and runs the same statement again', () => {
    const { prepared, database } = counting();
    const first = database.prepare('select 1');
    database.prepare('select 2');
    expect(database.prepare('select 1')).toBe(first);
    expect(prepared).toEqual(['select 1', 'select 2']);
  });

  it('keeps 256 texts, letting the one used longest ago go first', () => {
    const { prepared, database } = counting();
    for (let i = 0; i < 256; i++) database.prepare(`select ${i}`);
    database.prepare('select 0'); // used again: now the newest
    database.prepare('select 256'); // one too many: `select 1` goes
    expect(prepared).toHaveLength(257);
    database.prepare('select 0');
    expect(prepared).toHaveLength(257);
    database.prepare('select 1');
    expect(prepared.at(-1)).toBe('select 1');
  });
});

describe('SQLite catalog commits', () => {
  let dir: string;
  let catalog: Catalog;
  /** Each write statement run, with the connection's `synchronous` level at that moment (1 NORMAL, 2 FULL). */
  let writes: { sql: string; level: number }[];
  let level: () => number;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-sqlite-writes-'));
    // Through the driver the catalog picks on this Node: better-sqlite3, or node:sqlite where its native module was
    // built for another Node (CI's Node 24 run).
    const raw = rawSqlite(join(dir, 'catalog.sqlite'));
    const pragma = (text: string) => {
      const statement = raw.prepare(`pragma ${text}`);
      if (statement.reader) return statement.all([]) as Record<string, unknown>[];
      statement.run([]);
      return [];
    };
    pragma('journal_mode = WAL');
    pragma('synchronous = NORMAL');
    level = () => Number(Object.values(pragma('synchronous')[0] ?? {})[0]);
    writes = [];
    const watched: SqliteDatabase = {
      close: () => raw.close(),
      prepare(sql) {
        const statement = raw.prepare(sql);
        if (statement.reader) return statement;
        return {
          reader: false,
          all: (parameters) => statement.all(parameters),
          run: (parameters) => {
            if (/^\s*(insert|update|delete|commit)/i.test(sql)) writes.push({ sql, level: level() });
            return statement.run(parameters);
          },
          iterate: (parameters) => statement.iterate(parameters),
        };
      },
    };
    catalog = await createKyselyCatalog(
      new Kysely<CatalogDatabase>({ dialect: new SqliteDialect({ database: watched }) }),
      'sqlite',
    );
    writes = [];
  });

  afterEach(async () => {
    // The folder goes even when the catalog never opened (a driver that fails to load): CI kept those in /tmp.
    try {
      await catalog.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('commits every access-key write with FULL and goes back to NORMAL after', async () => {
    await catalog.accessKeys.add(key('alice', 1));
    await catalog.accessKeys.rehash('alice', '2'.padStart(64, '0'));
    await catalog.accessKeys.revoke('alice', T0);
    await catalog.accessKeys.sync(
      [{ ...key('file', 3), record: { ...key('file', 3).record, source: 'config' } }],
      T0,
    );
    expect(writes.map((write) => write.sql.split(' ')[0]?.toLowerCase())).toEqual([
      'insert',
      'commit',
      'update',
      'update',
      'insert',
      'commit',
    ]);
    expect(writes.every((write) => write.level === 2)).toBe(true);
    expect(level()).toBe(1);
  });

  it("records an upload's file in one statement, without a transaction or an fsync", async () => {
    await catalog.recordMany([
      {
        key: 'a.png',
        owner: 'alice',
        filename: 'a.png',
        size: 10,
        hash: 'sha256:00',
        contentType: 'image/png',
        width: null,
        height: null,
        createdAt: T0,
        requestId: 'r1',
        deleteToken: 'issued',
      },
    ]);
    expect(writes.map(({ sql, level }) => [sql.split(' ')[0]?.toLowerCase(), level])).toEqual([
      ['insert', 1],
    ]);
    expect(await catalog.usage('alice', T0)).toEqual({ files: 1, bytes: 10, uploadsSince: 1 });
  });
});
