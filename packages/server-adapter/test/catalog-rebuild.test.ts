/**
 * `rebuildCatalog`: a server upgraded on an existing data directory or bucket adopts what is there. On the local
 * disk (its `.bytedrop-meta` tree) into SQLite, and on radosgw (ListObjectsV2 and `x-amz-meta-bytedrop-*`) into
 * PostgreSQL. Objects another tool wrote (ByteGo's) have no owner: only admin keys list, read and delete them.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createUploader } from '@bytedrop/core';
import { describe, expect, it } from 'vitest';
import { rgwConfig, useRgw } from '../../core/test/_support/rgw';
import { inspector } from '../../core/test/_support/s3';
import { createPostgresCatalog } from '../src/catalog/postgres';
import { rebuildCatalog } from '../src/catalog/rebuild';
import { createSqliteCatalog } from '../src/catalog/sqlite';
import { ADMIN_KEY, apiFixture } from './_support/api';
import { postgresDatabase } from './_support/catalogs';
import { body, KEY, KEY2, localFixture, ORIGIN, PNG, uploadRequest } from './_support/fixtures';
import { rgwHandler } from './_support/rgw-server';

const rgw = useRgw('catalog-rebuild');

describe('rebuildCatalog', () => {
  it('adopts a data directory a server without a catalog filled, then follows deletes and keeps what it knows', async () => {
    // The server as it was before the catalog: it stores, and remembers nothing.
    const old = await localFixture();
    const png = (await body(await old.handler(uploadRequest([{ name: 'dot.png', body: PNG }])))).files[0]!;
    const bin = (
      await body(await old.handler(uploadRequest([{ name: 'a.bin', body: 'bob' }], { authorization: KEY2 })))
    ).files[0]!;
    // A file put there by hand, and an upload in flight, which is no file.
    await mkdir(join(old.dir, 'manual'), { recursive: true });
    await writeFile(join(old.dir, 'manual', 'notes.txt'), 'by hand');
    await mkdir(join(old.dir, '.bytedrop-tmp'), { recursive: true });
    await writeFile(join(old.dir, '.bytedrop-tmp', 'staging'), 'x');

    const catalog = await createSqliteCatalog({ file: ':memory:' });
    expect(await rebuildCatalog(old.store, catalog)).toEqual({ objects: 3, added: 3, kept: 0, removed: 0 });
    expect(await catalog.get(png.key)).toMatchObject({
      owner: 'alice',
      filename: 'dot.png',
      size: png.size,
      hash: `sha256:${png.hash}`,
      contentType: 'image/png',
      requestId: null,
      deleteToken: 'none',
    });
    expect(await catalog.get(bin.key)).toMatchObject({
      owner: 'bob',
      filename: 'a.bin',
      hash: `sha256:${bin.hash}`,
    });
    expect(await catalog.get('manual/notes.txt')).toMatchObject({
      owner: null,
      filename: 'notes.txt',
      hash: null,
      size: 7,
    });

    await old.store.delete(bin.key);
    await catalog.record({ ...(await catalog.get(png.key))!, key: 'gone.png' });
    expect(await rebuildCatalog(old.store, catalog)).toEqual({ objects: 2, added: 0, kept: 2, removed: 2 });
    expect((await catalog.keys()).sort()).toEqual([png.key, 'manual/notes.txt'].sort());
    await catalog.close();
    await old.dispose();
  });

  it('adopts a bucket on real S3 (radosgw) into PostgreSQL, with the owners and hashes of its metadata', async () => {
    const handler = rgwHandler(rgw);
    const stored = (
      await body(
        await handler(uploadRequest([{ name: 'Réunion notes.txt', body: 'on rgw' }], { authorization: KEY })),
      )
    ).files[0]!;
    await inspector(rgw.direct).send(
      new PutObjectCommand({
        Bucket: rgw.bucket,
        Key: 'other-tool/x.json',
        Body: '{}',
        ContentType: 'application/json',
      }),
    );
    const catalog = await createPostgresCatalog({ url: await postgresDatabase() });
    const { store } = createUploader(rgwConfig(rgw.direct));
    expect(await rebuildCatalog(store, catalog)).toEqual({ objects: 2, added: 2, kept: 0, removed: 0 });
    expect(await catalog.get(stored.key)).toMatchObject({
      owner: 'alice',
      // The name as uploaded, through S3 metadata headers (percent-encoded there), not the key's last part.
      filename: stored.filename,
      hash: `sha256:${stored.hash}`,
      size: 6,
    });
    expect(await catalog.get('other-tool/x.json')).toMatchObject({
      owner: null,
      contentType: 'application/json',
      size: 2,
    });
    await catalog.close();
  });

  it("leaves ByteGo's objects without an owner: an admin key lists and deletes them, another key does not see them", async () => {
    const api = await apiFixture();
    try {
      // As ByteGo left it: an object with none of Bytedrop's metadata.
      await mkdir(join(api.dir, '2024', '05'), { recursive: true });
      await writeFile(join(api.dir, '2024', '05', 'e3b0c442.png'), PNG);
      expect(await rebuildCatalog(api.store, api.catalog)).toMatchObject({ added: 1 });
      const keys = async (key: string) =>
        ((await api.call('/api/files', key)).body.files as { key: string }[]).map((file) => file.key);
      expect(await keys(ADMIN_KEY)).toEqual(['2024/05/e3b0c442.png']);
      expect(await keys(KEY)).toEqual([]);
      expect(await keys(KEY2)).toEqual([]);
      expect((await api.call('/api/files/2024/05/e3b0c442.png', KEY2)).status).toBe(403);
      expect((await api.call('/api/files/2024/05/e3b0c442.png', KEY2, 'DELETE')).status).toBe(403);
      expect((await api.call('/api/files/2024/05/e3b0c442.png', ADMIN_KEY, 'DELETE')).status).toBe(200);
      expect((await api.handler(new Request(`${ORIGIN}/f/2024/05/e3b0c442.png`))).status).toBe(404);
    } finally {
      await api.dispose();
    }
  });
});
