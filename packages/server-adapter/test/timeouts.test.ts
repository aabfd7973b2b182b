/**
 * Timeouts blame the right side: the client's silence while its body is read is the idle timeout, storage's silence
 * is the storage timeout (504, upload aborted), a provider's throttling is a 503 with Retry-After, and Node's header
 * and request timeouts are enforced within about a second.
 */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { createUploader, type ObjectStore, type PutOptions } from '@bytedrop/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler } from '../src/handler';
import { type RunningServer, serve } from '../src/node';
import { KEY, type LocalFixture, localFixture, ORIGIN, SECRET } from './_support/fixtures';

let fx: LocalFixture;
beforeEach(async () => {
  fx = await localFixture();
});
afterEach(async () => {
  vi.useRealTimers();
  await fx.dispose();
});

/** Resolves when `signal` aborts, rejecting with its reason. */
const aborted = (signal: AbortSignal | undefined) =>
  new Promise<never>((_, reject) => {
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

/** Calls `onStall` once the store has written the body's first bytes, then stalls like a hung provider. */
function stallingStore(store: ObjectStore, onStall: () => void): ObjectStore {
  return {
    ...store,
    kind: store.kind,
    put: (key: string, body: Parameters<ObjectStore['put']>[1], options: PutOptions) =>
      store.put(
        key,
        (async function* () {
          yield body as Uint8Array;
          onStall();
          await aborted(options.signal);
        })(),
        options,
      ),
  };
}

const put = (name: string, body: BodyInit) =>
  new Request(`${ORIGIN}/upload/${name}`, {
    method: 'PUT',
    body,
    headers: { authorization: KEY },
    duplex: 'half',
  } as RequestInit);

describe('the storage timeout', () => {
  it('answers 504 ERR_TIMEOUT when storage stalls, aborts the upload and leaves nothing', async () => {
    // Fake timers: the clock runs out when the test says so, once storage is known to stall, never by load.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let stall!: () => void;
    const stalled = new Promise<void>((resolve) => {
      stall = resolve;
    });
    const store = stallingStore(fx.store, stall);
    const handler = createHandler({
      uploader: createUploader({ bucket: 'local-disk' }, { store }),
      store,
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
      storageTimeoutMs: 50,
    });
    const answer = handler(put('a.txt', 'stored halfway'));
    await stalled;
    await vi.advanceTimersByTimeAsync(50);
    const response = await answer;
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({
      code: 'ERR_TIMEOUT',
      msg: /storage did not answer for 0\.1 s.*STORAGE_TIMEOUT_S/,
    });
    vi.useRealTimers();
    expect(await fx.allFiles()).toEqual([]);
    // And it keeps serving.
    expect((await fx.handler(put('b.txt', 'b'))).status).toBe(200);
  });

  it('does not count the time spent waiting for a slow client', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const handler = createHandler({
      uploader: createUploader({ bucket: 'local-disk' }, { store: fx.store }),
      store: fx.store,
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
      storageTimeoutMs: 1000,
    });
    let pulls = 0;
    let pulled!: () => void;
    const waiting = new Promise<void>((resolve) => {
      pulled = resolve;
    });
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
        c.enqueue(new TextEncoder().encode('first half, '));
      },
      pull() {
        // The second pull is the uploader waiting for bytes the client has not sent yet.
        if (++pulls === 2) pulled();
      },
    });
    const response = handler(put('slow.txt', body));
    await waiting;
    await vi.advanceTimersByTimeAsync(60_000);
    controller.enqueue(new TextEncoder().encode('second half'));
    controller.close();
    const answered = await response;
    expect(answered.status).toBe(200);
    const key = ((await answered.json()) as { files: { key: string }[] }).files[0]!.key;
    expect(await fx.objects()).toEqual([key]);
  });
});

describe("a provider's throttling", () => {
  let provider: Server;
  let endpoint: string;
  beforeEach(async () => {
    // An S3 endpoint that asks every request to slow down, as S3 does with 503 SlowDown.
    provider = createServer((request, response) => {
      request.resume();
      response.writeHead(503, { 'content-type': 'application/xml' });
      response.end(
        request.method === 'HEAD'
          ? undefined
          : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
      );
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(provider.address() as { port: number }).port}`;
    delete process.env.AWS_CA_BUNDLE;
  });
  afterEach(() => new Promise((resolve) => provider.close(resolve)));

  it('is a 503 ERR_THROTTLED with Retry-After, not a 502', async () => {
    const handler = createHandler({
      uploader: createUploader(
        {
          provider: 'minio',
          endpoint,
          bucket: 'b',
          accessKeyId: 'k',
          secretAccessKey: 's',
          forcePathStyle: true,
        },
        { clientConfig: { maxAttempts: 1 } },
      ),
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
    });
    const response = await handler(put('a.txt', 'a'));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({ code: 'ERR_THROTTLED' });
  });
});

describe('the Node runner', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close(true);
    server = undefined;
  });

  /** Sends `head` (and `body`) on a raw socket and resolves with what came back once the server closed it. */
  const exchange = (port: number, head: string, trickle?: string) =>
    new Promise<string>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      let received = '';
      let timer: ReturnType<typeof setInterval> | undefined;
      socket.on('data', (chunk) => {
        received += chunk;
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        resolve(received);
      });
      socket.write(head);
      // A client that keeps sending, a byte at a time: never idle, just too slow for the request timeout.
      if (trickle) timer = setInterval(() => socket.write(trickle), 50);
    });

  it('keeps the connection of a client that sent everything while storage takes its time', async () => {
    let entered!: () => void;
    const storing = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const store: ObjectStore = {
      ...fx.store,
      kind: fx.store.kind,
      put: async (key, body, options) => {
        const result = await fx.store.put(key, body, options);
        entered();
        await gate;
        return result;
      },
    };
    server = await serve({
      port: 0,
      hostname: '127.0.0.1',
      uploader: createUploader({ bucket: 'local-disk' }, { store }),
      store,
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
      idleTimeout: 200,
    });
    const upload = fetch(`${server.url}/upload/held.txt`, {
      method: 'PUT',
      body: 'all sent',
      headers: { authorization: KEY },
    });
    await storing;
    // A second client goes silent mid-body after the first one finished sending: once the idle timeout has closed
    // it, the first one has been quiet for longer than that too.
    const silent = await exchange(
      server.port,
      `PUT /upload/silent.txt HTTP/1.1\r\nHost: x\r\nAuthorization: ${KEY}\r\nContent-Length: 100\r\n\r\npart`,
    );
    expect(silent).toBe('');
    release();
    const response = await upload;
    expect(response.status).toBe(200);
    expect((await response.json()) as { success: boolean }).toMatchObject({ success: true });
  });

  it('enforces HEADERS_TIMEOUT_S within about a second, not after Node’s 30 s check', async () => {
    server = await serve({
      port: 0,
      hostname: '127.0.0.1',
      uploader: createUploader({ bucket: 'local-disk' }, { store: fx.store }),
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
      headersTimeout: 300,
      requestTimeout: 600,
    });
    const reply = await exchange(server.port, 'GET /health HTTP/1.1\r\nHost: x\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    // The bound is Node's 30 s check, with room for a loaded machine: under it, the 1 s check did the work.
  }, 20_000);

  it('enforces REQUEST_TIMEOUT_S on a client that trickles its body, leaving nothing', async () => {
    server = await serve({
      port: 0,
      hostname: '127.0.0.1',
      uploader: createUploader({ bucket: 'local-disk' }, { store: fx.store }),
      store: fx.store,
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
      headersTimeout: 300,
      requestTimeout: 600,
    });
    const reply = await exchange(
      server.port,
      `PUT /upload/trickle.txt HTTP/1.1\r\nHost: x\r\nAuthorization: ${KEY}\r\nContent-Length: 100000\r\n\r\n`,
      'x',
    );
    // Closed by the server (the client never stops sending): with a 408 when Node could still write one.
    expect(reply === '' || reply.startsWith('HTTP/1.1 408')).toBe(true);
    expect(await fx.objects()).toEqual([]);
  }, 20_000);

  it('warns at start when TRUST_PROXY is a hop count and the server listens beyond loopback', async () => {
    const warnings: string[] = [];
    const logger = {
      info() {},
      error() {},
      warn: (_o: Record<string, unknown>, m?: string) => warnings.push(m ?? ''),
    };
    const options = {
      port: 0,
      uploader: createUploader({ bucket: 'local-disk' }, { store: fx.store }),
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
      logger,
    };
    server = await serve({ ...options, hostname: '127.0.0.1', trustProxy: { hops: 1 } });
    await server.close(true);
    server = await serve({ ...options, hostname: '0.0.0.0', trustProxy: { addresses: ['10.0.0.5'] } });
    await server.close(true);
    expect(warnings).toEqual([]);
    server = await serve({ ...options, hostname: '0.0.0.0', trustProxy: { hops: 1 } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/TRUST_PROXY=1 .*listens beyond loopback.*HOST.*TRUST_PROXY=10\.0\.0\.5/);
  });
});
