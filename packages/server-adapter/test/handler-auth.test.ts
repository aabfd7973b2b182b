/**
 * The handler over `new Request()`: access keys, bans and allowed types. Core's real uploader writes to a temp
 * local-disk store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY, type LocalFixture, localFixture, ORIGIN, PNG, uploadRequest } from './_support/fixtures';

let fx: LocalFixture;
beforeEach(async () => {
  fx = await localFixture({ maxFileSize: 64 * 1024 });
});
afterEach(() => fx.dispose());

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
