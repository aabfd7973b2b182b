/**
 * Webhooks end to end: uploads and deletes through the handler, delivered to a real receiver on loopback, signatures
 * checked with the Standard Webhooks library (which nobody here wrote) and by hand; retries, redirects, a silent
 * receiver, and every bad setting.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkWebhookHosts } from '../src/_webhook-hosts';
import { serverSettingsFromEnv } from '../src/settings';
import type { Logger } from '../src/types';
import { createWebhooks, type WebhookPayload } from '../src/webhooks';
import { KEY, type LocalFixture, localFixture, ORIGIN, uploadRequest } from './_support/fixtures';

const SECRET = `whsec_${Buffer.from('a webhook secret of 32 bytes!!!!').toString('base64')}`;

interface Delivery {
  headers: IncomingMessage['headers'];
  body: string;
  path: string;
}

/** A receiver on loopback: records each delivery, then answers with the next reply (200 when none is queued). */
async function receiver() {
  const deliveries: Delivery[] = [];
  const replies: ((res: ServerResponse) => void)[] = [];
  const arrived: ((delivery: Delivery) => void)[] = [];
  const server: Server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const delivery = { headers: req.headers, body, path: req.url ?? '' };
    deliveries.push(delivery);
    arrived.shift()?.(delivery);
    (replies.shift() ?? ((r: ServerResponse) => r.writeHead(200).end()))(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    deliveries,
    reply: (answer: (res: ServerResponse) => void) => replies.push(answer),
    next: () => new Promise<Delivery>((done) => arrived.push(done)),
    close: async () => {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}

function recordingLogger() {
  const lines: { level: string; object: Record<string, unknown>; message?: string }[] = [];
  const logger: Logger = {
    info: (object, message) => lines.push({ level: 'info', object, message }),
    warn: (object, message) => lines.push({ level: 'warn', object, message }),
    error: (object, message) => lines.push({ level: 'error', object, message }),
  };
  return { logger, lines };
}

/** The signature as the spec defines it, computed here without the library. */
function specSignature(delivery: Delivery): string {
  const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
  const signed = `${delivery.headers['webhook-id']}.${delivery.headers['webhook-timestamp']}.${delivery.body}`;
  return `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
}

describe('webhooks from the handler', () => {
  let hooks: Awaited<ReturnType<typeof receiver>>;
  let fx: LocalFixture;
  let webhooks: ReturnType<typeof createWebhooks>;

  beforeEach(async () => {
    hooks = await receiver();
    webhooks = createWebhooks({ urls: [`${hooks.url}/hook`], secret: SECRET, allowPrivate: true });
    fx = await localFixture({ webhooks });
  });
  afterEach(async () => {
    await webhooks.drain();
    await hooks.close();
    await fx.dispose();
  });

  it('an upload answers before its receiver does, and the event arrives signed, with the file', async () => {
    let release: () => void = () => {};
    hooks.reply((res) => {
      release = () => res.writeHead(204).end();
    });
    const arrived = hooks.next();
    const response = await fx.handler(
      uploadRequest([{ name: 'notes.txt', body: 'hello hooks' }], { authorization: KEY }),
    );
    expect(response.status).toBe(200);
    const { files } = (await response.json()) as { files: { key: string; url: string; hash: string }[] };
    const delivery = await arrived;
    release();

    expect(delivery.path).toBe('/hook');
    expect(delivery.headers['content-type']).toBe('application/json');
    const payload = new Webhook(SECRET).verify(delivery.body, {
      'webhook-id': String(delivery.headers['webhook-id']),
      'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
      'webhook-signature': String(delivery.headers['webhook-signature']),
    }) as WebhookPayload;
    expect(delivery.headers['webhook-signature']).toBe(specSignature(delivery));
    expect(payload).toMatchObject({
      type: 'file.uploaded',
      data: {
        key: files[0]?.key,
        url: files[0]?.url,
        hash: files[0]?.hash,
        owner: 'alice',
        size: 11,
        filename: 'notes.txt',
        deduplicated: false,
        requestId: response.headers.get('x-request-id'),
      },
    });
    // A body altered on the way fails the library's check.
    expect(() =>
      new Webhook(SECRET).verify(delivery.body.replace('alice', 'mallory'), {
        'webhook-id': String(delivery.headers['webhook-id']),
        'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
        'webhook-signature': String(delivery.headers['webhook-signature']),
      }),
    ).toThrow();
  });

  it('a delete by its delete URL sends file.deleted with the owner', async () => {
    const uploaded = await fx.handler(
      uploadRequest([{ name: 'gone.txt', body: 'soon gone' }], { authorization: KEY }),
    );
    const { files } = (await uploaded.json()) as { files: { key: string; deleteUrl: string }[] };
    await webhooks.drain();
    const arrived = hooks.next();
    const deleteUrl = new URL(files[0]!.deleteUrl);
    const response = await fx.handler(
      new Request(`${ORIGIN}${deleteUrl.pathname}${deleteUrl.search}`, { method: 'DELETE' }),
    );
    expect(response.status).toBe(200);
    const payload = JSON.parse((await arrived).body) as WebhookPayload;
    expect(payload).toMatchObject({ type: 'file.deleted', data: { key: files[0]?.key, owner: 'alice' } });
  });
});

describe('delivery', () => {
  let hooks: Awaited<ReturnType<typeof receiver>>;
  beforeEach(async () => {
    hooks = await receiver();
  });
  afterEach(() => hooks.close());

  it('retries a failing receiver with the same webhook-id, freshly signed, until it answers 2xx', async () => {
    hooks.reply((res) => res.writeHead(500).end());
    hooks.reply((res) => res.writeHead(429).end());
    const { logger, lines } = recordingLogger();
    const webhooks = createWebhooks({
      urls: [hooks.url],
      secret: SECRET,
      allowPrivate: true,
      retryDelaysMs: [0, 0, 0],
      logger,
    });
    webhooks.emit('file.uploaded', { key: 'a.png', owner: 'alice' });
    await webhooks.drain();
    expect(hooks.deliveries).toHaveLength(3);
    expect(new Set(hooks.deliveries.map((d) => d.headers['webhook-id'])).size).toBe(1);
    for (const delivery of hooks.deliveries)
      expect(delivery.headers['webhook-signature']).toBe(specSignature(delivery));
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.object.problem)).toEqual([
      'HTTP 500',
      'HTTP 429',
    ]);
    expect(lines.some((l) => l.level === 'error')).toBe(false);
  });

  it('gives up after the last retry and logs the event, the receiver and why', async () => {
    for (let i = 0; i < 3; i++) hooks.reply((res) => res.writeHead(503).end());
    const { logger, lines } = recordingLogger();
    const webhooks = createWebhooks({
      urls: [`${hooks.url}/in?token=secret`],
      secret: SECRET,
      allowPrivate: true,
      retryDelaysMs: [0, 0],
      logger,
    });
    webhooks.emit('file.deleted', { key: 'b.png', owner: 'bob' });
    await webhooks.drain();
    expect(hooks.deliveries).toHaveLength(3);
    const error = lines.find((l) => l.level === 'error');
    expect(error?.object).toMatchObject({
      webhook: `${hooks.url}/in`,
      event: 'file.deleted',
      key: 'b.png',
      attempts: 3,
      problem: 'HTTP 503',
    });
    // The query (it may hold the receiver's token) is never logged.
    expect(JSON.stringify(lines)).not.toContain('token=secret');
  });

  it('waits the configured delays between attempts', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const calls: number[] = [];
      const webhooks = createWebhooks({
        urls: ['https://hooks.example.com/in'],
        secret: SECRET,
        retryDelaysMs: [5_000, 30_000],
        fetch: async () => {
          calls.push(Date.now());
          return new Response(null, { status: 500 });
        },
      });
      const start = Date.now();
      webhooks.emit('file.uploaded', { key: 'c.png', owner: 'alice' });
      await vi.advanceTimersByTimeAsync(4_999);
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(30_000);
      expect(calls.map((at) => at - start)).toEqual([0, 5_000, 35_000]);
      await webhooks.drain();
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not follow a redirect: a 3xx is a failed attempt and its target is never asked', async () => {
    const elsewhere = await receiver();
    try {
      hooks.reply((res) => res.writeHead(307, { location: `${elsewhere.url}/stolen` }).end());
      const { logger, lines } = recordingLogger();
      const webhooks = createWebhooks({
        urls: [hooks.url],
        secret: SECRET,
        allowPrivate: true,
        retryDelaysMs: [],
        logger,
      });
      webhooks.emit('file.uploaded', { key: 'd.png', owner: 'alice' });
      await webhooks.drain();
      expect(elsewhere.deliveries).toHaveLength(0);
      expect(lines.find((l) => l.level === 'error')?.object.problem).toBe('HTTP 307');
    } finally {
      await elsewhere.close();
    }
  });

  it('a receiver that never answers is cut after timeoutMs', async () => {
    hooks.reply(() => {});
    const { logger, lines } = recordingLogger();
    const webhooks = createWebhooks({
      urls: [hooks.url],
      secret: SECRET,
      allowPrivate: true,
      retryDelaysMs: [],
      timeoutMs: 200,
      logger,
    });
    webhooks.emit('file.uploaded', { key: 'e.png', owner: 'alice' });
    await webhooks.drain();
    expect(lines.find((l) => l.level === 'error')?.object.problem).toBe('no answer in 200 ms');
  });
});

describe('bad settings', () => {
  it.each([
    ['ftp://hooks.example.com/in', /is ftp, not http\(s\)/],
    ['not a url', /is not a URL: write it as https:\/\/host\/path/],
    [
      'http://127.0.0.1:9000/in',
      /points at the loopback address 127\.0\.0\.1: use a public receiver, or set WEBHOOK_ALLOW_PRIVATE=true/,
    ],
    ['http://localhost/in', /points at 'localhost', this machine/],
    ['http://[::ffff:10.0.0.8]/in', /the private address/],
    ['http://169.254.169.254/latest/meta-data', /the linkLocal address 169\.254\.169\.254/],
    ['http://192.168.1.20/in', /the private address 192\.168\.1\.20/],
  ])('refuses the receiver %s, naming it', (url, message) => {
    expect(() => createWebhooks({ urls: [url], secret: SECRET })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG', message: expect.stringMatching(message) }),
    );
  });

  it('refuses a secret that is not whsec_ and base64, and says how to make one', () => {
    expect(() =>
      createWebhooks({ urls: ['https://hooks.example.com'], secret: 'whsec_not base64!' }),
    ).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG', message: expect.stringContaining('randomBytes(32)') }),
    );
  });

  it('WEBHOOK_URLS without WEBHOOK_SECRET stops the start naming the variable', () => {
    expect(() => serverSettingsFromEnv({ WEBHOOK_URLS: 'https://hooks.example.com/in' })).toThrow(
      /WEBHOOK_URLS is set but WEBHOOK_SECRET is not/,
    );
    expect(
      serverSettingsFromEnv({
        WEBHOOK_URLS: 'https://a.example.com, https://b.example.com',
        WEBHOOK_SECRET: SECRET,
      }).webhooks,
    ).toEqual({
      urls: ['https://a.example.com', 'https://b.example.com'],
      secret: SECRET,
      allowPrivate: false,
    });
  });

  it('a receiver whose name resolves to a private address is refused at start', async () => {
    await expect(checkWebhookHosts(['http://localhost:9/in'], false)).rejects.toMatchObject({
      code: 'ERR_CONFIG',
      message: expect.stringContaining("'http://localhost:9/in' resolves to the loopback address 127.0.0.1"),
    });
    await expect(checkWebhookHosts(['http://localhost:9/in'], true)).resolves.toBeUndefined();
  });
});
