/**
 * A catalog outage on a real PostgreSQL: uploads are answered 503 with the object kept in storage (never lost, never
 * a 200 without its record), the API says the catalog is not answering, and sending the upload again once the
 * catalog is back records it.
 */
import { afterAll, expect, it } from 'vitest';
import { createPostgresCatalog } from '../src/catalog/postgres';
import { postgresDatabase } from './_support/catalogs';
import { diskCatalogStore, unlistedKey } from './_support/disk-catalog';
import { body, KEY, ORIGIN, uploadRequest } from './_support/fixtures';

const { store, handlerWith, dispose } = await diskCatalogStore('outage');
afterAll(dispose);

it('answers 503 while PostgreSQL is gone, keeps the object, and records it when the upload is sent again', async () => {
  const url = await postgresDatabase();
  const down = await createPostgresCatalog({ url });
  // Every connection of the pool is closed: each query now fails like one to a stopped server.
  await down.close();
  const handler = handlerWith(down);

  const key = await unlistedKey(await handler(uploadRequest([{ name: 'kept.txt', body: 'precious' }])));
  expect((await store.head(key))?.size).toBe(8);

  const listing = await handler(
    new Request(`${ORIGIN}/api/files`, { headers: { authorization: `Bearer ${KEY}` } }),
  );
  expect(listing.status).toBe(503);
  expect(await listing.json()).toMatchObject({ msg: /the files could not be listed: try again/ });

  const back = await createPostgresCatalog({ url });
  const again = await handlerWith(back)(uploadRequest([{ name: 'kept.txt', body: 'precious' }]));
  expect(again.status).toBe(200);
  expect((await body(again)).files[0]).toMatchObject({ key, deduplicated: true });
  expect(await back.get(key)).toMatchObject({ owner: 'alice', filename: 'kept.txt' });
  await back.close();
});

it('refuses to start on a DATABASE_URL that is not PostgreSQL, or one nothing listens on', async () => {
  await expect(createPostgresCatalog({ url: 'mysql://u:secret@db/x' })).rejects.toMatchObject({
    code: 'ERR_CONFIG',
    message: expect.stringMatching(/mysql:\/\/u:\*\*\*@db\/x' is not a PostgreSQL URL: write postgres:\/\//),
  });
  await expect(
    createPostgresCatalog({ url: 'postgres://u:secret@127.0.0.1:1/x', timeoutMs: 2000 }),
  ).rejects.toMatchObject({
    code: 'ERR_NETWORK',
    message: expect.stringMatching(
      /catalog at postgres:\/\/u:\*\*\*@127.0.0.1:1\/x is not usable .*check DATABASE_URL/,
    ),
  });
});
