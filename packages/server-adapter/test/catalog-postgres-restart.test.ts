/**
 * A real PostgreSQL outage and its end, on a cluster of this file's own: the server is stopped (fast shutdown) under
 * a running handler, uploads are answered 503 with the object kept, and once PostgreSQL is started again on the same
 * data directory and port the SAME handler and catalog take uploads again, with no restart of their own.
 * (catalog-outage.test.ts closes the pool instead: a pool that is closed never meets a server going away.)
 */
import { afterAll, expect, it } from 'vitest';
import { createPostgresCatalog } from '../src/catalog/postgres';
import { startPostgres } from './_setup/postgres';
import { diskCatalogStore, unlistedKey } from './_support/disk-catalog';
import { body, KEY, ORIGIN, uploadRequest } from './_support/fixtures';

const { store, handlerWith, dispose } = await diskCatalogStore('pg-restart');
const cluster = await startPostgres();
afterAll(async () => {
  await cluster.dispose();
  await dispose();
});

it('answers 503 while PostgreSQL is stopped, keeps the object, and recovers in the same handler once it is back', async () => {
  const catalog = await createPostgresCatalog({ url: cluster.url });
  const handler = handlerWith(catalog);
  const upload = (name: string) => handler(uploadRequest([{ name, body: `bytes of ${name}` }]));
  const listed = async () => {
    const response = await handler(
      new Request(`${ORIGIN}/api/files`, { headers: { authorization: `Bearer ${KEY}` } }),
    );
    expect(response.status).toBe(200);
    return ((await response.json()) as { files: { filename: string }[] }).files.map((file) => file.filename);
  };

  expect((await upload('before.txt')).status).toBe(200);
  await cluster.stop();

  const key = await unlistedKey(await upload('during.txt'));
  expect((await store.head(key))?.size).toBe('bytes of during.txt'.length);

  // Back on the same data directory and port; `start` resolves once a connection is taken.
  await cluster.start();
  expect((await upload('after.txt')).status).toBe(200);
  expect(await listed()).toEqual(['after.txt', 'before.txt']);
  const again = await upload('during.txt');
  expect(again.status).toBe(200);
  expect((await body(again)).files[0]).toMatchObject({ key, deduplicated: true });
  expect((await listed()).sort()).toEqual(['after.txt', 'before.txt', 'during.txt']);
  await catalog.close();
});
