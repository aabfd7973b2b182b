/**
 * The handler over `new Request()`: the page, routing and POST /upload, with core's real uploader writing to a
 * temp local-disk store (no fakes of storage).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  body,
  KEY,
  KEY2,
  type LocalFixture,
  localFixture,
  ORIGIN,
  PNG,
  rawMultipart,
  uploadRequest,
} from './_support/fixtures';

let fx: LocalFixture;
beforeEach(async () => {
  fx = await localFixture({ maxFileSize: 64 * 1024 });
});
afterEach(() => fx.dispose());

const get = (path: string, headers?: Record<string, string>) =>
  fx.handler(new Request(`${ORIGIN}${path}`, headers ? { headers } : {}));

describe('GET /', () => {
  it('serves the page with a CSP that allows exactly its inline script', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<title>Bytedrop</title>');
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const hash = createHash('sha256').update(script).digest('base64');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(csp).not.toContain("script-src 'unsafe-inline'");
    expect(html.match(/<script/g)).toHaveLength(1);
  });
  it('answers HEAD without a body and other methods with 405', async () => {
    const head = await fx.handler(new Request(`${ORIGIN}/`, { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fx.handler(new Request(`${ORIGIN}/`, { method: 'POST' }));
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });
});

describe('routing', () => {
  it('answers unknown paths with a JSON 404 and preflights with CORS', async () => {
    const missing = await get('/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ success: false, code: 'ERR_NOT_FOUND' });
    const preflight = await fx.handler(new Request(`${ORIGIN}/upload`, { method: 'OPTIONS' }));
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect((await get('/upload')).status).toBe(405);
    expect((await fx.handler(new Request(`${ORIGIN}/health`, { method: 'POST' }))).status).toBe(405);
  });
});

describe('POST /upload', () => {
  it('stores a file and answers the ByteGo/PicGo superset', async () => {
    const response = await fx.handler(uploadRequest([{ name: 'shot.png', body: PNG, type: 'image/png' }]));
    expect(response.status).toBe(200);
    const json = await body(response);
    expect(json).toMatchObject({ success: true, msg: 'success' });
    expect(json.result).toEqual([json.url]);
    const [file] = json.files;
    expect(file).toMatchObject({ size: PNG.byteLength, contentType: 'image/png', deduplicated: false });
    expect(file!.key).toMatch(/^alice\/\d{4}\/\d{2}\/\d{2}\/shot-[0-9a-f]{16}\.png$/);
    expect(file!.hash).toBe(createHash('sha256').update(PNG).digest('hex'));
    expect(file!.url).toBe(`${ORIGIN}/f/${file!.key}`);
    expect(file!.markdown).toBe(`![shot.png](${file!.url})`);
    // A 1×1 PNG: its size goes on the <img>, so the page does not shift as it loads.
    expect(file!.html).toBe(`<img src="${file!.url}" alt="shot.png" width="1" height="1">`);
    expect(file!.deleteUrl).toMatch(new RegExp(`^${ORIGIN}/files/${file!.key}\\?token=[\\w-]{32}$`));
    expect(file!.deleteUrl).not.toContain(KEY);
    expect(await readFile(join(fx.dir, file!.key))).toEqual(Buffer.from(PNG));
  });

  it.each(['file', 'files', 'file[]', 'list', 'image'])('accepts the field name %s', async (field) => {
    const response = await fx.handler(uploadRequest([{ name: 'a.txt', body: `field ${field}`, field }]));
    expect(response.status).toBe(200);
    expect((await body(response)).files[0]!.contentType).toMatch(/^text\/plain/);
  });

  it.each([
    ['Authorization: <key>', { authorization: KEY }],
    ['Authorization: Bearer <key>', { authorization: `Bearer ${KEY}` }],
    ['X-API-Key', { 'x-api-key': KEY }],
    ['X-PicGo-Secret', { 'x-picgo-secret': KEY }],
  ])('accepts the key as %s', async (_name, headers) => {
    expect((await fx.handler(uploadRequest([{ name: 'a.txt', body: 'x' }], headers))).status).toBe(200);
  });

  it('keeps each access key in its own prefix and passes its name as {user}', async () => {
    const bob = await body(
      await fx.handler(uploadRequest([{ name: 'b.txt', body: 'b' }], { authorization: KEY2 })),
    );
    expect(bob.files[0]!.key).not.toMatch(/^alice\//);
    const alice = await body(await fx.handler(uploadRequest([{ name: 'b.txt', body: 'b' }])));
    expect(alice.files[0]!.key).toBe(`alice/${bob.files[0]!.key}`);
  });

  it('uploads several files in order, and deduplicates identical bytes', async () => {
    const response = await fx.handler(
      uploadRequest([
        { name: 'one.txt', body: 'one' },
        { name: 'two.txt', body: 'two', field: 'files' },
        { name: 'one.txt', body: 'one', field: 'files' },
      ]),
    );
    const json = await body(response);
    expect(json.files.map((f) => f.filename)).toEqual(['one.txt', 'two.txt', 'one.txt']);
    expect(json.result).toEqual(json.files.map((f) => f.url));
    expect(json.files[2]!.key).toBe(json.files[0]!.key);
    expect(json.files[2]!.deduplicated).toBe(true);
  });

  it('refuses an 11th file with 400', async () => {
    const files = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.txt`, body: `file ${i}` }));
    const response = await fx.handler(uploadRequest(files));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ success: false, code: 'ERR_INPUT', msg: /at most 10/ });
  });

  it('answers 413 for a file over the limit and leaves nothing behind', async () => {
    const response = await fx.handler(
      uploadRequest([{ name: 'big.bin', body: new Uint8Array(64 * 1024 + 1) }]),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      success: false,
      code: 'ERR_TOO_LARGE',
      msg: /64 MB|0\.06 MB/,
    });
    expect(await fx.allFiles()).toEqual([]);
    const exact = await fx.handler(uploadRequest([{ name: 'edge.bin', body: new Uint8Array(64 * 1024) }]));
    expect(exact.status).toBe(200);
  });

  it('answers 413 from Content-Length before reading the body', async () => {
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const request = new Request(`${ORIGIN}/upload`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
      headers: {
        authorization: KEY,
        'content-type': 'multipart/form-data; boundary=x',
        'content-length': String(1024 * 1024 * 1024),
      },
    } as RequestInit);
    const response = await fx.handler(request);
    expect(response.status).toBe(413);
    // A ReadableStream pulls once on its own to fill its queue; the handler itself read nothing more.
    expect(pulls).toBeLessThanOrEqual(1);
  });

  it('answers 415 for a body that is not multipart', async () => {
    const response = await fx.handler(
      new Request(`${ORIGIN}/upload`, {
        method: 'POST',
        body: '{}',
        headers: { authorization: KEY, 'content-type': 'application/json' },
      }),
    );
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ code: 'ERR_UNSUPPORTED_TYPE', msg: /PUT \/upload/ });
  });

  it('answers 400 for multipart without a boundary, and keeps serving', async () => {
    const response = await fx.handler(rawMultipart('--x\r\n', 'multipart/form-data'));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'ERR_INPUT', msg: /boundary/i });
    expect((await get('/health')).status).toBe(200);
  });

  it('answers 400 for 10,000 fields', async () => {
    const parts = Array.from(
      { length: 10_000 },
      (_, i) => `--b\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nv\r\n`,
    );
    const response = await fx.handler(
      rawMultipart(`${parts.join('')}--b--\r\n`, 'multipart/form-data; boundary=b'),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'ERR_INPUT', msg: /form fields/ });
  });

  it('answers 400 for a __proto__ part header without polluting prototypes', async () => {
    const raw =
      '--b\r\n__proto__: polluted\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\n{"polluted":true}\r\n--b--\r\n';
    const response = await fx.handler(rawMultipart(raw, 'multipart/form-data; boundary=b'));
    expect(response.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await fx.handler(uploadRequest([{ name: 'ok.txt', body: 'still serving' }]))).status).toBe(200);
  });

  it('answers 400 for a truncated multipart body', async () => {
    const raw = '--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhalf a fi';
    const response = await fx.handler(rawMultipart(raw, 'multipart/form-data; boundary=b'));
    expect(response.status).toBe(400);
    expect(await fx.allFiles()).toEqual([]);
  });

  it('answers 400 when no file part is present', async () => {
    const raw = '--b\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--b--\r\n';
    const response = await fx.handler(rawMultipart(raw, 'multipart/form-data; boundary=b'));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ msg: /no file/ });
  });

  it('keeps path segments and NUL out of keys', async () => {
    const part = (disposition: string, content = disposition) =>
      rawMultipart(
        `--b\r\nContent-Disposition: form-data; name="file"; ${disposition}\r\n\r\n${content}\r\n--b--\r\n`,
        'multipart/form-data; boundary=b',
      );
    const traversal = await fx.handler(part('filename="../../etc/passwd"'));
    expect(traversal.status).toBe(200);
    const { key } = (await body(traversal)).files[0]!;
    expect(key).toMatch(/^alice\/\d{4}\/\d{2}\/\d{2}\/passwd-[0-9a-f]{16}(\.txt)?$/);
    // An encoded NUL (RFC 5987) reaches core, which strips it.
    const encoded = await fx.handler(part("filename*=UTF-8''..%2Fpass%00wd.txt"));
    expect(encoded.status).toBe(200);
    const nulKey = (await body(encoded)).files[0]!.key;
    expect(nulKey).not.toMatch(/\0|\.\./);
    // A raw NUL in a part header is malformed multipart.
    const raw = await fx.handler(part('filename="pass\0wd.txt"'));
    expect(raw.status).toBe(400);
    expect((await fx.objects()).sort()).toEqual([key, nulKey].sort());
  });
});
