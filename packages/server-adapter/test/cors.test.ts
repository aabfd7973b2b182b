/**
 * Cross-origin requests with a key: only the server's own page and the allowed origins may send them, so no website
 * can spend its visitors' guesses. Clients that send no `Origin` (curl, ShareX, PicGo, the editors) are unaffected.
 */
import { createUploader } from '@bytedrop/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serve } from '../src/node';
import { KEY, type LocalFixture, localFixture, ORIGIN, SECRET, uploadRequest } from './_support/fixtures';

let fx: LocalFixture;
let checked: string[];
beforeEach(async () => {
  checked = [];
  const record = (_object: Record<string, unknown>, message?: string) => checked.push(message ?? '');
  fx = await localFixture({
    corsOrigins: ['https://notes.example.com/'],
    logger: { info() {}, warn: record, error: record },
  });
});
afterEach(() => fx.dispose());

const upload = (headers: Record<string, string>, ip = '192.0.2.10') =>
  fx.handler(uploadRequest([{ name: 'a.txt', body: 'a' }], headers), { ip });

const preflight = (origin: string) =>
  fx.handler(
    new Request(`${ORIGIN}/upload`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    }),
  );

describe('preflight', () => {
  it('lets the own page and allowed origins send keys, and no one else', async () => {
    for (const origin of [ORIGIN, 'https://notes.example.com']) {
      const allowed = await preflight(origin);
      expect(allowed.status, origin).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(
        /Authorization.*Keep-Metadata, Convert/,
      );
    }
    for (const origin of ['https://evil.example', 'null', 'https://notes.example.com.evil.example']) {
      const refused = await preflight(origin);
      expect(refused.status, origin).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(await refused.json()).toMatchObject({ code: 'ERR_FORBIDDEN', msg: /CORS_ORIGINS/ });
    }
  });
});

describe('requests with a key', () => {
  it('refuses another origin before looking at the key, so it costs no guess', async () => {
    for (let i = 0; i < 5; i++) {
      const refused = await upload({ authorization: `wrong-key-${i}`, origin: 'https://evil.example' });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(await refused.json()).toMatchObject({
        code: 'ERR_FORBIDDEN',
        msg: /evil\.example.*CORS_ORIGINS/,
      });
    }
    // The right key from another site is refused too: the site must not use its visitors' keys either.
    expect((await upload({ authorization: KEY, origin: 'https://evil.example' })).status).toBe(403);
    expect(checked.filter((message) => message === 'wrong access key')).toEqual([]);
    expect((await upload({ authorization: KEY })).status).toBe(200);
    expect(await fx.objects()).toHaveLength(1);
  });

  it('serves the own page and allowed origins, with CORS headers for them', async () => {
    const own = await upload({ authorization: KEY, origin: ORIGIN });
    expect(own.status).toBe(200);
    const allowed = await upload({ authorization: KEY, origin: 'https://notes.example.com' });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://notes.example.com');
    expect(allowed.headers.get('vary')).toMatch(/Origin/);
  });

  it('over the Node runner, sends the CORS headers on its fast answers too', async () => {
    const server = await serve({
      port: 0,
      hostname: '127.0.0.1',
      uploader: createUploader({ bucket: 'local-disk' }, { store: fx.store }),
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
      corsOrigins: ['https://notes.example.com'],
    });
    try {
      const send = (origin: string) =>
        fetch(`${server.url}/upload/a.txt`, {
          method: 'PUT',
          body: 'a',
          headers: { authorization: KEY, origin },
        });
      const allowed = await send('https://notes.example.com');
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://notes.example.com');
      expect((await send('https://evil.example')).status).toBe(403);
    } finally {
      await server.close(true);
    }
  });

  it('serves clients that send no Origin (curl, ShareX, PicGo) as before, without CORS headers', async () => {
    const curl = await upload({ authorization: KEY });
    expect(curl.status).toBe(200);
    expect(curl.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("behind a proxy, knows its own page by the public URL's host, whatever the scheme", async () => {
    const proxied = await localFixture({ serverUrl: 'https://drop.example.com' });
    try {
      const send = (origin: string) =>
        proxied.handler(
          new Request('http://127.0.0.1:8000/upload/a.txt', {
            method: 'PUT',
            body: 'a',
            headers: { authorization: KEY, origin },
          }),
        );
      expect((await send('https://drop.example.com')).status).toBe(200);
      expect((await send('https://other.example.com')).status).toBe(403);
    } finally {
      await proxied.dispose();
    }
  });

  it('allows every origin only when told to with *', async () => {
    const open = await localFixture({ corsOrigins: ['*'] });
    try {
      const response = await open.handler(
        uploadRequest([{ name: 'a.txt', body: 'a' }], { authorization: KEY, origin: 'https://any.example' }),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://any.example');
    } finally {
      await open.dispose();
    }
  });
});

describe('CORS_ORIGINS', () => {
  it('refuses an entry that is no origin at start, naming it and the fix', async () => {
    for (const entry of ['notes.example.com', 'https://notes.example.com/page', 'null']) {
      await expect(localFixture({ corsOrigins: [entry] })).rejects.toMatchObject({
        code: 'ERR_CONFIG',
        message: expect.stringMatching(
          /^CORS_ORIGINS entry '.*' is not an origin: .*https:\/\/notes\.example\.com/,
        ),
      });
    }
  });
});

describe('requests without a key', () => {
  it('are not refused for their origin: files and the page stay public', async () => {
    const stored = await upload({ authorization: KEY });
    const { files } = (await stored.json()) as { files: { url: string }[] };
    const file = await fx.handler(
      new Request(files[0]!.url, { headers: { origin: 'https://evil.example' } }),
    );
    expect(file.status).toBe(200);
    expect(file.headers.get('access-control-allow-origin')).toBe('*');
    const missing = await upload({ origin: 'https://evil.example' });
    expect(missing.status).toBe(401);
  });
});
