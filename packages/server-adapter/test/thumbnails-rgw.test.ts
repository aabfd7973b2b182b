/**
 * Thumbnails on real S3 (radosgw), where headers and deletes matter: the thumbnail is served as `image/webp` from the
 * bucket, deleting a file (its delete link, or `DELETE /api/files/{key}`) deletes its thumbnails, a failed thumbnail
 * delete leaves the file for a retry, and `thumbnails --backfill` makes the missing ones (`catalog rebuild` never
 * adopts them as files).
 */
import { createUploader } from '@bytedrop/core';
import { createSharpEncoder } from '@bytedrop/core/node';
import { describe, expect, it } from 'vitest';
import { makeImage, scratch } from '../../core/test/_support/images';
import { rgwConfig, useRgw } from '../../core/test/_support/rgw';
import { backfillThumbnails } from '../src/_thumbnail-backfill';
import { rebuildCatalog } from '../src/catalog/rebuild';
import { createSqliteCatalog } from '../src/catalog/sqlite';
import { createThumbnails, thumbnailKey } from '../src/thumbnails';
import { body, KEY, uploadRequest } from './_support/fixtures';
import { objectsIn, rgwHandler } from './_support/rgw-server';

const rgw = useRgw('thumbnails');

async function setup(prefix: string) {
  const thumbnails = createThumbnails({ encoder: createSharpEncoder(), sizes: [48, 24] });
  const catalog = await createSqliteCatalog({ file: ':memory:' });
  const config = { keyTemplate: `${prefix}/{hash:16}.{ext}` };
  const handler = rgwHandler(rgw, { thumbnails, catalog }, config);
  const made = await makeImage(await scratch(), 'p.png', ['-size', '96x64', 'plasma:', '-seed', '5']);
  const photo = new Uint8Array(made.bytes);
  const upload = async () => {
    const response = await handler(uploadRequest([{ name: 'p.png', body: photo }]));
    expect(response.status).toBe(200);
    const file = (await body(response)).files[0]!;
    await thumbnails.idle();
    return file;
  };
  return { thumbnails, catalog, handler, upload, photo, config };
}

describe('thumbnails on radosgw', () => {
  it('are stored beside the file and served as WebP from the bucket', async () => {
    const { upload } = await setup('link');
    const file = await upload();
    expect(await objectsIn(rgw, 'link/')).toEqual(
      [file.key, thumbnailKey(file.key, 24), thumbnailKey(file.key, 48)].sort(),
    );
    const served = await fetch(file.thumbnail!);
    expect([served.status, served.headers.get('content-type')]).toEqual([200, 'image/webp']);
  });

  it('DELETE with the delete token and DELETE /api/files/{key} remove the thumbnails too', async () => {
    const { upload, handler } = await setup('del');
    const first = await upload();
    const byToken = await handler(new Request(first.deleteUrl!, { method: 'DELETE' }));
    expect(byToken.status).toBe(200);
    expect(await objectsIn(rgw, 'del/')).toEqual([]);

    const second = await upload();
    expect(await objectsIn(rgw, 'del/')).toHaveLength(3);
    const byApi = await handler(
      new Request(`http://drop.test/api/files/${second.key}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${KEY}` },
      }),
    );
    expect(byApi.status).toBe(200);
    expect(await objectsIn(rgw, 'del/')).toEqual([]);
  });

  it('a file someone stored under a thumbnail’s name is neither overwritten by the thumbnail nor deleted with the image', async () => {
    const thumbnails = createThumbnails({ encoder: createSharpEncoder(), sizes: [48] });
    const handler = rgwHandler(rgw, { thumbnails }, { keyTemplate: 'named/{name}.{ext}' });
    const made = await makeImage(await scratch(), 'q.png', ['-size', '96x64', 'plasma:', '-seed', '6']);
    const theirs = new Uint8Array(
      (await makeImage(await scratch(), 'theirs.webp', ['-size', '8x8', 'xc:red'])).bytes,
    );
    const stored = async (name: string, bytes: Uint8Array<ArrayBuffer>) => {
      const response = await handler(uploadRequest([{ name, body: bytes }]));
      expect(response.status).toBe(200);
      return (await body(response)).files[0]!;
    };
    const file = await stored('q.png.thumb-48.webp', theirs);
    const image = await stored('q.png', new Uint8Array(made.bytes));
    await thumbnails.idle();
    expect(file.key).toBe(thumbnailKey(image.key, 48)); // the clash this test is about
    const read = async () => new Uint8Array(await (await fetch(file.url)).arrayBuffer());
    expect(await read()).toEqual(theirs);
    expect((await handler(new Request(image.deleteUrl!, { method: 'DELETE' }))).status).toBe(200);
    // Their file stays, with its own thumbnail (it is an image too).
    expect(await objectsIn(rgw, 'named/')).toEqual([file.key, thumbnailKey(file.key, 48)]);
    expect(await read()).toEqual(theirs);
  });

  it('a thumbnail delete that fails keeps the file, and the same link deletes all on retry', async () => {
    const { upload, handler } = await setup('retry');
    const file = await upload();
    const fault = rgw.proxy.failWith(
      { operation: 'DeleteObject', key: /\.thumb-24\.webp$/ },
      // Not retried by the SDK (a 500 would be, with back-off).
      { status: 403, code: 'AccessDenied' },
    );
    const failed = await handler(new Request(file.deleteUrl!, { method: 'DELETE' }));
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(await objectsIn(rgw, 'retry/')).toContain(file.key);
    fault.remove();
    const retried = await handler(new Request(file.deleteUrl!, { method: 'DELETE' }));
    expect(retried.status).toBe(200);
    expect(await objectsIn(rgw, 'retry/')).toEqual([]);
  });

  it('--backfill makes the missing thumbnails once, and catalog rebuild never adopts them', async () => {
    const { thumbnails, catalog, config } = await setup('fill');
    // Uploaded while thumbnails were off: the catalog knows the image, the bucket has no thumbnail.
    const off = rgwHandler(rgw, { catalog }, config);
    const { photo } = await setup('unused');
    const file = (await body(await off(uploadRequest([{ name: 'p.png', body: photo }])))).files[0]!;
    expect(file.thumbnail).toBeUndefined();
    const { store } = createUploader(rgwConfig(rgw.direct));

    expect(await backfillThumbnails(store, catalog, thumbnails)).toEqual({
      images: 1,
      made: 2,
      complete: 0,
      skipped: [],
    });
    expect(await objectsIn(rgw, 'fill/')).toHaveLength(3);
    expect(await backfillThumbnails(store, catalog, thumbnails)).toMatchObject({ made: 0, complete: 1 });

    // One size lost: each thumbnail key is HEADed once, and only the missing one is written.
    await store.delete(thumbnailKey(file.key, 48));
    rgw.requests.length = 0;
    const proxied = createUploader(rgwConfig(rgw)).store;
    expect(await backfillThumbnails(proxied, catalog, thumbnails)).toMatchObject({ made: 1, complete: 0 });
    const onThumbnails = rgw.requests
      .filter((request) => request.key?.includes('.thumb-'))
      .map((request) => `${request.operation} ${request.key?.slice(file.key.length)}`);
    expect(onThumbnails.sort()).toEqual([
      'HeadObject .thumb-24.webp',
      'HeadObject .thumb-48.webp',
      'PutObject .thumb-48.webp',
    ]);

    const rebuilt = await createSqliteCatalog({ file: ':memory:' });
    await rebuildCatalog(store, rebuilt);
    expect((await rebuilt.keys()).filter((key) => key.startsWith('fill/'))).toEqual([file.key]);

    // A record whose object is gone is reported, not fatal.
    await store.delete(file.key);
    await store.delete(thumbnailKey(file.key, 24));
    expect((await backfillThumbnails(store, catalog, thumbnails)).skipped).toEqual([
      { key: file.key, reason: 'gone' },
    ]);
  });
});
