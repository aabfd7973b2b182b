/**
 * The key store's contract on every catalog driver (SQLite and a real PostgreSQL): add, look up by hash, revoke,
 * rotate, and the keys-file mirror (`sync`).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KeyRecord } from '../src/catalog/keys';
import type { Catalog } from '../src/catalog/types';
import { KEY_CREATED, keyHash, managedKey } from './_support/access-keys';
import { CATALOG_KINDS, type CatalogHarness } from './_support/catalogs';

const T0 = KEY_CREATED;
const hash = keyHash;
const key = managedKey;

describe.each(CATALOG_KINDS)('key store contract: %s', (_kind, start) => {
  let harness: CatalogHarness;
  let catalog: Catalog;
  let run = 0;
  let n = 0;
  /** A name unused so far: the database is shared by the tests of one kind. */
  const fresh = (base: string) => `${base}-${n}`;

  beforeAll(async () => {
    harness = await start();
  });
  beforeEach(async () => {
    n = ++run * 1000;
    catalog = await harness.open();
    // Clears the config keys the previous test left.
    await catalog.accessKeys.sync([], T0);
  });
  afterAll(async () => {
    await catalog?.close();
    await harness.dispose();
  });

  it('round-trips every field, quotas past 4 GiB included, and finds a key by its hash', async () => {
    const name = fresh('alice');
    const added = key(name, n + 100, {
      prefix: 'alice/',
      scopes: ['upload', 'delete-own', 'list-own', 'admin'],
      quotaBytes: 5 * 2 ** 32,
      quotaFiles: 1000,
      perHour: 10,
      perDay: 100,
      expiresAt: new Date(T0.getTime() + 86_400_000),
    });
    await catalog.accessKeys.add(added);
    expect(await catalog.accessKeys.get(name)).toEqual(added.record);
    expect(await catalog.accessKeys.byHash(added.hash)).toEqual(added.record);
    expect(await catalog.accessKeys.byHash(hash(999_999))).toBeUndefined();
    expect((await catalog.accessKeys.list()).map((k) => k.name)).toContain(name);
  });

  it('refuses a second key of the same name with ERR_CONFLICT, revoked or not', async () => {
    const name = fresh('bob');
    await catalog.accessKeys.add(key(name, n + 200));
    await catalog.accessKeys.revoke(name, T0);
    await expect(catalog.accessKeys.add(key(name, n + 300))).rejects.toMatchObject({
      code: 'ERR_CONFLICT',
      message: expect.stringContaining(`'${name}' exists already`),
    });
  });

  it('revokes once (the first time is kept) and rotates to a new hash, the old one found no more', async () => {
    const name = fresh('carol');
    await catalog.accessKeys.add(key(name, n + 400));
    const later = new Date(T0.getTime() + 1000);
    expect((await catalog.accessKeys.revoke(name, T0))?.revokedAt).toEqual(T0);
    expect((await catalog.accessKeys.revoke(name, later))?.revokedAt).toEqual(T0);
    expect(await catalog.accessKeys.revoke('nobody', T0)).toBeUndefined();
    const other = fresh('dave');
    await catalog.accessKeys.add(key(other, n + 500));
    expect(await catalog.accessKeys.rehash(other, hash(n + 600))).toBe(true);
    expect(await catalog.accessKeys.byHash(hash(n + 500))).toBeUndefined();
    expect((await catalog.accessKeys.byHash(hash(n + 600)))?.name).toBe(other);
    expect(await catalog.accessKeys.rehash('nobody', hash(1))).toBe(false);
  });

  it('mirrors the keys file: idempotent, a change updates, a removed key is revoked, a rename moves the secret', async () => {
    const [a, b] = [fresh('file-a'), fresh('file-b')];
    const config = (name: string, n: number, o: Partial<KeyRecord> = {}) =>
      key(name, n, { source: 'config', ...o });
    const first = [config(a, n + 700), config(b, n + 701)];
    expect(await catalog.accessKeys.sync(first, T0)).toEqual({ added: 2, updated: 0, revoked: 0 });
    expect(await catalog.accessKeys.sync(first, T0)).toEqual({ added: 0, updated: 0, revoked: 0 });

    const changed = [config(a, n + 700, { perHour: 5 })];
    expect(await catalog.accessKeys.sync(changed, T0)).toEqual({ added: 0, updated: 1, revoked: 1 });
    expect((await catalog.accessKeys.get(a))?.perHour).toBe(5);
    expect((await catalog.accessKeys.get(b))?.revokedAt).toEqual(T0);

    // b comes back: un-revoked. a is renamed to c with the same secret: the hash now finds c.
    const c = fresh('file-c');
    const back = [config(c, n + 700, { perHour: 5 }), config(b, n + 701)];
    expect(await catalog.accessKeys.sync(back, T0)).toEqual({ added: 1, updated: 1, revoked: 0 });
    expect((await catalog.accessKeys.get(b))?.revokedAt).toBeNull();
    expect((await catalog.accessKeys.byHash(hash(n + 700)))?.name).toBe(c);
    expect(await catalog.accessKeys.get(a)).toBeUndefined();
  });

  it('refuses a keys-file entry named like a managed key, changing nothing', async () => {
    const name = fresh('managed');
    await catalog.accessKeys.add(key(name, n + 800));
    const other = fresh('file-x');
    await expect(
      catalog.accessKeys.sync(
        [key(other, n + 801, { source: 'config' }), key(name, n + 802, { source: 'config' })],
        T0,
      ),
    ).rejects.toMatchObject({ code: 'ERR_CONFIG', message: expect.stringContaining(`'${name}'`) });
    // The transaction rolled back: the entry before the clash was not added either.
    expect(await catalog.accessKeys.get(other)).toBeUndefined();
    expect((await catalog.accessKeys.byHash(hash(n + 800)))?.source).toBe('managed');
  });
});
