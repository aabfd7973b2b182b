/**
 * The handler over `new Request()`, one route and one failure at a time, with core's real uploader writing to a
 * temp local-disk store (no fakes of storage).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStore } from '@bytedrop/core';
import { createUploader } from '@bytedrop/core';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createHandler } from '../src/handler';
import {
  body,
  KEY,
  KEY2,
  type LocalFixture,
  localFixture,
  ORIGIN,
  PNG,
  rawMultipart,
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

describe('auth and bans', () => {
  const from = (ip: string, headers: Record<string, string>) =>
    fx.handler(uploadRequest([{ name: 'a.txt', body: 'a' }], headers), { ip });

  it('answers 401 without a key, without counting it', async () => {
    for (let i = 0; i < 4; i++) {
      const response = await from('192.0.2.1', {});
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'ERR_AUTH', msg: /missing/ });
    }
    expect((await from('192.0.2.1', { authorization: KEY })).status).toBe(200);
  });

  it('bans an address after 3 wrong keys, even with the right key, and only that address', async () => {
    expect((await from('192.0.2.2', { authorization: 'wrong-key-1' })).status).toBe(401);
    expect((await from('192.0.2.2', { authorization: 'wrong-key-2' })).status).toBe(401);
    // The third is checked like the others (401), and it starts the ban.
    const third = await from('192.0.2.2', { authorization: 'wrong-key-3' });
    expect(third.status).toBe(401);
    expect(await third.json()).toMatchObject({ code: 'ERR_AUTH', msg: /last try.*banned for 60 minutes/ });
    const banned = await from('192.0.2.2', { authorization: KEY });
    expect(banned.status).toBe(403);
    expect(await banned.json()).toMatchObject({ code: 'ERR_FORBIDDEN', msg: /banned for 60 more minutes/ });
    expect((await from('192.0.2.3', { authorization: KEY })).status).toBe(200);
    expect(await fx.objects()).toHaveLength(1);
  });

  it('bans a whole IPv6 /64', async () => {
    for (const host of ['1', '2', '3']) await from(`2001:db8:0:1::${host}`, { authorization: 'wrong-key' });
    expect((await from('2001:db8:0:1:ffff::9', { authorization: KEY })).status).toBe(403);
    expect((await from('2001:db8:0:2::1', { authorization: KEY })).status).toBe(200);
  });

  it('ignores a spoofed X-Forwarded-For without TRUST_PROXY', async () => {
    for (let i = 0; i < 3; i++) {
      await from('192.0.2.4', { authorization: 'wrong-key', 'x-forwarded-for': `198.51.100.${i}` });
    }
    const response = await from('192.0.2.4', { authorization: KEY, 'x-forwarded-for': '198.51.100.99' });
    expect(response.status).toBe(403);
  });

  it('reads X-Forwarded-For through trusted proxies', async () => {
    const proxied = await localFixture({ trustProxy: { addresses: ['loopback'] } });
    try {
      const send = (xff: string, key: string) =>
        proxied.handler(
          uploadRequest([{ name: 'a.txt', body: 'a' }], { authorization: key, 'x-forwarded-for': xff }),
          {
            ip: '127.0.0.1',
          },
        );
      for (let i = 0; i < 3; i++) await send('203.0.113.5', 'wrong-key');
      expect((await send('203.0.113.5', KEY)).status).toBe(403);
      expect((await send('203.0.113.6', KEY)).status).toBe(200);
    } finally {
      await proxied.dispose();
    }
  });

  it('uses the configured ban policy', async () => {
    const strict = await localFixture({ banPolicy: { maxFailures: 1, banSeconds: 120 } });
    try {
      const response = await strict.handler(
        uploadRequest([{ name: 'a.txt', body: 'a' }], { authorization: 'nope-nope' }),
        {
          ip: '192.0.2.9',
        },
      );
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ msg: /banned for 2 minutes/ });
    } finally {
      await strict.dispose();
    }
  });

  it('fails closed with 503 when the ban store is unreachable', async () => {
    const errors: unknown[] = [];
    const down = await localFixture({
      bans: {
        kind: 'redis',
        reserve: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
        check: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
      },
      logger: { info() {}, warn() {}, error: (object, message) => errors.push([object, message]) },
    });
    try {
      const response = await down.handler(uploadRequest([{ name: 'a.txt', body: 'a' }]));
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ code: 'ERR_NETWORK', msg: /ban store unreachable/ });
      expect(JSON.stringify(errors)).toMatch(/ban store unreachable/);
      expect(await down.objects()).toEqual([]);
    } finally {
      await down.dispose();
    }
  });
});

describe('allowed types', () => {
  it('judges the sniffed type, not the declared one', async () => {
    const images = await localFixture({ allowedTypes: ['image/*'] });
    try {
      const png = await images.handler(
        uploadRequest([{ name: 'x.bin', body: PNG, type: 'application/octet-stream' }]),
      );
      expect(png.status).toBe(200);
      const html = await images.handler(
        uploadRequest([{ name: 'page.html', body: '<html><script>alert(1)</script>', type: 'image/png' }]),
      );
      expect(html.status).toBe(415);
      expect(await html.json()).toMatchObject({ code: 'ERR_UNSUPPORTED_TYPE', msg: /text\/html.*image\/\*/ });
      expect(await images.objects()).toHaveLength(1);
    } finally {
      await images.dispose();
    }
  });

  it('refuses a raw PUT body past the multipart threshold after its first bytes, leaving nothing behind', async () => {
    const images = await localFixture({ allowedTypes: ['image/*'] });
    try {
      // 9 MiB declared as a PNG: over core's 8 MiB threshold, so core's long-stream path sniffs it.
      const response = await images.handler(
        new Request(`${ORIGIN}/upload/page.html`, {
          method: 'PUT',
          body: new Uint8Array(9 * 1024 * 1024).fill(0x41),
          headers: { authorization: KEY, 'content-type': 'image/png' },
        }),
      );
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({
        code: 'ERR_UNSUPPORTED_TYPE',
        msg: /'page\.html' is text\/html.*image\/\*/,
      });
      expect(await images.allFiles()).toEqual([]);
    } finally {
      await images.dispose();
    }
  });
});

describe('PUT /upload/:filename', () => {
  const put = (name: string, data: BodyInit, headers: Record<string, string> = { authorization: KEY }) =>
    fx.handler(new Request(`${ORIGIN}/upload/${name}`, { method: 'PUT', body: data, headers }));

  it('stores the raw body under the given name', async () => {
    const response = await put('shot.png', PNG);
    expect(response.status).toBe(200);
    const json = await body(response);
    expect(json.files[0]).toMatchObject({
      contentType: 'image/png',
      filename: 'shot.png',
      size: PNG.byteLength,
    });
  });

  it('needs a key', async () => {
    expect((await put('shot.png', PNG, {})).status).toBe(401);
  });

  it('answers 413 over the limit, streamed or declared, leaving nothing', async () => {
    const big = new Uint8Array(64 * 1024 + 10);
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(big.subarray(0, 40_000));
        controller.enqueue(big.subarray(40_000));
        controller.close();
      },
    });
    const response = await fx.handler(
      new Request(`${ORIGIN}/upload/big.bin`, {
        method: 'PUT',
        body: streamed,
        duplex: 'half',
        headers: { authorization: KEY },
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(await fx.allFiles()).toEqual([]);
    const declared = await put('big.bin', 'x', {
      authorization: KEY,
      'content-length': String(big.byteLength),
    });
    expect(declared.status).toBe(413);
  });

  it('sanitises ../ and NUL in the name', async () => {
    const traversal = await body(await put('..%2F..%2Fetc%2Fpasswd', 'root:x'));
    expect(traversal.files[0]!.key).toMatch(/^alice\/\d{4}\/\d{2}\/\d{2}\/passwd-[0-9a-f]{16}/);
    const nul = await body(await put('a%00b.txt', 'nul'));
    expect(nul.files[0]!.key).not.toContain('\0');
    expect(await fx.objects()).toHaveLength(2);
    expect((await put('%E0%A4%A', 'x')).status).toBe(400);
  });
});

describe("the runtime's own body (RequestContext.body, what the Node runner passes)", () => {
  /** `bytes` in `size`-byte chunks, counting what was pulled and whether the handler let go early. */
  function nativeBody(bytes: Uint8Array, size: number) {
    const seen = { chunks: 0, bytes: 0, returned: false };
    async function* chunks() {
      try {
        for (let at = 0; at < bytes.byteLength; at += size) {
          seen.chunks++;
          seen.bytes += Math.min(size, bytes.byteLength - at);
          yield bytes.subarray(at, at + size);
        }
      } finally {
        seen.returned = seen.bytes < bytes.byteLength;
      }
    }
    return { body: { [Symbol.asyncIterator]: chunks }, seen };
  }
  /** The request's headers with no body of its own: whatever is stored can only have come from the context. */
  const headersOnly = (request: Request) =>
    new Request(request.url, { method: request.method, headers: request.headers });

  it('stores a multipart upload read from the context, not from request.body', async () => {
    const request = uploadRequest([{ name: 'shot.png', body: PNG }]);
    const bytes = new Uint8Array(await request.arrayBuffer());
    const native = nativeBody(bytes, 7);
    const response = await fx.handler(headersOnly(request), { body: native.body });
    expect(response.status).toBe(200);
    const file = (await body(response)).files[0]!;
    expect(new Uint8Array(await readFile(join(fx.dir, file.key)))).toEqual(PNG);
    expect(native.seen.bytes).toBe(bytes.byteLength);
  });

  it('stops reading at the limit (413) and lets go of the body without draining it', async () => {
    const request = uploadRequest([{ name: 'big.bin', body: new Uint8Array(1024 * 1024) }]);
    const bytes = new Uint8Array(await request.arrayBuffer());
    const native = nativeBody(bytes, 16 * 1024);
    const response = await fx.handler(headersOnly(request), { body: native.body });
    expect(response.status).toBe(413);
    expect(native.seen.returned).toBe(true);
    expect(native.seen.bytes).toBeLessThan(bytes.byteLength / 2);
    expect(await fx.allFiles()).toEqual([]);
  });

  it('takes a raw PUT body from the context too', async () => {
    const native = nativeBody(PNG, 5);
    const response = await fx.handler(
      new Request(`${ORIGIN}/upload/shot.png`, { method: 'PUT', headers: { authorization: KEY } }),
      { body: native.body },
    );
    expect(response.status).toBe(200);
    const file = (await body(response)).files[0]!;
    expect(new Uint8Array(await readFile(join(fx.dir, file.key)))).toEqual(PNG);
  });
});

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

describe('storage failures', () => {
  // On s3rver (whose SigV4 check the harness adds) and on radosgw, which checks signatures itself.
  it.each(['s3', 'rgw'] as const)(
    'answers 502 when storage (%s) rejects the credentials (not 401: the client key was fine)',
    async (server) => {
      const s3 = inject(server);
      const handler = createHandler({
        uploader: createUploader({
          provider: 'minio',
          endpoint: s3.endpoint,
          bucket: s3.bucket,
          accessKeyId: s3.accessKeyId,
          secretAccessKey: 'wrong-secret',
          forcePathStyle: true,
        }),
        keys: [{ name: 'a', key: KEY }],
        secret: SECRET,
      });
      const response = await handler(uploadRequest([{ name: 'a.txt', body: 'a' }]));
      expect(response.status).toBe(502);
      expect(await response.json()).toMatchObject({ success: false, code: 'ERR_AUTH' });
    },
  );

  it('answers 503 when storage is unreachable', async () => {
    const handler = createHandler({
      uploader: createUploader({
        provider: 'minio',
        endpoint: 'http://127.0.0.1:1',
        bucket: 'b',
        accessKeyId: 'k',
        secretAccessKey: 's',
        forcePathStyle: true,
      }),
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
    });
    const response = await handler(uploadRequest([{ name: 'a.txt', body: 'a' }]));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: 'ERR_NETWORK' });
    expect((await handler(new Request(`${ORIGIN}/health`))).status).toBe(503);
  });
});

describe('unexpected failures', () => {
  it('answers 500 without leaking the message, and logs it', async () => {
    const logged: unknown[] = [];
    const handler = createHandler({
      uploader: { upload: () => Promise.reject(new Error('internal detail /etc/secret-path')) },
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
      logger: { info() {}, warn() {}, error: (object) => logged.push(object) },
    });
    const response = await handler(uploadRequest([{ name: 'a.txt', body: 'a' }]));
    expect(response.status).toBe(500);
    const json = (await response.json()) as { requestId: string };
    const id = response.headers.get('x-request-id')!;
    expect(json).toEqual({
      success: false,
      msg: `internal server error: the server log has the details under request id ${id}`,
      code: 'ERR_INTERNAL',
      requestId: id,
    });
    // The log line holds the same id, so the operator finds it from what the user quotes.
    expect(logged[0]).toMatchObject({ requestId: id });
    expect(String((logged[0] as { err: Error }).err.message)).toContain('internal detail');
  });

  it('answers 400 for a filename with nothing usable in it', async () => {
    const response = await fx.handler(
      new Request(`${ORIGIN}/upload/%20%2E%2E`, {
        method: 'PUT',
        body: 'x',
        headers: { authorization: KEY },
      }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'ERR_FILENAME' });
  });
});

describe('logging', () => {
  it('logs requests without keys or delete tokens', async () => {
    const lines: string[] = [];
    const record = (object: Record<string, unknown>, message?: string) =>
      lines.push(JSON.stringify([object, message]));
    const logged = await localFixture({ logger: { info: record, warn: record, error: record } });
    try {
      const file = (await body(await logged.handler(uploadRequest([{ name: 'a.txt', body: 'a' }]))))
        .files[0]!;
      await logged.handler(
        uploadRequest([{ name: 'a.txt', body: 'a' }], { authorization: 'wrong-key-typed' }),
      );
      await logged.handler(new Request(file.deleteUrl!, { method: 'DELETE' }));
      const text = lines.join('\n');
      expect(text).toContain('"status":200');
      expect(text).toContain('wrong access key');
      expect(text).not.toContain(KEY);
      expect(text).not.toContain('wrong-key-typed');
      expect(text).not.toContain(new URL(file.deleteUrl!).searchParams.get('token')!);
    } finally {
      await logged.dispose();
    }
  });
});
