/**
 * A catalog outage on a real PostgreSQL: uploads are answered 503 with the object kept in storage (never lost, never
 * a 200 without its record), the API says the catalog is not answering, and sending the upload again once the
 * catalog is back records it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import { afterAll, expect, it } from 'vitest';
import { createPostgresCatalog } from '../src/catalog/postgres';
import type { Catalog } from '../src/catalog/types';
import { createHandler } from '../src/handler';
import { postgresDatabase } from './_support/catalogs';
import { body, KEY, ORIGIN, SECRET, uploadRequest } from './_support/fixtures';

const dir = await mkdtemp(join(tmpdir(), 'bytedrop-outage-'));
const store = createLocalDiskStore({ dir, publicBaseUrl: `${ORIGIN}/f` });
const handlerWith = (catalog: Catalog) =>
  createHandler({
    uploader: createUploader({ bucket: 'local-disk' }, { store }),
    store,
    files: store,
    keys: [{ name: 'alice', key: KEY }],
    secret: SECRET,
    catalog,
  });
afterAll(() => rm(dir, { recursive: true, force: true }));

it('answers 503 while PostgreSQL is gone, keeps the object, and records it when the upload is sent again', async () => {
  const url = await postgresDatabase();
  const down = await createPostgresCatalog({ url });
  // Every connection of the pool is closed: each query now fails like one to a stopped server.
  await down.close();
  const handler = handlerWith(down);

  const refused = await handler(uploadRequest([{ name: 'kept.txt', body: 'precious' }]));
  expect(refused.status).toBe(503);
  const answer = (await refused.json()) as { code: string; msg: string };
  expect(answer).toMatchObject({
    code: 'ERR_NETWORK',
    msg: expect.stringMatching(
      /catalog \(postgres\) is not answering.*stored but not listed yet.*send it again/,
    ),
  });
  const key = /keys: ([^)]+)\)/.exec(answer.msg)![1]!;
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
