/**
 * `GET /api/stats`: admin keys only; the window defaults to the last 30 days (fake Date, never the wall clock);
 * every bad parameter a 400 naming it and the fix. On SQLite and PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_TOP } from '../src/_api-stats';
import { ADMIN_KEY, API_KINDS, type ApiFixture, apiFixture, seed, T0 } from './_support/api';

const DAY = 86_400_000;

describe.each(API_KINDS)('on %s', (kind) => {
  let api: ApiFixture;
  beforeAll(async () => {
    api = await apiFixture({}, kind);
    await api.catalog.recordMany([
      seed('alice/a.png', { size: 10, createdAt: new Date(T0) }),
      seed('alice/b.txt', { size: 30, contentType: 'text/plain', createdAt: new Date(T0 + DAY) }),
      seed('bob/c.png', { owner: 'bob', size: 20, createdAt: new Date(T0 - 40 * DAY) }),
    ]);
  });
  afterAll(() => api.dispose());
  afterEach(() => vi.useRealTimers());

  describe('GET /api/stats', () => {
    it('answers the 30 days up to the end of today (UTC) by default: per day, owner and type, and the largest files', async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: T0 + 2 * DAY });
      const { status, body } = await api.call('/api/stats', ADMIN_KEY);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        success: true,
        from: '2026-10-05T00:00:00.000Z',
        to: '2026-11-04T00:00:00.000Z',
        totals: { files: 2, bytes: 40 },
        days: [
          { day: '2026-11-01', files: 1, bytes: 10 },
          { day: '2026-11-02', files: 1, bytes: 30 },
        ],
        owners: [{ owner: 'alice', files: 2, bytes: 40 }],
        types: [
          { contentType: 'image/png', files: 1, bytes: 10 },
          { contentType: 'text/plain', files: 1, bytes: 30 },
        ],
      });
      expect((body.largest as { key: string; url: string }[]).map((file) => [file.key, file.url])).toEqual([
        ['alice/b.txt', 'http://drop.test/f/alice/b.txt'],
        ['alice/a.png', 'http://drop.test/f/alice/a.png'],
      ]);
    });

    it('takes a window and a ranking length', async () => {
      const { body } = await api.call('/api/stats?from=2026-09-01&to=2026-12-01&top=1', ADMIN_KEY);
      expect(body).toMatchObject({ totals: { files: 3, bytes: 60 }, owners: [{ owner: 'alice' }] });
      expect(body.largest).toHaveLength(1);
    });

    it('is for admin keys: another key gets 403 saying so', async () => {
      const { status, body } = await api.call('/api/stats');
      expect(status).toBe(403);
      expect(body.msg).toBe('statistics are for admin keys: ask with a key that has admin: true');
    });

    it.each([
      ['from=yesterday', 'from must be a date like 2026-11-29'],
      ['to=2026-13-45', 'to must be a date like 2026-11-29'],
      ['from=2026-11-02&to=2026-11-01', 'from must be before to'],
      ['top=0', `top must be a whole number from 1 to ${MAX_TOP}`],
      ['top=1000', `top must be at most ${MAX_TOP}`],
      ['top=x', 'top must be a whole number'],
      ['owner=alice', "unknown parameter 'owner': use from, to or top"],
      ['top=1&top=2', 'top is given twice'],
    ])('refuses %s with 400 naming it', async (query, message) => {
      const { status, body } = await api.call(`/api/stats?${query}`, ADMIN_KEY);
      expect(status).toBe(400);
      expect(body).toMatchObject({ code: 'ERR_INPUT', msg: expect.stringContaining(message) });
    });

    it('takes GET only', async () => {
      expect((await api.call('/api/stats', ADMIN_KEY, 'POST')).status).toBe(405);
    });
  });
});
