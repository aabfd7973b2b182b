/**
 * The group commit on a real PostgreSQL: many uploads at once are each recorded once, and an INSERT that PostgreSQL
 * holds (the table locked by someone else) fails after the catalog's timeout with nothing left running on the
 * server. A statement only the client gave up on would go on waiting there, holding its pool connection, and commit
 * later behind the 503 its request got.
 */
import pg from 'pg';
import { afterAll, expect, it, vi } from 'vitest';
import { createPostgresCatalog } from '../src/catalog/postgres';
import { postgresDatabase } from './_support/catalogs';
import { diskCatalogStore } from './_support/disk-catalog';
import { uploadRequest } from './_support/fixtures';

const { store, handlerWith, dispose } = await diskCatalogStore('pg-load');
afterAll(dispose);

it('records each of 64 uploads sent at once exactly once, in fewer statements than uploads', async () => {
  const catalog = await createPostgresCatalog({ url: await postgresDatabase() });
  const statements: number[] = [];
  const recordMany = catalog.recordMany.bind(catalog);
  catalog.recordMany = (records) => {
    statements.push(records.length);
    return recordMany(records);
  };
  const handler = handlerWith(catalog);
  const answers = await Promise.all(
    Array.from({ length: 64 }, (_, i) => handler(uploadRequest([{ name: `f${i}.txt`, body: `file ${i}` }]))),
  );
  expect(answers.map((answer) => answer.status)).toEqual(Array(64).fill(200));
  expect(statements.reduce((sum, rows) => sum + rows, 0)).toBe(64);
  expect(statements.length).toBeLessThan(64);
  const listed = await catalog.list({ owner: 'alice' }, { limit: 100 });
  expect(listed.files).toHaveLength(64);
  expect(new Set(listed.files.map((item) => item.filename)).size).toBe(64);
  expect(listed.total).toMatchObject({ count: 64 });
  await catalog.close();
});

it('answers 503 for an INSERT held by a lock, once the timeout passes, and leaves no statement waiting in PostgreSQL', async () => {
  const url = await postgresDatabase();
  // 2 s: the uploads before and after the lock must each be answered within it, on a loaded CI machine too.
  const catalog = await createPostgresCatalog({ url, timeoutMs: 2000 });
  const handler = handlerWith(catalog);
  expect((await handler(uploadRequest([{ name: 'before.txt', body: 'before' }]))).status).toBe(200);

  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE bytedrop_files IN ACCESS EXCLUSIVE MODE');
  const held = await Promise.all(
    ['a', 'b', 'c'].map((name) => handler(uploadRequest([{ name: `${name}.txt`, body: `held ${name}` }]))),
  );
  expect(held.map((answer) => answer.status)).toEqual([503, 503, 503]);
  for (const answer of held) {
    const key = /keys: ([^)]+)\)/.exec(((await answer.json()) as { msg: string }).msg)![1]!;
    expect(await store.head(key)).toBeDefined();
  }
  // Nothing of the catalog's goes on waiting on the lock: PostgreSQL itself gives the statements up, each within the
  // timeout of its own start there (which may come a little after the client's). Without that, they wait until the
  // lock is released. Watched from a connection of its own, outside the locker's transaction: pg_stat_activity is
  // read once per transaction, so the locker would see its first sample again and again.
  const observer = new pg.Client({ connectionString: url });
  await observer.connect();
  try {
    await vi.waitFor(
      async () => {
        const waiting = await observer.query(
          `SELECT pid, backend_type, query, wait_event_type, wait_event,
                  extract(epoch FROM clock_timestamp() - query_start) AS running_s
             FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'`,
        );
        // The rows in the message: a failure on CI names what was left running, and for how long.
        expect(waiting.rows, JSON.stringify(waiting.rows)).toEqual([]);
      },
      { timeout: 20_000, interval: 50 },
    );
  } finally {
    // A failed wait must not leave the table locked for the tests after it.
    await observer.end();
    await locker.query('ROLLBACK');
    await locker.end();
  }

  expect((await handler(uploadRequest([{ name: 'after.txt', body: 'after' }]))).status).toBe(200);
  const names = (await catalog.list({ owner: 'alice' }, { limit: 100 })).files.map((item) => item.filename);
  expect(names.sort()).toEqual(['after.txt', 'before.txt']);
  await catalog.close();
});
