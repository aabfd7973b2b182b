/**
 * The handler over `new Request()`: deletes, /health, /f/* and the ShareX configuration. Core's real uploader writes
 * to a temp local-disk store.
 */
import type { ObjectStore } from '@bytedrop/core';
import { createUploader } from '@bytedrop/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../src/handler';
import {
  body,
  KEY,
  type LocalFixture,
  localFixture,
  ORIGIN,
  PNG,
  SECRET,
  uploadRequest,
} from './_support/fixtures';

let fx: LocalFixture;
beforeEach(async () => {
  fx = await localFixture({ maxFileSize: 64 * 1024 });
});
afterEach(() => fx.dispose());

const get = (path: string, headers?: Record<string, string>) =>
  fx.handler(new Request(`${ORIGIN}${path}`, headers ? { headers } : {}));

describe('DELETE /files/:key', () => {
  it('deletes with the token from the upload, and nothing else does', async () => {
    const a = (await body(await fx.handler(uploadRequest([{ name: 'a.txt', body: 'aaa' }])))).files[0]!;
    const b = (await body(await fx.handler(uploadRequest([{ name: 'b.txt', body: 'bbb' }])))).files[0]!;
    const token = new URL(a.deleteUrl!).searchParams.get('token')!;
    const wrongKey = await fx.handler(
      new Request(`${ORIGIN}/files/${b.key}?token=${token}`, { method: 'DELETE' }),
    );
    expect(wrongKey.status).toBe(403);
    const noToken = await fx.handler(
      new Request(`${ORIGIN}/files/${a.key}`, { method: 'DELETE', headers: { authorization: KEY } }),
    );
    expect(noToken.status).toBe(403);
    // A cut-off link (two characters short) is a wrong token too, not a server error.
    const cut = await fx.handler(
      new Request(`${ORIGIN}/files/${a.key}?token=${token.slice(0, -2)}`, { method: 'DELETE' }),
    );
    expect(cut.status).toBe(403);
    expect((await fx.objects()).sort()).toEqual([a.key, b.key].sort());

    const ok = await fx.handler(new Request(a.deleteUrl!, { method: 'DELETE' }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ success: true, key: a.key });
    expect(await fx.objects()).toEqual([b.key]);
    const header = await fx.handler(
      new Request(`${ORIGIN}/files/${b.key}`, {
        method: 'DELETE',
        headers: { 'x-delete-token': new URL(b.deleteUrl!).searchParams.get('token')! },
      }),
    );
    expect(header.status).toBe(200);
    expect(await fx.objects()).toEqual([]);
    expect((await fx.handler(new Request(a.deleteUrl!, { method: 'PUT' }))).status).toBe(405);
  });

  it('in a browser: GET shows a page that asks first and deletes nothing; its form POSTs back and deletes', async () => {
    const upload = await body(await fx.handler(uploadRequest([{ name: 'ask <first>.txt', body: 'x' }])));
    const file = upload.files[0]!;
    // The top-level field ShareX's DeletionURL reads.
    expect(upload.deleteUrl).toBe(file.deleteUrl);
    const page = await fx.handler(new Request(file.deleteUrl!));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self'");
    const html = await page.text();
    expect(html).toContain('<form method="post">');
    expect(html).toContain(file.key.replace(/</g, '&#60;').replace(/>/g, '&#62;'));
    expect(html).not.toContain('<first>');
    expect(await fx.objects()).toEqual([file.key]);

    const wrong = await fx.handler(new Request(`${ORIGIN}/files/${file.key}?token=nope`));
    expect(wrong.status).toBe(403);
    expect(await fx.objects()).toEqual([file.key]);

    // What the browser sends for the page's form: a POST to the same URL, token included.
    const posted = await fx.handler(
      new Request(file.deleteUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      }),
    );
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain('Deleted');
    expect(await fx.objects()).toEqual([]);
  });
});

describe('GET /health', () => {
  it('reports ok when storage answers', async () => {
    const response = await get('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  const broken = (check: ObjectStore['check']): ObjectStore => ({ ...fx.store, check, kind: 'broken' });

  it('answers 503 when storage fails or does not answer in time', async () => {
    const failing = createHandler({
      uploader: createUploader({ bucket: 'x' }, { store: fx.store }),
      store: broken(() => Promise.reject(new Error('disk gone'))),
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
    });
    const keyed = { headers: { authorization: KEY } };
    const down = await failing(new Request(`${ORIGIN}/health`, keyed));
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      status: 'failing',
      storage: { status: 'failing', kind: 'broken', msg: /disk gone/ },
    });

    let aborted = false;
    const hanging = createHandler({
      uploader: createUploader({ bucket: 'x' }, { store: fx.store }),
      store: broken(
        (signal) =>
          new Promise(() => {
            signal?.addEventListener('abort', () => {
              aborted = true;
            });
          }),
      ),
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
      healthTimeoutMs: 20,
    });
    const slow = await hanging(new Request(`${ORIGIN}/health`, keyed));
    expect(slow.status).toBe(503);
    expect(await slow.json()).toMatchObject({ storage: { msg: /within 20 ms/ } });
    expect(aborted).toBe(true);
  });
});

describe('GET /f/*', () => {
  const upload = async (name: string, data: BlobPart, type = '') =>
    (await body(await fx.handler(uploadRequest([{ name, body: data, type }])))).files[0]!;

  it('serves images inline under nosniff and a CSP sandbox, with ETag and 304', async () => {
    const file = await upload('shot.png', PNG);
    const response = await get(new URL(file.url).pathname);
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(PNG);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe('sandbox');
    expect(response.headers.get('content-disposition')).toBeNull();
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const cached = await get(new URL(file.url).pathname, { 'if-none-match': etag });
    expect(cached.status).toBe(304);
    expect(await cached.text()).toBe('');
    const head = await fx.handler(new Request(file.url.replace(ORIGIN, ORIGIN), { method: 'HEAD' }));
    expect(head.headers.get('content-length')).toBe(String(PNG.byteLength));
    expect(await head.text()).toBe('');
  });

  it('answers ranges with 206 and bad ranges with 416', async () => {
    const file = await upload('digits.txt', '0123456789');
    const path = new URL(file.url).pathname;
    const first = await get(path, { range: 'bytes=2-5' });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(await first.text()).toBe('2345');
    const suffix = await get(path, { range: 'bytes=-3' });
    expect(await suffix.text()).toBe('789');
    const open = await get(path, { range: 'bytes=7-' });
    expect(await open.text()).toBe('789');
    const bad = await get(path, { range: 'bytes=20-30' });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe('bytes */10');
  });

  it('serves an SVG with <script> and HTML as attachments, never inline', async () => {
    const svg = await upload(
      'evil.svg',
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
    );
    const response = await get(new URL(svg.url).pathname);
    expect(response.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    // The download keeps the name it was uploaded under, as stored with the object.
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="evil\.svg"/);
    expect(response.headers.get('content-security-policy')).toBe('sandbox');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await upload('page.html', '<!doctype html><script>alert(1)</script>');
    expect((await get(new URL(html.url).pathname)).headers.get('content-disposition')).toMatch(/^attachment/);
  });

  it('answers 404 for missing keys and paths that climb out', async () => {
    expect((await get('/f/nope.png')).status).toBe(404);
    expect((await get('/f/..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
    expect((await get('/f/a/%2e%2e/b')).status).toBe(404);
    expect((await get('/f/.bytedrop-meta/x.json')).status).toBe(404);
  });
});

describe('GET /config/sharex.sxcu', () => {
  it('gives a placeholder anonymously and the key only to a request that proved it', async () => {
    const anonymous = await get('/config/sharex.sxcu');
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('content-disposition')).toMatch(/\.sxcu"$/);
    const config = (await anonymous.json()) as { RequestURL: string; Headers: Record<string, string> };
    expect(config.RequestURL).toBe(`${ORIGIN}/upload`);
    expect(config.Headers.Authorization).toBe('Bearer PASTE-YOUR-ACCESS-KEY');
    const mine = (await (
      await get('/config/sharex.sxcu', { authorization: `Bearer ${KEY}` })
    ).json()) as typeof config;
    expect(mine.Headers.Authorization).toBe(`Bearer ${KEY}`);
    expect((await get('/config/sharex.sxcu', { authorization: 'wrong-key' })).status).toBe(401);
  });
});
