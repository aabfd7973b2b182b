/**
 * The per-owner counters behind a listing's totals, in every catalog kind: after inserts, deletes, a rolled-back
 * batch, concurrent writers, a change of owner or size, and `catalog rebuild`, the totals read from the counters are
 * exactly what counting the rows gives.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalDiskStore } from '@bytedrop/core/node';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { rebuildCatalog } from '../src/catalog/rebuild';
import type { Catalog, FileRecord } from '../src/catalog/types';
import { CATALOG_KINDS, type CatalogHarness, useEmptiedCatalog } from './_support/catalogs';

const T0 = Date.UTC(2026, 10, 1, 12);

function file(key: string, owner: string | null, size: number): FileRecord {
  return {
    key,
    owner,
    filename: key,
    size,
    hash: null,
    contentType: 'text/plain',
    width: null,
    height: null,
    createdAt: new Date(T0),
    requestId: null,
    deleteToken: 'none',
  };
}

describe.each(CATALOG_KINDS)('catalog totals: %s', (kind, start) => {
  let harness: CatalogHarness;
  let catalog: Catalog;

  useEmptiedCatalog(start, (opened, open) => {
    harness = opened;
    catalog = open;
  });

  /**
   * The totals of an owner's (or everyone's) unfiltered listing, from the counters; checked against the same set
   * counted row by row (a filter that keeps every row takes the counting path).
   */
  const totals = async (owner?: string) => {
    const scope = owner === undefined ? {} : { owner };
    const fast = (await catalog.list(scope, { limit: 1 })).total;
    const counted = (await catalog.list({ ...scope, from: new Date(0) }, { limit: 1 })).total;
    expect(fast).toEqual(counted);
    return fast;
  };

  it('follows inserts, a kept duplicate, deletes, and files without an owner', async () => {
    expect(await totals()).toEqual({ count: 0, bytes: 0 });
    await catalog.recordMany([file('a', 'alice', 10), file('b', 'alice', 20), file('c', 'bob', 5 * 2 ** 32)]);
    expect(await catalog.record(file('a', 'alice', 999))).toBe(false);
    await catalog.record(file('d', null, 7));
    expect(await totals('alice')).toEqual({ count: 2, bytes: 30 });
    expect(await totals('bob')).toEqual({ count: 1, bytes: 5 * 2 ** 32 });
    expect(await totals()).toEqual({ count: 4, bytes: 37 + 5 * 2 ** 32 });
    expect(await totals('nobody')).toEqual({ count: 0, bytes: 0 });
    // '' is where the counters keep files without an owner: an owner of that name is counted, not mixed with them.
    expect(await totals('')).toEqual({ count: 0, bytes: 0 });
    await catalog.remove('a');
    await catalog.removeMany(['c', 'd', 'missing']);
    expect(await totals('alice')).toEqual({ count: 1, bytes: 20 });
    expect(await totals('bob')).toEqual({ count: 0, bytes: 0 });
    expect(await totals()).toEqual({ count: 1, bytes: 20 });
  });

  it('keeps the counts of a batch that rolled back out', async () => {
    await catalog.record(file('a', 'alice', 10));
    const broken = { ...file('bad', 'alice', 1), filename: null } as unknown as FileRecord;
    // Past the 500 rows of one INSERT: the first statement had succeeded when the second failed.
    const many = Array.from({ length: 600 }, (_, i) => file(`b${i}`, i % 2 ? 'alice' : 'bob', 20));
    await expect(catalog.recordMany([...many, broken])).rejects.toThrow();
    expect(await totals('alice')).toEqual({ count: 1, bytes: 10 });
    expect(await totals()).toEqual({ count: 1, bytes: 10 });
  });

  it('stays exact under concurrent writers (PostgreSQL: two catalogs, as two instances)', async () => {
    // SQLite's writers in one process take turns inside Kysely (a second connection here would block the event loop
    // while the first holds the write lock); PostgreSQL's run side by side.
    const postgres = kind.startsWith('postgres');
    const other = postgres ? await harness.open() : catalog;
    try {
      const owners = ['alice', 'bob', 'carol'];
      const batch = (from: number, order: string[]) =>
        Array.from({ length: 60 }, (_, i) => file(`k${from + i}`, order[i % 3]!, i + 1));
      await Promise.all([
        // Batches over several owners in opposite orders, single records, and deletes of earlier ones.
        catalog.recordMany(batch(0, owners)),
        other.recordMany(batch(100, [...owners].reverse())),
        ...Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? catalog : other).record(file(`s${i}`, 'alice', 100)),
        ),
      ]);
      await Promise.all([
        catalog.removeMany(['k0', 'k1', 'k2']),
        other.removeMany(['k100', 'k101']),
        ...Array.from({ length: 5 }, (_, i) => (i % 2 ? other : catalog).remove(`s${i}`)),
      ]);
      expect(await totals()).toEqual({ count: 120 + 20 - 5 - 5, bytes: 2 * 1830 - 6 - 3 + 15 * 100 });
      for (const owner of owners) await totals(owner);
    } finally {
      if (postgres) await other.close();
    }
  });

  it('follows a change of owner or size made underneath', async () => {
    await catalog.recordMany([file('a', 'alice', 10), file('b', 'alice', 20)]);
    const db = harness.raw();
    try {
      await sql`update bytedrop_files set owner = 'bob', size = 25 where key = 'b'`.execute(db);
      await sql`update bytedrop_files set size = 11 where key = 'a'`.execute(db);
    } finally {
      await db.destroy();
    }
    expect(await totals('alice')).toEqual({ count: 1, bytes: 11 });
    expect(await totals('bob')).toEqual({ count: 1, bytes: 25 });
    expect(await totals()).toEqual({ count: 2, bytes: 36 });
  });

  it('matches what `catalog rebuild` adopted and removed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bytedrop-totals-'));
    try {
      await mkdir(join(dir, 'hand'), { recursive: true });
      await writeFile(join(dir, 'hand', 'one.txt'), 'x'.repeat(11));
      await writeFile(join(dir, 'hand', 'two.txt'), 'y'.repeat(22));
      await writeFile(join(dir, 'kept.txt'), 'z'.repeat(5));
      // Records whose objects are gone (removed), and one whose object is there (kept).
      await catalog.recordMany([
        file('gone-1', 'alice', 10),
        file('gone-2', null, 20),
        file('kept.txt', 'alice', 5),
      ]);
      const store = createLocalDiskStore({ dir, publicBaseUrl: 'http://unused.test/f' });
      expect(await rebuildCatalog(store, catalog)).toEqual({ objects: 3, added: 2, kept: 1, removed: 2 });
      expect(await totals('alice')).toEqual({ count: 1, bytes: 5 });
      expect(await totals()).toEqual({ count: 3, bytes: 38 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
