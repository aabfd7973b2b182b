/**
 * The uploads-in-flight store's contract on every catalog driver (SQLite and a real PostgreSQL): a row written whole
 * and written again (offsets past 4 GiB, a deferred length learnt), one owner's listing newest first, the expired
 * ones oldest first, removal, and a catalog reopened (the migration runs once).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../src/catalog/types';
import type { UploadRecord } from '../src/catalog/uploads';
import { CATALOG_KINDS, type CatalogHarness } from './_support/catalogs';

const T0 = Date.UTC(2026, 10, 1, 12);

const upload = (owner: string, minutes: number, overrides: Partial<UploadRecord> = {}): UploadRecord => ({
  id: randomBytes(16).toString('hex'),
  kind: 'tus',
  owner,
  filename: 'video.mp4',
  length: 6 * 2 ** 30,
  offset: 0,
  createdAt: new Date(T0 + minutes * 60_000),
  expiresAt: new Date(T0 + (minutes + 60) * 60_000),
  ...overrides,
});

describe.each(CATALOG_KINDS)('uploads in flight contract: %s', (_kind, start) => {
  let harness: CatalogHarness;
  let catalog: Catalog;

  beforeAll(async () => {
    harness = await start();
    catalog = await harness.open();
  });
  afterAll(async () => {
    await catalog?.close();
    await harness.dispose();
  });

  it('writes a row whole, and again with the new offset and a learnt length', async () => {
    const row = upload('alice', 0, { length: null, kind: 'tus-partial' });
    await catalog.uploads.put(row);
    expect(await catalog.uploads.get(row.id)).toEqual(row);
    const moved = { ...row, offset: 5 * 2 ** 32 + 7, length: 6 * 2 ** 32 };
    await catalog.uploads.put(moved);
    expect(await catalog.uploads.get(row.id)).toEqual(moved);
    expect(await catalog.uploads.remove(row.id)).toBe(true);
    expect(await catalog.uploads.remove(row.id)).toBe(false);
    expect(await catalog.uploads.get(row.id)).toBeUndefined();
  });

  it("lists one owner's uploads newest first (everyone's without an owner), and the expired oldest first", async () => {
    const owner = `carol-${randomBytes(3).toString('hex')}`;
    const [old, mid, recent] = [upload(owner, 1), upload(owner, 2), upload(owner, 3)];
    const other = upload('dave', 4);
    for (const row of [mid, other, old, recent]) await catalog.uploads.put(row);
    expect((await catalog.uploads.list(owner, 10)).map((row) => row.id)).toEqual([recent.id, mid.id, old.id]);
    expect((await catalog.uploads.list(owner, 2)).map((row) => row.id)).toEqual([recent.id, mid.id]);
    expect((await catalog.uploads.list(undefined, 100)).map((row) => row.id)).toEqual(
      expect.arrayContaining([old.id, other.id]),
    );
    // At T0 + 62.5 min, the uploads created at +1 and +2 min (expiring at +61 and +62) are past their time.
    const expired = await catalog.uploads.expired(new Date(T0 + 62.5 * 60_000), 100);
    expect(expired.filter((row) => row.owner === owner).map((row) => row.id)).toEqual([old.id, mid.id]);
    expect(expired.map((row) => row.id)).not.toContain(other.id);
  });

  it('keeps the rows when the catalog is opened again', async () => {
    const row = upload('erin', 9);
    await catalog.uploads.put(row);
    const again = await harness.open();
    expect(await again.uploads.get(row.id)).toEqual(row);
    await again.close();
  });
});
