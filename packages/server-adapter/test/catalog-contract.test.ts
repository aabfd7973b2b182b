/**
 * One contract for every catalog driver: SQLite and a real PostgreSQL server behave the same through `Catalog`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Catalog, FileRecord } from '../src/catalog/types';
import { CATALOG_KINDS, type CatalogHarness } from './_support/catalogs';

const T0 = Date.UTC(2026, 10, 1, 12);

function file(key: string, overrides: Partial<FileRecord> = {}): FileRecord {
  return {
    key,
    owner: 'alice',
    filename: key.split('/').at(-1)!,
    size: 100,
    hash: `sha256:${key.length.toString(16).padStart(64, '0')}`,
    contentType: 'image/png',
    width: null,
    height: null,
    createdAt: new Date(T0),
    requestId: 'req-1',
    deleteToken: 'issued',
    ...overrides,
  };
}

describe.each(CATALOG_KINDS)('catalog contract: %s', (kind, start) => {
  let harness: CatalogHarness;
  let catalog: Catalog;

  beforeAll(async () => {
    harness = await start();
  });
  beforeEach(async () => {
    catalog = await harness.open();
    await catalog.removeMany(await catalog.keys());
  });
  afterAll(async () => {
    await catalog?.close();
    await harness.dispose();
  });

  it('names its dialect', () => {
    expect(catalog.dialect).toBe(kind.split(' ')[0]);
  });

  it('round-trips every field, sizes past 4 GiB included', async () => {
    const record = file('2026/a.png', {
      size: 5 * 2 ** 32,
      width: 800,
      height: 600,
      deleteToken: 'none',
      owner: null,
    });
    expect(await catalog.record(record)).toBe(true);
    expect(await catalog.get('2026/a.png')).toEqual(record);
    expect(await catalog.get('2026/missing.png')).toBeUndefined();
  });

  it('keeps the first record of a key (a dedupe hit or a rebuild does not overwrite it)', async () => {
    await catalog.record(file('k.png', { filename: 'first.png' }));
    expect(await catalog.record(file('k.png', { filename: 'second.png' }))).toBe(false);
    expect((await catalog.get('k.png'))?.filename).toBe('first.png');
  });

  it('keeps the first of two records of one key in one batch (two uploads of the same bytes written together)', async () => {
    const first = file('k.png', { filename: 'first.png', owner: 'alice', size: 5 });
    expect(
      await catalog.recordMany([first, file('k.png', { filename: 'second.png', owner: 'alice', size: 5 })]),
    ).toBe(1);
    expect((await catalog.get('k.png'))?.filename).toBe('first.png');
    expect(await catalog.usage('alice', new Date(0))).toMatchObject({ files: 1, bytes: 5 });
  });

  it('migrates once: reopening the same database keeps its records', async () => {
    await catalog.record(file('kept.png'));
    const again = await harness.open();
    expect(await again.get('kept.png')).toBeDefined();
    await again.close();
  });

  it('lists newest first through cursor pages, ties broken by key, with totals of the whole set', async () => {
    const records = Array.from({ length: 7 }, (_, i) =>
      file(`f${i}.png`, { createdAt: new Date(T0 + Math.floor(i / 2) * 1000), size: i + 1 }),
    );
    expect(await catalog.recordMany(records)).toBe(7);
    const seen: string[] = [];
    let after: Awaited<ReturnType<Catalog['list']>>['next'];
    do {
      const page = await catalog.list({ owner: 'alice' }, { limit: 3, ...(after ? { after } : {}) });
      expect(page.total).toEqual({ count: 7, bytes: 28 });
      seen.push(...page.files.map((f) => f.key));
      after = page.next;
    } while (after);
    expect(seen).toEqual(['f6.png', 'f5.png', 'f4.png', 'f3.png', 'f2.png', 'f1.png', 'f0.png']);
  });

  it('a type family is a literal prefix: LIKE wildcards in it match only themselves, and a bulk load lists at once', async () => {
    const bulk = Array.from({ length: 1200 }, (_, i) =>
      file(`bulk/${i}.bin`, { contentType: i % 2 ? 'x_y/a' : 'xzy/a', createdAt: new Date(T0 + i) }),
    );
    // Past the bulk-load size (PostgreSQL gathers its statistics after it): the answers stay the same.
    expect(await catalog.recordMany(bulk)).toBe(1200);
    const page = await catalog.list({ type: 'x_y/*' }, { limit: 100 });
    expect(page.files).toHaveLength(100);
    expect(page.files.every((f) => f.contentType === 'x_y/a')).toBe(true);
    expect(page.files[0]?.key).toBe('bulk/1199.bin');
    expect(page.total).toEqual({ count: 600, bytes: 600 * 100 });
    expect((await catalog.list({ type: 'x%/*' }, { limit: 10 })).files).toEqual([]);
  });

  it('filters by owner, prefix (case-sensitive), name, type and dates', async () => {
    await catalog.recordMany([
      file('shots/Cat.PNG', { filename: 'Cat.PNG' }),
      file('Shots/dog.png', { filename: 'dog.png', createdAt: new Date(T0 + 5000) }),
      file('shots/100%_done.pdf', { filename: '100%_done.pdf', contentType: 'application/pdf' }),
      file('shots/1000 done.pdf', { filename: '1000 done.pdf', contentType: 'application/pdf' }),
      file('bob/cat.png', { owner: 'bob', filename: 'cat.png' }),
    ]);
    const keys = async (query: Parameters<Catalog['list']>[0]) =>
      (await catalog.list(query, { limit: 100 })).files.map((f) => f.key).sort();
    expect(await keys({ owner: 'bob' })).toEqual(['bob/cat.png']);
    expect(await keys({ prefix: 'shots/' })).toEqual([
      'shots/100%_done.pdf',
      'shots/1000 done.pdf',
      'shots/Cat.PNG',
    ]);
    expect(await keys({ q: 'CAT' })).toEqual(['bob/cat.png', 'shots/Cat.PNG']);
    // LIKE's wildcards in a search are plain characters.
    expect(await keys({ q: '0%_' })).toEqual(['shots/100%_done.pdf']);
    expect(await keys({ type: 'application/pdf' })).toHaveLength(2);
    expect(await keys({ type: 'image/*', owner: 'alice' })).toEqual(['Shots/dog.png', 'shots/Cat.PNG']);
    expect(await keys({ from: new Date(T0 + 1000) })).toEqual(['Shots/dog.png']);
    expect(await keys({ to: new Date(T0 + 1000) })).toHaveLength(4);
  });

  it('removes one record or many, and lists every key', async () => {
    await catalog.recordMany([file('a'), file('b'), file('c')]);
    expect(await catalog.remove('a')).toBe(true);
    expect(await catalog.remove('a')).toBe(false);
    expect((await catalog.keys()).sort()).toEqual(['b', 'c']);
    expect(await catalog.removeMany(['b', 'c', 'z'])).toBe(2);
    expect(await catalog.keys()).toEqual([]);
  });

  it('counts usage per owner and everyone, and uploads since a time', async () => {
    await catalog.recordMany([
      file('a', { size: 10 }),
      file('b', { size: 20, createdAt: new Date(T0 + 10_000) }),
      file('c', { size: 40, owner: 'bob' }),
    ]);
    expect(await catalog.usage('alice', new Date(T0 + 1))).toEqual({ files: 2, bytes: 30, uploadsSince: 1 });
    expect(await catalog.usage(undefined, new Date(0))).toEqual({ files: 3, bytes: 70, uploadsSince: 3 });
    expect(await catalog.usage('nobody', new Date(0))).toEqual({ files: 0, bytes: 0, uploadsSince: 0 });
  });

  it('writes a batch whole or not at all (a failing row rolls the transaction back)', async () => {
    const broken = { ...file('bad'), filename: null } as unknown as FileRecord;
    await expect(catalog.recordMany([file('good'), broken])).rejects.toThrow();
    expect(await catalog.keys()).toEqual([]);
  });
});
