/**
 * Bad input to the `/api/` routes: each answer names the field and the fix, and the server keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, apiFixture, seed } from './_support/api';
import { KEY2, localFixture, ORIGIN } from './_support/fixtures';

let api: ApiFixture;
beforeAll(async () => {
  api = await apiFixture();
  await api.catalog.recordMany([seed('alice/a.png'), seed('alice/b.png')]);
});
afterAll(() => api.dispose());

describe('GET /api/files refuses bad parameters by name', () => {
  it.each([
    ['limit=0', /limit must be a whole number from 1 to 100/],
    ['limit=abc', /limit must be a whole number/],
    ['limit=101', /limit must be at most 100: page with `cursor`/],
    ['type=png', /type must be a media type like image\/png/],
    ['from=yesterday', /from must be a date like 2026-11-29/],
    ['to=2026-13-45', /to must be a date/],
    ['from=2026-11-02&to=2026-11-01', /from must be before to: swap them/],
    ['sort=size', /unknown parameter 'sort': use limit, cursor/],
    ['q=a&q=b', /q is given twice: give it once/],
    ['cursor=not-a-cursor', /cursor is not one this server gave: pass `next`/],
    ['cursor=', /cursor is empty: drop it/],
    [`q=${'x'.repeat(201)}`, /q must be at most 200 characters/],
  ])('%s', async (query, message) => {
    expect(await api.call(`/api/files?${query}`)).toMatchObject({
      status: 400,
      body: { success: false, code: 'ERR_INPUT', msg: expect.stringMatching(message) },
    });
  });

  it('refuses a cursor from another query, naming what differs', async () => {
    const first = await api.call('/api/files?limit=1&type=image/*');
    expect(typeof first.body.next).toBe('string');
    expect(await api.call(`/api/files?limit=1&cursor=${first.body.next}`)).toMatchObject({
      status: 400,
      body: {
        code: 'ERR_INPUT',
        msg: expect.stringMatching(/cursor belongs to another query .*drop cursor/),
      },
    });
    // The same filters with another page size are the same query.
    expect((await api.call(`/api/files?limit=5&type=image/*&cursor=${first.body.next}`)).status).toBe(200);
  });

  it("refuses another owner's listing to a key that is not an admin", async () => {
    expect(await api.call('/api/files?owner=bob')).toMatchObject({
      status: 403,
      body: { code: 'ERR_FORBIDDEN', msg: /only an admin key sees other owners' files; drop owner/ },
    });
    expect((await api.call('/api/usage?owner=alice', KEY2)).status).toBe(403);
  });
});

describe('every /api/ route', () => {
  it.each(['/api/files', '/api/files/alice/a.png', '/api/usage'])('%s needs an access key', async (path) => {
    const response = await api.handler(new Request(`${ORIGIN}${path}`));
    expect(response.status).toBe(401);
  });

  it('answers a wrong method with 405 and what to use', async () => {
    expect(await api.call('/api/files', undefined, 'POST')).toMatchObject({
      status: 405,
      body: { msg: /use GET/ },
    });
    expect(await api.call('/api/files/alice/a.png', undefined, 'PUT')).toMatchObject({
      status: 405,
      body: { msg: /use GET, DELETE/ },
    });
    expect((await api.call('/api/usage', undefined, 'DELETE')).status).toBe(405);
  });

  it('names the routes for an unknown one, a bad key path, and a bad usage parameter', async () => {
    expect(await api.call('/api/nope')).toMatchObject({
      status: 404,
      body: { msg: /the routes are \/api\/files/ },
    });
    expect(await api.call('/api/files/%E0%A4%A')).toMatchObject({
      status: 400,
      body: { msg: /not a key: write \/api\/files\/<key> with each segment percent-encoded/ },
    });
    expect(await api.call('/api/usage?days=2')).toMatchObject({
      status: 400,
      body: { msg: /unknown parameter 'days': \/api\/usage takes only owner/ },
    });
  });

  it('says the catalog is off, and how to turn it on, on a handler without one', async () => {
    const bare = await localFixture();
    const response = await bare.handler(
      new Request(`${ORIGIN}/api/files`, { headers: { authorization: 'Bearer alice-access-key-0001' } }),
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      msg: /the file catalog is off.*pass `catalog` to createHandler/,
    });
    await bare.dispose();
  });

  it('keeps serving after all of the above', async () => {
    expect((await api.call('/api/files')).status).toBe(200);
  });
});
