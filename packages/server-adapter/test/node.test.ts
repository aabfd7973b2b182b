/**
 * The Node runner over real sockets: S3 (s3rver, inspected with our own SDK client) and local disk.
 * Covers what `new Request()` cannot: chunked bodies, disconnects, idle clients, and real clients (curl, ShareX).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createServerUploader, createUploader, isBytedropError } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import { FastResponse } from 'srvx/node';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver';
import { inspector, listKeys, openUploads, PART, s3Config } from '../../core/test/_support/s3';
import { type RunningServer, serve } from '../src/node';
import { body, KEY, PNG, SECRET } from './_support/fixtures';
import { readResponse, streamUpload, waitFor } from './_support/net';

const MiB = 1024 * 1024;
const run = promisify(execFile);

interface LogEntry {
  object: Record<string, unknown>;
  message?: string;
}

function memoryLogger() {
  const entries: LogEntry[] = [];
  const push = (object: Record<string, unknown>, message?: string) => entries.push({ object, message });
  return { entries, logger: { info: push, warn: push, error: push } };
}

describe('Node runner over S3 (s3rver)', () => {
  let s3: S3Harness;
  let server: RunningServer;
  const log = memoryLogger();
  let client: ReturnType<typeof inspector>;

  beforeAll(async () => {
    s3 = await startS3rver();
    client = inspector(s3);
    server = await serve({
      port: 0,
      hostname: '127.0.0.1',
      uploader: createUploader(s3Config(s3, { partSize: PART, queueSize: 2 })),
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
      maxFileSize: 12 * MiB,
      logger: log.logger,
      // The storage-down test below needs a fresh probe, not the last one's cached result.
      healthCacheMs: 1,
    });
  });
  afterAll(async () => {
    await server?.close(true);
    await s3?.dispose();
  });

  /** POSTs the test PNG as `name` to /upload with the access key, as the page and ShareX do. */
  const postPng = (name: string) => {
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), name);
    return fetch(`${server.url}/upload`, { method: 'POST', body: form, headers: { authorization: KEY } });
  };

  const requestsDone = (path: string) =>
    log.entries.filter((e) => e.message === 'request' && e.object.path === path);

  it('uploads through the socket and serves the object from the bucket', async () => {
    const response = await postPng('shot.png');
    const json = await body(response);
    expect(response.status).toBe(200);
    expect(json.url).toBe(`${s3.endpoint}/${s3.bucket}/${json.files[0]!.key}`);
    const stored = await fetch(json.url);
    expect(new Uint8Array(await stored.arrayBuffer())).toEqual(PNG);
  });

  it("reads the body from the IncomingMessage itself, never through srvx's web stream of it", async () => {
    // Node's web-stream adapter copies every chunk: one more copy of every upload, and GC to match.
    const iterator = vi.spyOn(IncomingMessage.prototype, 'iterator');
    const toWeb = vi.spyOn(Readable, 'toWeb');
    try {
      const response = await postPng('native.png');
      expect(response.status).toBe(200);
      expect(new Uint8Array(await (await fetch((await body(response)).url)).arrayBuffer())).toEqual(PNG);
      // Not destroyed when the handler stops early: that keeps the socket for the 413 tests below.
      expect(iterator).toHaveBeenCalledWith({ destroyOnReturn: false });
      expect(toWeb).not.toHaveBeenCalled();
    } finally {
      iterator.mockRestore();
      toWeb.mockRestore();
    }
  });

  it("answers an upload as srvx's FastResponse, with the API headers and a Content-Length", async () => {
    // Written straight to the socket: a standard Response of a string would build a web stream for srvx to read back.
    const written = vi.spyOn(FastResponse.prototype, '_toNodeResponse');
    try {
      const response = await postPng('fast.png');
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(JSON.parse(text)).toMatchObject({ success: true, files: [{ filename: 'fast.png' }] });
      expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(written).toHaveBeenCalledTimes(1);
    } finally {
      written.mockRestore();
    }
  });

  it('answers a chunked body over the limit with 413, leaving no object and no parts', async () => {
    const before = await listKeys(client, s3.bucket);
    const done = requestsDone('/upload').length;
    s3.requests.length = 0;
    // Far more than the 12 MiB limit plus what the socket buffers take in once the server stops reading (17 MiB were
    // written before the answer here): at 20 MiB, a loaded CI run had written it all before the answer came.
    const response = await streamUpload(server.url, { key: KEY, total: 200 * MiB });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ success: false, code: 'ERR_TOO_LARGE' });
    // The answer came while the client was still sending: the server stopped reading at the limit.
    expect(response.sent).toBeLessThan(100 * MiB);
    await waitFor('the request to finish', () => requestsDone('/upload').length > done);
    // It really went multipart before the limit hit, so "no parts" is a real claim.
    expect(s3.requests.some((r) => r.method === 'POST' && r.url.includes('uploads'))).toBe(true);
    expect(await openUploads(client, s3.bucket)).toEqual([]);
    expect(await listKeys(client, s3.bucket)).toEqual(before);
  });

  it('answers a Content-Length over the limit before the body is read', async () => {
    s3.requests.length = 0;
    const response = await streamUpload(server.url, { key: KEY, total: 200 * MiB, contentLength: true });
    expect(response.status).toBe(413);
    expect(response.sent).toBeLessThan(20 * MiB);
    expect(s3.requests).toEqual([]);
  });

  it('aborts when the client disconnects at 50%: no object, no parts', async () => {
    const before = await listKeys(client, s3.bucket);
    const done = requestsDone('/upload').length;
    s3.requests.length = 0;
    const total = 12 * MiB;
    const head = `--b\r\nContent-Disposition: form-data; name="file"; filename="half.bin"\r\n\r\n`;
    const req = httpRequest(`${server.url}/upload`, {
      method: 'POST',
      headers: {
        authorization: KEY,
        'content-type': 'multipart/form-data; boundary=b',
        'content-length': String(head.length + total + 8),
      },
    });
    req.on('error', () => undefined);
    req.write(head);
    const chunk = Buffer.alloc(64 * 1024, 1);
    for (let sent = 0; sent < total / 2; sent += chunk.length) {
      if (!req.write(chunk)) await new Promise((resolve) => req.once('drain', resolve));
    }
    // Half is across once the first part is on its way to S3. (Waiting for that rather than for
    // CreateMultipartUpload: an abort while that request is in flight loses its UploadId, a gap reported to core.)
    await waitFor('the first part to be sent', () =>
      s3.requests.some((r) => r.method === 'PUT' && r.url.includes('partNumber=')),
    );
    req.destroy();
    await waitFor('the server to finish the broken request', () => requestsDone('/upload').length > done);
    expect(await openUploads(client, s3.bucket)).toEqual([]);
    expect(await listKeys(client, s3.bucket)).toEqual(before);
  });

  it('closes a connection that goes silent mid-body, leaving nothing', async () => {
    // A server of its own with a short idle timeout: on the shared one, a client slowed by a loaded machine would
    // be cut mid-upload. Here the test waits for the close, whenever it comes.
    const idle = await serve({
      port: 0,
      hostname: '127.0.0.1',
      uploader: createUploader(s3Config(s3, { partSize: PART, queueSize: 2 })),
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
      idleTimeout: 300,
    });
    onTestFinished(() => idle.close(true));
    const before = await listKeys(client, s3.bucket);
    const socket = connect({ port: idle.port, host: '127.0.0.1' });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: ${KEY}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="slow.txt"\r\n\r\nslow`,
    );
    await new Promise((resolve) => socket.once('close', resolve));
    expect(await listKeys(client, s3.bucket)).toEqual(before);
  });

  it('answers malformed multipart with 400 and keeps serving', async () => {
    const send = (contentType: string, data: string) =>
      new Promise<{ status: number }>((resolve, reject) => {
        const req = httpRequest(`${server.url}/upload`, {
          method: 'POST',
          headers: { authorization: KEY, 'content-type': contentType },
        });
        req.on('response', (response) => readResponse(response).then(resolve, reject));
        req.on('error', reject);
        req.end(data);
      });
    expect((await send('multipart/form-data', '--x\r\n\r\n')).status).toBe(400);
    const fields = Array.from(
      { length: 10_000 },
      (_, i) => `--b\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nv\r\n`,
    );
    expect((await send('multipart/form-data; boundary=b', `${fields.join('')}--b--\r\n`)).status).toBe(400);
    const proto =
      '--b\r\n__proto__: x\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\n{}\r\n--b--\r\n';
    expect((await send('multipart/form-data; boundary=b', proto)).status).toBe(400);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('bans the socket address whatever X-Forwarded-For says', async () => {
    const attempt = (key: string, xff: string) =>
      fetch(`${server.url}/upload/a.txt`, {
        method: 'PUT',
        body: 'a',
        headers: { authorization: key, 'x-forwarded-for': xff },
      });
    for (let i = 0; i < 3; i++) await attempt('wrong-key', `198.51.100.${i}`);
    const response = await attempt(KEY, '198.51.100.200');
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'ERR_FORBIDDEN' });
  });

  it('answers /health with 503 while storage is down, and 200 when it is back', async () => {
    await s3.stop();
    try {
      const down = await fetch(`${server.url}/health`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'failing' });
    } finally {
      await s3.restart();
    }
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});

describe('Node runner over local disk: the clients of the Done-when list', () => {
  let dir: string;
  let server: RunningServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-node-'));
    const store = createLocalDiskStore({ dir: join(dir, 'files'), publicBaseUrl: 'http://unused/f' });
    server = await serve({
      port: 0,
      hostname: '127.0.0.1',
      uploader: createUploader({ bucket: 'local-disk' }, { store }),
      files: store,
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
      maxFileSize: 20 * MiB,
    });
  });
  afterAll(async () => {
    await server?.close(true);
    await rm(dir, { recursive: true, force: true });
  });

  it('curl, ByteGo-style: Authorization: <key>, field file, read url', async () => {
    const path = join(dir, 'shot.png');
    await writeFile(path, PNG);
    const { stdout } = await run('curl', [
      '-sS',
      '-H',
      `Authorization: ${KEY}`,
      '-F',
      `file=@${path}`,
      `${server.url}/upload`,
    ]);
    const { url } = JSON.parse(stdout) as { url: string };
    expect(url).toMatch(new RegExp(`^${server.url}/f/`));
    const { stdout: served } = await run('curl', ['-sS', url], { encoding: 'buffer' });
    expect(new Uint8Array(served)).toEqual(PNG);
  });

  it('curl -T: a raw PUT of a file larger than one part', async () => {
    const path = join(dir, 'big.bin');
    const data = Buffer.alloc(12 * MiB);
    for (let i = 0; i < data.length; i += 4096) data[i] = i % 251;
    await writeFile(path, data);
    const { stdout } = await run('curl', [
      '-sS',
      '-H',
      `Authorization: Bearer ${KEY}`,
      '-T',
      path,
      `${server.url}/upload/big.bin`,
    ]);
    const json = JSON.parse(stdout) as { success: boolean; url: string; msg: string };
    expect(json).toMatchObject({ success: true });
    const served = await fetch(json.url);
    expect(Buffer.from(await served.arrayBuffer()).equals(data)).toBe(true);
  });

  it('PicGo-style: field files, read result[0]', async () => {
    const form = new FormData();
    form.append('files', new Blob(['picgo'], { type: 'text/plain' }), 'picgo.txt');
    const response = await fetch(`${server.url}/upload`, {
      method: 'POST',
      body: form,
      headers: { 'x-picgo-secret': KEY },
    });
    const json = (await response.json()) as { result: string[] };
    expect(await (await fetch(json.result[0]!)).text()).toBe('picgo');
  });

  it('ShareX: download the .sxcu and perform the request it describes', async () => {
    const sxcu = (await (
      await fetch(`${server.url}/config/sharex.sxcu`, { headers: { authorization: `Bearer ${KEY}` } })
    ).json()) as {
      RequestMethod: string;
      RequestURL: string;
      Headers: Record<string, string>;
      Body: string;
      FileFormName: string;
      URL: string;
      DeletionURL: string;
    };
    expect(sxcu.Body).toBe('MultipartFormData');
    const form = new FormData();
    form.append(sxcu.FileFormName, new Blob([PNG], { type: 'image/png' }), 'sharex.png');
    const response = await fetch(sxcu.RequestURL, {
      method: sxcu.RequestMethod,
      headers: sxcu.Headers,
      body: form,
    });
    const json = (await response.json()) as Record<string, unknown>;
    // ShareX's {json:path} syntax, resolved the way ShareX does for a top-level field.
    const resolve = (template: string) =>
      template.replace(/\{json:([\w.]+)\}/g, (_, path: string) => String(json[path]));
    const url = resolve(sxcu.URL);
    const served = await fetch(url);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);
    // "Delete" in ShareX's history opens the DeletionURL in a browser: a page that asks, then its form deletes.
    const deletion = resolve(sxcu.DeletionURL);
    expect((await fetch(deletion)).status).toBe(200);
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(deletion, { method: 'POST' })).status).toBe(200);
    expect((await fetch(url)).status).toBe(404);
  });

  it("core's createServerUploader (the CLI, Obsidian and VS Code client) talks to it", async () => {
    const client = createServerUploader({ url: server.url, accessKey: KEY });
    const result = await client.upload(PNG, { filename: 'from-core.png' });
    expect(result).toMatchObject({
      contentType: 'image/png',
      size: PNG.byteLength,
      filename: 'from-core.png',
    });
    expect(new Uint8Array(await (await fetch(result.url)).arrayBuffer())).toEqual(PNG);
    expect(result.deleteUrl).toMatch(/\/files\/.*\?token=/);
    const wrong = createServerUploader({ url: server.url, accessKey: 'not-the-key' });
    const error = await wrong.upload(PNG, { filename: 'x.png' }).catch((e: unknown) => e);
    expect(isBytedropError(error, 'ERR_AUTH')).toBe(true);
    const large = await client
      .upload(new Uint8Array(20 * MiB + 1), { filename: 'big.bin' })
      .catch((e: unknown) => e);
    expect(isBytedropError(large, 'ERR_TOO_LARGE')).toBe(true);
  });

  it('serves an uploaded SVG with <script> as an attachment under a CSP sandbox', async () => {
    const form = new FormData();
    form.append(
      'file',
      new Blob(['<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>']),
      'x.svg',
    );
    const json = await body(
      await fetch(`${server.url}/upload`, { method: 'POST', body: form, headers: { authorization: KEY } }),
    );
    const served = await fetch(json.url);
    expect(served.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(served.headers.get('content-security-policy')).toBe('sandbox');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
