/**
 * The catalog through the server: uploads are recorded, deletes forget them, and `/api/files` and `/api/usage`
 * answer from it, scoped to the caller (an admin sees everyone's); on SQLite and on PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ADMIN_KEY, API_KINDS, type ApiFixture, apiFixture, seed, T0 } from './_support/api';
import { body, KEY, KEY2, ORIGIN, PNG, uploadRequest } from './_support/fixtures';

const keysOf = (answer: { body: Record<string, unknown> }) =>
  (answer.body.files as { key: string }[]).map((file) => file.key);

describe.each(API_KINDS)('on %s', (kind) => {
  let api: ApiFixture;
  beforeEach(async () => {
    api = await apiFixture({}, kind, 'emptied');
  });
  afterEach(async () => {
    vi.useRealTimers();
    await api.dispose();
  });

  describe('uploads and deletes keep the catalog', () => {
    it('records an upload with its owner, name, size, hash, type, dimensions and request id', async () => {
      const response = await api.handler(uploadRequest([{ name: 'dot.png', body: PNG }]));
      expect(response.status).toBe(200);
      const stored = (await body(response)).files[0]!;
      const record = await api.catalog.get(stored.key);
      expect(record).toMatchObject({
        key: stored.key,
        owner: 'alice',
        filename: 'dot.png',
        size: stored.size,
        hash: `sha256:${stored.hash}`,
        contentType: 'image/png',
        width: 1,
        height: 1,
        requestId: response.headers.get('x-request-id'),
        deleteToken: 'issued',
      });
      const listed = await api.call('/api/files');
      expect(listed.body).toMatchObject({
        success: true,
        total: { count: 1, bytes: stored.size },
        next: null,
        files: [{ key: stored.key, url: stored.url, filename: 'dot.png' }],
      });
    });

    it('records a dedupe hit on another key’s file once, under its first owner, with no delete token', async () => {
      const first = (
        await body(
          await api.handler(uploadRequest([{ name: 'x.bin', body: 'same' }], { authorization: KEY2 })),
        )
      ).files[0]!;
      await api.handler(uploadRequest([{ name: 'x.bin', body: 'same' }], { authorization: ADMIN_KEY }));
      expect(await api.catalog.keys()).toEqual([first.key]);
      expect(await api.catalog.get(first.key)).toMatchObject({ owner: 'bob', deleteToken: 'issued' });
    });

    it('forgets a file deleted with its delete token', async () => {
      const stored = (await body(await api.handler(uploadRequest([{ name: 'a.txt', body: 'hi' }]))))
        .files[0]!;
      const url = new URL(stored.deleteUrl!);
      const response = await api.handler(
        new Request(`${ORIGIN}${url.pathname}${url.search}`, { method: 'DELETE' }),
      );
      expect(response.status).toBe(200);
      expect(await api.catalog.get(stored.key)).toBeUndefined();
    });
  });

  describe('GET /api/files', () => {
    beforeEach(async () => {
      await api.catalog.recordMany([
        seed('alice/2026/cat.png', { createdAt: new Date(T0 + 3000), size: 300 }),
        seed('alice/2026/Dog.jpg', { createdAt: new Date(T0 + 2000), contentType: 'image/jpeg', size: 200 }),
        seed('alice/notes/doc.pdf', {
          createdAt: new Date(T0 + 1000),
          contentType: 'application/pdf',
          size: 100,
        }),
        seed('bob.png', { owner: 'bob', createdAt: new Date(T0 + 4000) }),
      ]);
    });

    it("lists the caller's own files newest first with totals; an admin sees all, or one owner's", async () => {
      const mine = await api.call('/api/files');
      expect(keysOf(mine)).toEqual(['alice/2026/cat.png', 'alice/2026/Dog.jpg', 'alice/notes/doc.pdf']);
      expect(mine.body.total).toEqual({ count: 3, bytes: 600 });
      expect(keysOf(await api.call('/api/files', KEY2))).toEqual(['bob.png']);
      expect(keysOf(await api.call('/api/files', ADMIN_KEY))).toHaveLength(4);
      expect(keysOf(await api.call('/api/files?owner=bob', ADMIN_KEY))).toEqual(['bob.png']);
    });

    it('pages with the cursor it gives, to the end', async () => {
      const first = await api.call('/api/files?limit=2');
      expect(keysOf(first)).toEqual(['alice/2026/cat.png', 'alice/2026/Dog.jpg']);
      const second = await api.call(`/api/files?limit=2&cursor=${first.body.next}`);
      expect(keysOf(second)).toEqual(['alice/notes/doc.pdf']);
      expect(second.body.next).toBeNull();
      expect(second.body.total).toEqual({ count: 3, bytes: 600 });
    });

    it('filters by prefix, name, type and dates', async () => {
      expect(keysOf(await api.call('/api/files?prefix=alice/notes/'))).toEqual(['alice/notes/doc.pdf']);
      expect(keysOf(await api.call('/api/files?q=dog'))).toEqual(['alice/2026/Dog.jpg']);
      expect(keysOf(await api.call('/api/files?type=image/*'))).toEqual([
        'alice/2026/cat.png',
        'alice/2026/Dog.jpg',
      ]);
      expect(keysOf(await api.call('/api/files?type=application/pdf'))).toEqual(['alice/notes/doc.pdf']);
      const from = new Date(T0 + 2000).toISOString();
      const to = new Date(T0 + 3000).toISOString();
      expect(keysOf(await api.call(`/api/files?from=${from}&to=${to}`))).toEqual(['alice/2026/Dog.jpg']);
      const filtered = await api.call('/api/files?type=image/*');
      expect(filtered.body.total).toEqual({ count: 2, bytes: 500 });
    });
  });

  describe('GET and DELETE /api/files/{key}', () => {
    it('answers the metadata of an own file; another owner’s is refused, a missing one is 404', async () => {
      await api.catalog.record(seed('alice/a b.png'));
      const own = await api.call('/api/files/alice/a%20b.png');
      expect(own).toMatchObject({ status: 200, body: { file: { key: 'alice/a b.png', owner: 'alice' } } });
      expect(await api.call('/api/files/alice/a%20b.png', KEY2)).toMatchObject({
        status: 403,
        body: { code: 'ERR_FORBIDDEN', msg: /not one of your files/ },
      });
      expect((await api.call('/api/files/alice/a%20b.png', ADMIN_KEY)).status).toBe(200);
      expect(await api.call('/api/files/alice/none.png')).toMatchObject({
        status: 404,
        body: { code: 'ERR_NOT_FOUND', msg: /GET \/api\/files lists yours/ },
      });
    });

    it('deletes an own file (object and record) without a token; others cannot, an admin can', async () => {
      const mine = (await body(await api.handler(uploadRequest([{ name: 'a.txt', body: 'alice' }]))))
        .files[0]!;
      const theirs = (
        await body(
          await api.handler(uploadRequest([{ name: 'b.txt', body: 'bob' }], { authorization: KEY2 })),
        )
      ).files[0]!;
      expect((await api.call(`/api/files/${theirs.key}`, KEY, 'DELETE')).status).toBe(403);
      expect(await api.call(`/api/files/${mine.key}`, KEY, 'DELETE')).toMatchObject({
        status: 200,
        body: { msg: 'deleted' },
      });
      expect((await api.call(`/api/files/${theirs.key}`, ADMIN_KEY, 'DELETE')).status).toBe(200);
      expect(await api.objects()).toEqual([]);
      expect(await api.catalog.keys()).toEqual([]);
    });
  });

  describe('GET /api/usage', () => {
    it("counts the caller's files, bytes and uploads today (UTC)", async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(T0);
      await api.catalog.recordMany([
        seed('a', { size: 5, createdAt: new Date(T0 - 86_400_000) }),
        seed('b', { size: 7, createdAt: new Date(T0 - 1000) }),
        seed('c', { owner: 'bob', size: 100 }),
      ]);
      expect(await api.call('/api/usage')).toMatchObject({
        status: 200,
        body: {
          owner: 'alice',
          files: 2,
          bytes: 12,
          uploadsToday: 1,
          limits: { files: null, bytes: null, uploadsPerDay: null },
        },
      });
      expect((await api.call('/api/usage?owner=bob', ADMIN_KEY)).body).toMatchObject({
        owner: 'bob',
        bytes: 100,
      });
    });
  });
});
