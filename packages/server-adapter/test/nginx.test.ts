import { readdir, readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createUploader, type Uploader } from '@bytedrop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../src/node';
import { KEY, type LocalFixture, localFixture, SECRET } from './_support/fixtures';
import { type RawResponse, readResponse, waitFor } from './_support/net';
import { type Nginx, SITE, startNginx } from './_support/nginx';

const MiB = 1024 * 1024;

interface Exchange extends RawResponse {
  /** Body bytes the client had written when the answer came. */
  sent: number;
}

describe('deploy/nginx/bytedrop.conf in front of the server', () => {
  let nginx: Nginx;
  let nginxPort: number;
  let fx: LocalFixture;
  let server: RunningServer;
  let received = 0;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    fx = await localFixture();
    const real = createUploader({ bucket: 'local-disk' }, { store: fx.store });
    // Counts the body bytes as the uploader reads them: what the server has received so far.
    const uploader: Uploader = {
      upload: (body, options) =>
        real.upload(
          (async function* () {
            for await (const chunk of body as AsyncIterable<Uint8Array>) {
              received += chunk.length;
              yield chunk;
            }
          })(),
          options,
        ),
    };
    const log = (object: Record<string, unknown>, message?: string) => lines.push({ ...object, message });
    server = await serve({
      port: 0,
      hostname: '127.0.0.1',
      uploader,
      store: fx.store,
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
      maxFileSize: 200 * MiB,
      trustProxy: { addresses: ['loopback'] },
      // The clients here are 127.0.0.x, loopback like nginx: bans must count them all the same.
      banLoopback: true,
      logger: { info: log, warn: log, error: log },
    });

    nginx = await startNginx(server.port);
    nginxPort = nginx.port;
  });
  afterAll(async () => {
    await nginx?.stop();
    await server?.close(true);
    await fx?.dispose();
  });

  /**
   * One request through nginx from `from` (a loopback address of the client's own). The body's first `first`
   * bytes go at once; `rest()` (called once the test has seen what it waits for) sends the others.
   */
  const through = (
    from: string,
    options: {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      total?: number;
      first?: number;
      rest?: () => Promise<void>;
    } = {},
  ) =>
    new Promise<Exchange>((resolve, reject) => {
      const total = options.total ?? 0;
      let sent = 0;
      const req = httpRequest({
        host: '127.0.0.1',
        port: nginxPort,
        localAddress: from,
        method: options.method ?? 'GET',
        path: options.path ?? '/auth',
        headers: { ...options.headers, ...(total ? { 'content-length': String(total) } : {}) },
      });
      req.on('response', (response) =>
        readResponse(response).then((raw) => resolve({ ...raw, sent }), reject),
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(MiB, 5);
      const send = async (bytes: number) => {
        for (let done = 0; done < bytes; done += chunk.length) {
          const piece = chunk.subarray(0, Math.min(chunk.length, bytes - done));
          sent += piece.length;
          if (!req.write(piece)) await new Promise((resolve) => req.once('drain', resolve));
        }
      };
      (async () => {
        const first = Math.min(options.first ?? total, total);
        await send(first);
        await options.rest?.();
        await send(total - first);
        req.end();
      })().catch(reject);
    });

  const requestLines = () => lines.filter((line) => line.message === 'request');

  it('keeps the client address (TRUST_PROXY=loopback) and one request id from nginx to the server log', async () => {
    const response = await through('127.0.0.7', {
      method: 'PUT',
      path: '/upload/hello.txt',
      headers: { authorization: `Bearer ${KEY}` },
      total: 11,
    });
    expect(response.status).toBe(200);
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f]{32}$/); // nginx's $request_id
    expect(requestLines().at(-1)).toMatchObject({ client: '127.0.0.7', requestId: id, status: 200 });
  });

  it('does not let a spoofed X-Forwarded-For dodge a ban', async () => {
    for (let i = 1; i <= 3; i++) {
      const wrong = await through('127.0.0.8', {
        headers: { authorization: `Bearer wrong-key-${i}`, 'x-forwarded-for': `203.0.113.${i}` },
      });
      expect(wrong.status).toBe(401);
    }
    const banned = await through('127.0.0.8', {
      headers: { authorization: `Bearer ${KEY}`, 'x-forwarded-for': '198.51.100.1' },
    });
    expect(banned.status).toBe(403);
    expect(Number(banned.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(banned.body)).toMatchObject({ msg: /your address \(127\.0\.0\.8\)/ });
    // The ban is that client's, not the proxy's: another client through the same nginx is served.
    expect((await through('127.0.0.9', { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
  });

  it('streams a 100 MiB upload: the server has bytes before the client is done, and nginx keeps no temp file', async () => {
    const total = 100 * MiB;
    received = 0;
    let seenEarly = false;
    const response = await through('127.0.0.10', {
      method: 'PUT',
      path: '/upload/big.bin',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/octet-stream' },
      total,
      first: 16 * MiB,
      // With request buffering on, nginx would pass nothing on before the whole body is in: this wait would fail.
      rest: async () => {
        await waitFor(
          'the server to receive the first bytes while the client still holds the rest',
          () => received >= 8 * MiB,
        );
        seenEarly = true;
      },
    });
    expect(seenEarly).toBe(true);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ files: [{ size: total }] });
    expect(received).toBe(total);
    expect(await readdir(nginx.bodyTemp).catch(() => [])).toEqual([]);
  });

  it('refuses a body over client_max_body_size before it is sent', async () => {
    const site = await readFile(SITE, 'utf8');
    const limit = Number(/^\s*client_max_body_size (\d+)m;$/m.exec(site)![1]) * MiB;
    // At least MAX_FILE_SIZE_MB × MAX_FILES by default, as the comment there says.
    expect(limit).toBeGreaterThanOrEqual(100 * MiB * 10);
    const over = await through('127.0.0.11', {
      method: 'PUT',
      path: '/upload/huge.bin',
      headers: { authorization: `Bearer ${KEY}`, 'content-length': String(limit + 1) },
      total: 0,
    });
    expect(over.status).toBe(413);
  });
});
