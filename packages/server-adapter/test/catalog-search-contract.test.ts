/**
 * Name search (`q`) in every catalog kind: a case-insensitive substring of the original name (beyond ASCII), LIKE's
 * `%`, `_` and `\` plain characters, queries of one or two characters (no trigram) as right as longer ones, and a
 * catalog upgraded from before the trigram index finds the files it already had.
 */
import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate } from '../src/catalog/_migrations';
import { nameContains, trigramsPay } from '../src/catalog/_search';
import { createPostgresCatalog } from '../src/catalog/postgres';
import type { Catalog, FileQuery, FileRecord } from '../src/catalog/types';
import { CATALOG_KINDS, type CatalogHarness, postgresDatabase, useEmptiedCatalog } from './_support/catalogs';

const T0 = Date.UTC(2026, 10, 1, 12);

function file(filename: string, i: number, owner = 'alice'): FileRecord {
  return {
    key: `k/${String(i).padStart(3, '0')}`,
    owner,
    filename,
    size: 10 + i,
    hash: null,
    contentType: 'image/png',
    width: null,
    height: null,
    createdAt: new Date(T0 + i * 1000),
    requestId: null,
    deleteToken: 'none',
  };
}

const NAMES = [
  '100%_done.pdf',
  '1000 done.pdf',
  'back\\slash.txt',
  'Ünïcödé-ÉTÉ.png',
  'CAFÉ.png',
  'café.png',
  'Holiday.PNG',
  'shot-📷-x.png',
  'quote"name.png',
  'abc.txt',
];

/** The names a query finds, sorted, and its totals counted alongside. */
async function found(catalog: Catalog, query: FileQuery) {
  const page = await catalog.list(query, { limit: 100 });
  const names = page.files.map((f) => f.filename).sort();
  expect(page.total.count).toBe(names.length);
  return names;
}

describe.each(CATALOG_KINDS)('catalog name search: %s', (kind, start) => {
  let harness: CatalogHarness;
  let catalog: Catalog;

  useEmptiedCatalog(start, (opened, open) => {
    harness = opened;
    catalog = open;
  });

  it("treats LIKE's %, _ and \\ as plain characters, short queries and long", async () => {
    await catalog.recordMany(NAMES.map((name, i) => file(name, i)));
    expect(await found(catalog, { q: '0%_' })).toEqual(['100%_done.pdf']);
    expect(await found(catalog, { q: '%' })).toEqual(['100%_done.pdf']);
    expect(await found(catalog, { q: '_' })).toEqual(['100%_done.pdf']);
    expect(await found(catalog, { q: '%_d' })).toEqual(['100%_done.pdf']);
    expect(await found(catalog, { q: '\\' })).toEqual(['back\\slash.txt']);
    expect(await found(catalog, { q: 'k\\s' })).toEqual(['back\\slash.txt']);
    expect(await found(catalog, { q: '"n' })).toEqual(['quote"name.png']);
    expect(await found(catalog, { q: 'te"name' })).toEqual(['quote"name.png']);
    expect(await found(catalog, { q: '00 ' })).toEqual(['1000 done.pdf']);
  });

  it('ignores case, beyond ASCII too, in queries of every length', async () => {
    await catalog.recordMany(NAMES.map((name, i) => file(name, i)));
    expect(await found(catalog, { q: 'hoLIDAY' })).toEqual(['Holiday.PNG']);
    expect(await found(catalog, { q: 'DA' })).toEqual(['Holiday.PNG']);
    expect(await found(catalog, { q: 'café' })).toEqual(['CAFÉ.png', 'café.png']);
    expect(await found(catalog, { q: 'CAFÉ' })).toEqual(['CAFÉ.png', 'café.png']);
    expect(await found(catalog, { q: 'é' })).toEqual(['CAFÉ.png', 'café.png', 'Ünïcödé-ÉTÉ.png']);
    expect(await found(catalog, { q: 'été' })).toEqual(['Ünïcödé-ÉTÉ.png']);
    expect(await found(catalog, { q: 'üNÏ' })).toEqual(['Ünïcödé-ÉTÉ.png']);
    // An emoji is one character (two UTF-16 units): alone it is a short query, with its neighbours a trigram.
    expect(await found(catalog, { q: '📷' })).toEqual(['shot-📷-x.png']);
    expect(await found(catalog, { q: '-📷-' })).toEqual(['shot-📷-x.png']);
    expect(await found(catalog, { q: 'cafe' })).toEqual([]);
    expect(await found(catalog, { q: 'zz' })).toEqual([]);
    expect(await found(catalog, { q: 'PNG', owner: 'alice', type: 'image/png' })).toHaveLength(6);
  });

  it('finds within the other filters, with their totals, and forgets deleted names', async () => {
    await catalog.recordMany([
      file('holiday-1.png', 1),
      file('HOLIDAY-2.png', 2, 'bob'),
      file('holiday-3.png', 3),
      file('work.png', 4),
    ]);
    const page = await catalog.list({ q: 'holiday', owner: 'alice' }, { limit: 1 });
    expect(page.files.map((f) => f.filename)).toEqual(['holiday-3.png']);
    expect(page.total).toEqual({ count: 2, bytes: 11 + 13 });
    const rest = await catalog.list({ q: 'holiday', owner: 'alice' }, { limit: 1, after: page.next! });
    expect(rest.files.map((f) => f.filename)).toEqual(['holiday-1.png']);
    expect(await found(catalog, { q: 'holiday' })).toEqual([
      'HOLIDAY-2.png',
      'holiday-1.png',
      'holiday-3.png',
    ]);
    await catalog.remove('k/003');
    expect(await found(catalog, { q: 'holiday' })).toEqual(['HOLIDAY-2.png', 'holiday-1.png']);
    // A key written again after its delete is found under its new name only.
    await catalog.record(file('renamed.png', 3));
    expect(await found(catalog, { q: 'holiday' })).toEqual(['HOLIDAY-2.png', 'holiday-1.png']);
    expect(await found(catalog, { q: 'renamed' })).toEqual(['renamed.png']);
  });

  it('answers a query of three characters or more from the trigram index, unless most names match', async () => {
    await catalog.recordMany(NAMES.map((name, i) => file(name, i)));
    const db = harness.raw() as Kysely<unknown>;
    try {
      if (kind.startsWith('postgres')) {
        const { rows } = await sql<{ found: boolean }>`
          select to_regclass('bytedrop_files_name_trgm') is not null as found`.execute(db);
        expect(rows[0]?.found).toBe(true);
      } else {
        expect(await trigramsPay(db, 'CAFÉ', NAMES.length)).toBe(true);
        // Six of the ten names hold 'png': reading the names is cheaper. Two characters have no trigram.
        expect(await trigramsPay(db, 'png', NAMES.length)).toBe(false);
        expect(await trigramsPay(db, 'ca', NAMES.length)).toBe(false);
        const { rows } = await sql`explain query plan select key from bytedrop_files
          where ${nameContains('sqlite', 'café', true)}`.execute(db);
        expect(JSON.stringify(rows)).toContain('bytedrop_files_search');
      }
    } finally {
      await db.destroy();
    }
  });
});

describe.each(CATALOG_KINDS)('catalog name search after an upgrade: %s', (kind, start) => {
  it('finds the files written before the trigram index, and keeps the counts of their owners', async () => {
    const harness = await start();
    const db = harness.raw();
    const dialect = kind.startsWith('postgres') ? 'postgres' : 'sqlite';
    try {
      // The catalog as version 0004 left it, with its rows (no lower-cased name, no counters).
      await migrate(db as Kysely<unknown>, dialect, '0004_uploads');
      const old = NAMES.map((name, i) => file(name, i, i % 3 === 0 ? 'bob' : 'alice'));
      for (const record of old) {
        await sql`insert into bytedrop_files (key, owner, filename, size, content_type, created_at)
          values (${record.key}, ${record.owner}, ${record.filename}, ${record.size}, ${record.contentType},
            ${record.createdAt.getTime()})`.execute(db);
      }
    } finally {
      await db.destroy();
    }
    const catalog = await harness.open();
    try {
      expect(await found(catalog, { q: 'café' })).toEqual(['CAFÉ.png', 'café.png']);
      expect(await found(catalog, { q: 'É' })).toEqual(['CAFÉ.png', 'café.png', 'Ünïcödé-ÉTÉ.png']);
      expect(await found(catalog, { q: '0%_' })).toEqual(['100%_done.pdf']);
      expect(await found(catalog, { q: 'holiday' })).toEqual(['Holiday.PNG']);
      const bytes = (owner: string) =>
        NAMES.map((_, i) => i)
          .filter((i) => (i % 3 === 0 ? 'bob' : 'alice') === owner)
          .reduce((sum, i) => sum + 10 + i, 0);
      expect((await catalog.list({ owner: 'bob' }, { limit: 1 })).total).toEqual({
        count: 4,
        bytes: bytes('bob'),
      });
      expect((await catalog.list({}, { limit: 1 })).total).toEqual({
        count: NAMES.length,
        bytes: bytes('bob') + bytes('alice'),
      });
      // Written after the upgrade: found alongside.
      await catalog.record(file('café-new.png', 50));
      expect(await found(catalog, { q: 'CAFÉ' })).toEqual(['CAFÉ.png', 'café-new.png', 'café.png']);
    } finally {
      await catalog.close();
      await harness.dispose();
    }
  });
});

describe('catalog name search on PostgreSQL without pg_trgm', () => {
  it('starts and searches, warns once with the statement to run, and adds the index once the extension is there', async () => {
    const url = await postgresDatabase();
    const database = url.split('/').at(-1)!;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    // A role that owns its tables but may not create extensions (no CREATE on the database).
    const role = `bytedrop_plain_${randomBytes(4).toString('hex')}`;
    await admin.query(`create role ${role} login`);
    await admin.query(`grant usage, create on schema public to ${role}`);
    const plain = url.replace('//postgres@', `//${role}@`);
    const warnings: { object: Record<string, unknown>; message?: string }[] = [];
    const logger = {
      warn: (object: Record<string, unknown>, message?: string) => warnings.push({ object, message }),
    };
    try {
      const catalog = await createPostgresCatalog({ url: plain, logger });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toContain('`CREATE EXTENSION pg_trgm;` as a superuser');
      expect(warnings[0]!.message).toContain(`database "${database}"`);
      expect(warnings[0]!.object).toEqual({
        code: 'ERR_CATALOG_NO_TRIGRAM',
        reason: expect.stringContaining('permission denied to create extension'),
      });
      await catalog.recordMany(NAMES.map((name, i) => file(name, i)));
      expect(await found(catalog, { q: 'café' })).toEqual(['CAFÉ.png', 'café.png']);
      expect(await found(catalog, { q: '%' })).toEqual(['100%_done.pdf']);
      await catalog.close();

      await admin.query('create extension pg_trgm');
      const again = await createPostgresCatalog({ url: plain, logger });
      expect(warnings).toHaveLength(1);
      const { rows } = await admin.query(
        "select to_regclass('bytedrop_files_name_trgm') is not null as found",
      );
      expect(rows[0].found).toBe(true);
      expect(await found(again, { q: 'CAFÉ' })).toEqual(['CAFÉ.png', 'café.png']);
      await again.close();
    } finally {
      await admin.end();
    }
  });
});
