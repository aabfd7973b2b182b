/**
 * The catalog contract for what ZIP and statistics ask (`getMany`, `stats`): SQLite and a real PostgreSQL server
 * answer the same, days grouped in UTC, sizes past 4 GiB summed exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog, FileRecord } from '../src/catalog/types';
import { CATALOG_KINDS, type CatalogHarness } from './_support/catalogs';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);

function file(
  key: string,
  owner: string | null,
  size: number,
  at: number,
  contentType = 'image/png',
): FileRecord {
  return {
    key,
    owner,
    filename: key,
    size,
    hash: null,
    contentType,
    width: null,
    height: null,
    createdAt: new Date(at),
    requestId: null,
    deleteToken: 'none',
  };
}

const FILES = [
  file('a', 'alice', 100, T0 + 1000),
  file('b', 'alice', 5 * 2 ** 32, T0 + DAY - 1),
  file('c', 'bob', 300, T0 + DAY, 'text/plain'),
  file('d', null, 50, T0 + 2 * DAY + 5, 'image/jpeg'),
  // Outside the window asked below.
  file('e', 'bob', 999, T0 - 1),
  file('f', 'bob', 999, T0 + 3 * DAY),
];

describe.each(CATALOG_KINDS)('catalog stats contract: %s', (_, start) => {
  let harness: CatalogHarness;
  let catalog: Catalog;
  beforeAll(async () => {
    harness = await start();
    catalog = await harness.open();
    await catalog.recordMany(FILES);
  });
  afterAll(async () => {
    await catalog?.close();
    await harness.dispose();
  });

  it('gets many keys at once, leaving out those it does not have', async () => {
    const keys = Array.from({ length: 1200 }, (_, i) => `none-${i}`).concat(['a', 'c']);
    const found = await catalog.getMany(keys);
    expect(found.map((record) => record.key).sort()).toEqual(['a', 'c']);
    expect(found.find((record) => record.key === 'a')).toEqual(FILES[0]);
  });

  it('counts uploads and bytes per UTC day, per owner and per type, and ranks the largest, in the window', async () => {
    const stats = await catalog.stats({ from: new Date(T0), to: new Date(T0 + 3 * DAY), top: 10 });
    expect(stats.totals).toEqual({ files: 4, bytes: 100 + 5 * 2 ** 32 + 300 + 50 });
    expect(stats.days).toEqual([
      { day: '2026-11-01', files: 2, bytes: 100 + 5 * 2 ** 32 },
      { day: '2026-11-02', files: 1, bytes: 300 },
      { day: '2026-11-03', files: 1, bytes: 50 },
    ]);
    expect(stats.owners).toEqual([
      { owner: 'alice', files: 2, bytes: 100 + 5 * 2 ** 32 },
      { owner: 'bob', files: 1, bytes: 300 },
      { owner: null, files: 1, bytes: 50 },
    ]);
    expect(stats.types).toEqual([
      { contentType: 'image/png', files: 2, bytes: 100 + 5 * 2 ** 32 },
      { contentType: 'image/jpeg', files: 1, bytes: 50 },
      { contentType: 'text/plain', files: 1, bytes: 300 },
    ]);
    expect(stats.largest.map((record) => record.key)).toEqual(['b', 'c', 'a', 'd']);
  });

  it('keeps to `top` rows per ranking, and answers zeros for an empty window', async () => {
    const top = await catalog.stats({ from: new Date(T0), to: new Date(T0 + 3 * DAY), top: 1 });
    expect(top.owners).toHaveLength(1);
    expect(top.types).toHaveLength(1);
    expect(top.largest.map((record) => record.key)).toEqual(['b']);
    const empty = await catalog.stats({ from: new Date(0), to: new Date(1000), top: 5 });
    expect(empty).toEqual({ totals: { files: 0, bytes: 0 }, days: [], owners: [], types: [], largest: [] });
  });
});
