/**
 * `POST /api/links` on the local-disk store: an HMAC-signed `/f/` URL that works without a key until it expires,
 * with Range and the download disposition; a changed or expired link is a 403 that says so; every bad input a
 * 400 naming the field and the fix. Time is moved with fake timers (Date only), never waited for. On SQLite and
 * PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_LINK_SECONDS } from '../src/_api-links';
import { ADMIN_KEY, API_KINDS, type ApiFixture, apiFixture } from './_support/api';
import { body, KEY, KEY2, ORIGIN, PNG, uploadRequest } from './_support/fixtures';

describe.each(API_KINDS)('on %s', (kind) => {
  let api: ApiFixture;
  let mine: string;
  let theirs: string;
  beforeAll(async () => {
    api = await apiFixture({}, kind);
    const upload = async (key: string) =>
      (
        await body(
          await api.handler(
            uploadRequest([{ name: 'pic.png', body: PNG, type: 'image/png' }], {
              authorization: `Bearer ${key}`,
            }),
          ),
        )
      ).files[0]!.key;
    mine = await upload(KEY);
    theirs = await upload(KEY2);
  });
  afterAll(() => api.dispose());
  afterEach(() => vi.useRealTimers());

  /** The answer of `POST /api/links` (or its error). */
  type LinkAnswer = { url: string; msg: string } & Record<string, unknown>;

  const link = async (json: unknown, key = KEY) => {
    const response = await api.handler(
      new Request(`${ORIGIN}/api/links`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(json),
      }),
    );
    return { status: response.status, body: (await response.json()) as LinkAnswer };
  };
  const open = (url: string, headers: Record<string, string> = {}) =>
    api.handler(new Request(url, { headers }));

  describe('POST /api/links (local disk)', () => {
    it('signs a /f/ URL that works without a key, with Range, until it expires', async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 10, 30, 12) });
      const answer = await link({ key: mine, expiresIn: 60 });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ success: true, key: mine, expiresAt: '2026-11-30T12:01:00.000Z' });
      expect(answer.body.url).toMatch(new RegExp(`^${ORIGIN}/f/${mine}\\?expires=\\d+&sig=[\\w-]+$`));
      const part = await open(answer.body.url, { range: 'bytes=1-3' });
      expect(part.status).toBe(206);
      expect(await part.text()).toBe('PNG');
      expect(part.headers.get('cache-control')).toBe('private, max-age=60');
      expect(part.headers.get('content-disposition')).toBeNull();

      vi.setSystemTime(Date.UTC(2026, 10, 30, 12, 1));
      const expired = await open(answer.body.url);
      expect(expired.status).toBe(403);
      expect(await expired.json()).toMatchObject({
        code: 'ERR_FORBIDDEN',
        msg: 'this link expired at 2026-11-30T12:01:00.000Z: ask the file owner for a new link (POST /api/links)',
      });
    });

    it('makes a download when asked: Content-Disposition attachment', async () => {
      const answer = await link({ key: mine, expiresIn: 600, download: true });
      expect(answer.body.url).toContain('&download=1&');
      const file = await open(answer.body.url);
      expect(file.status).toBe(200);
      expect(new Uint8Array(await file.arrayBuffer())).toEqual(PNG);
      expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="pic-[0-9a-f]+\.png"/);
    });

    it.each([
      ['the signature', (url: string) => url.replace(/sig=(.)/, (_, c) => `sig=${c === 'A' ? 'B' : 'A'}`)],
      ['the expiry', (url: string) => url.replace(/expires=(\d+)/, (_, n) => `expires=${Number(n) + 1}`)],
      ['the download flag', (url: string) => url.replace('&download=1', '')],
      ['the key', (url: string) => url.replace('/f/', '/f/x')],
      ['no signature', (url: string) => url.replace(/&sig=.*/, '')],
    ])('refuses a link whose %s was changed with 403', async (_, change) => {
      const answer = await link({ key: mine, expiresIn: 600, download: true });
      const response = await open(change(answer.body.url));
      expect(response.status).toBe(403);
      expect(((await response.json()) as { msg: string }).msg).toContain(
        'this link is not signed by this server',
      );
    });

    it('lets an admin sign any file, and the owner only theirs', async () => {
      expect((await link({ key: theirs, expiresIn: 60 }, ADMIN_KEY)).status).toBe(200);
      const foreign = await link({ key: theirs, expiresIn: 60 });
      expect(foreign).toMatchObject({
        status: 403,
        body: { msg: expect.stringContaining('is not one of your files') },
      });
      const none = await link({ key: 'alice/none.png', expiresIn: 60 });
      expect(none).toMatchObject({
        status: 404,
        body: { msg: expect.stringContaining("no file 'alice/none.png'") },
      });
    });

    it.each([
      ['an expiry in the past', { expiresIn: -60 }, 'expiresIn must be at least 1 second'],
      ['an expiry of now', { expiresIn: 0 }, 'expiresIn must be at least 1 second'],
      [
        'an expiry over the maximum',
        { expiresIn: MAX_LINK_SECONDS + 1 },
        `expiresIn is over the maximum of ${MAX_LINK_SECONDS} seconds (7 days)`,
      ],
      ['a fractional expiry', { expiresIn: 1.5 }, 'expiresIn must be whole seconds'],
      ['an expiry as text', { expiresIn: '60' }, 'expiresIn must be a number of seconds'],
      [
        'no expiry',
        { expiresIn: undefined },
        'expiresIn is missing: the fields are key, expiresIn and download',
      ],
      ['no key', { key: undefined }, 'key is missing'],
      ['a key that is a number', { key: 7 }, 'key must be a string'],
      ['a download flag as text', { download: 'yes' }, 'download must be true or false'],
      [
        'an unknown field',
        { private: true },
        "unknown field 'private': the fields are key, expiresIn and download",
      ],
    ])('refuses %s with 400 naming the field and the fix', async (_, change, message) => {
      const answer = await link({ key: mine, expiresIn: 60, ...change });
      expect(answer).toMatchObject({ status: 400, body: { code: 'ERR_INPUT' } });
      expect(answer.body.msg).toContain(message);
    });

    it('needs POST and a key; /f/ without a signature serves as before', async () => {
      expect((await api.call('/api/links')).status).toBe(405);
      expect((await link({ key: mine, expiresIn: 60 }, 'wrong-key-0000000000')).status).toBe(401);
      expect((await open(`${ORIGIN}/f/${mine}`)).status).toBe(200);
    });
  });
});
