import { appendFileSync, utimesSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BytedropError } from '../src/errors';
import { openFile, uploadFile } from '../src/node/file';
import { createServerUploader } from '../src/server-uploader';
import { bytes, iterable, sameBytes } from './_support/s3';

/** What the stub saw of one request, with the multipart body parsed by the platform's own parser. */
interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  keepMetadata: string | undefined;
  contentType: string;
  fields: string[];
  file: File | undefined;
  /** The whole body as sent (a raw PUT's file). */
  raw: Buffer;
}

type Reply = (res: ServerResponse) => void;

let server: Server;
let base: string;
const seen: Seen[] = [];
let reply: Reply;

const json =
  (status: number, body: unknown): Reply =>
  (res) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

const success = json(200, {
  success: true,
  msg: 'success',
  url: 'http://files.test/2024/05/01/shot-1a2b3c4d.png',
  result: ['http://files.test/2024/05/01/shot-1a2b3c4d.png'],
  files: [
    {
      url: 'http://files.test/2024/05/01/shot-1a2b3c4d.png',
      key: '2024/05/01/shot-1a2b3c4d.png',
      size: 123,
      hash: 'ab'.repeat(32),
      contentType: 'image/png',
      deduplicated: true,
      filename: 'shot.png',
      deleteUrl: 'http://files.test/files/2024/05/01/shot-1a2b3c4d.png?token=t',
    },
  ],
});

async function record(req: IncomingMessage): Promise<Seen> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const contentType = req.headers['content-type'] ?? '';
  const raw = Buffer.concat(chunks);
  const form = await new Response(raw, { headers: { 'content-type': contentType } })
    .formData()
    .catch(() => undefined);
  const file = form?.get('file');
  return {
    method: req.method ?? '',
    url: req.url ?? '',
    authorization: req.headers.authorization,
    keepMetadata: req.headers['keep-metadata'] as string | undefined,
    contentType,
    fields: form ? [...form.keys()] : [],
    file: file instanceof File ? file : undefined,
    raw,
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    record(req).then((request) => {
      seen.push(request);
      reply(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen.length = 0;
  reply = success;
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the upload should have failed'),
    (error: unknown) => error as BytedropError,
  );

describe('createServerUploader', () => {
  it('POSTs multipart field "file" to /upload with a Bearer key, and maps files[0]', async () => {
    const data = bytes(5000);
    const progress: number[] = [];
    const result = await createServerUploader({ url: `${base}/`, accessKey: 'secret-key' }).upload(data, {
      filename: 'shot.png',
      onProgress: (p) => progress.push(p.loaded),
    });
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request).toMatchObject({ method: 'POST', url: '/upload', authorization: 'Bearer secret-key' });
    expect(request?.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(request?.fields).toEqual(['file']);
    expect(request?.file?.name).toBe('shot.png');
    expect(sameBytes(new Uint8Array((await request?.file?.arrayBuffer()) ?? new ArrayBuffer(0)), data)).toBe(
      true,
    );
    expect(result).toEqual({
      key: '2024/05/01/shot-1a2b3c4d.png',
      url: 'http://files.test/2024/05/01/shot-1a2b3c4d.png',
      size: 123,
      hash: 'ab'.repeat(32),
      contentType: 'image/png',
      deduplicated: true,
      filename: 'shot.png',
      deleteUrl: 'http://files.test/files/2024/05/01/shot-1a2b3c4d.png?token=t',
    });
    expect(progress).toEqual([123]);
  });

  it('sends one-shot streams and Blobs whole', async () => {
    const data = bytes(300_000);
    const uploader = createServerUploader({ url: base, accessKey: 'k' });
    await uploader.upload(iterable(data), { filename: 'a.bin' });
    await uploader.upload(new Blob([data]), { filename: 'b.bin' });
    for (const request of seen) {
      expect(sameBytes(new Uint8Array((await request.file?.arrayBuffer()) ?? new ArrayBuffer(0)), data)).toBe(
        true,
      );
    }
    expect(seen.map((r) => r.file?.name)).toEqual(['a.bin', 'b.bin']);
  });

  it('sends a file from openFile as the raw body of PUT /upload/<name>, whole, with its type', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bytedrop-server-uploader-'));
    const data = bytes(300_000);
    await writeFile(join(dir, 'shot 1.png'), data);
    try {
      const file = await openFile(join(dir, 'shot 1.png'), { type: 'image/png' });
      await createServerUploader({ url: base, accessKey: 'k' }).upload(file, { filename: 'shot 1.png' });
      expect(seen[0]).toMatchObject({
        method: 'PUT',
        url: '/upload/shot%201.png',
        authorization: 'Bearer k',
        contentType: 'image/png',
      });
      expect(sameBytes(new Uint8Array(seen[0]?.raw ?? []), data)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a file that changes during its send fails with ERR_INPUT naming it, and the process lives on', async () => {
    // Node 22+'s fetch crashes the process when a FormData part fails to read (nodejs/undici#5835): this test
    // would end the whole run there, not fail, if a file on disk went as FormData.
    const dir = await mkdtemp(join(tmpdir(), 'bytedrop-server-uploader-'));
    const path = join(dir, 'growing.bin');
    await writeFile(path, bytes(1024 * 1024));
    // The change lands when the request is handed to fetch, before fetch reads a byte of the file: no race with
    // how much of the body sockets buffer. The append changes the size, which every read of the file Blob
    // compares; the later date makes the mtime disagree too, as a write seconds later would (times tick coarsely).
    const changeThenFetch: typeof fetch = (input, init) => {
      appendFileSync(path, 'more');
      utimesSync(path, new Date(), new Date(Date.now() + 60_000));
      return fetch(input, init);
    };
    try {
      const uploader = createServerUploader({ url: base, accessKey: 'k', fetch: changeThenFetch });
      const error = await failure(uploadFile(uploader, path));
      expect(error).toMatchObject({ code: 'ERR_INPUT' });
      expect(error.message).toContain('growing.bin');
      expect(error.message).toContain('changed or disappeared while it was being uploaded');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [413, 'ERR_TOO_LARGE', "'big.bin' is larger than 100 MB: upload a smaller file"],
    [401, 'ERR_AUTH', 'wrong access key: check the key you were given'],
    [403, 'ERR_FORBIDDEN', 'banned for 1 hour after 3 wrong keys'],
    [415, 'ERR_UNSUPPORTED_TYPE', "'a.svg' is image/svg+xml, which this server does not accept"],
  ])(
    'a %i refusal becomes a BytedropError with the server code %s, its message and the status',
    async (status, code, msg) => {
      reply = json(status, { success: false, msg, code });
      const error = await failure(
        createServerUploader({ url: base, accessKey: 'k' }).upload(bytes(1), { filename: 'a' }),
      );
      expect(error).toMatchObject({ name: 'BytedropError', code, status });
      expect(error.message).toContain(msg);
      expect(error.message).toContain(base);
    },
  );

  it('an unknown server code falls back to the status and is kept as s3Code', async () => {
    reply = json(500, {
      success: false,
      msg: 'internal server error: see the server log',
      code: 'ERR_INTERNAL',
    });
    const error = await failure(
      createServerUploader({ url: base, accessKey: 'k' }).upload(bytes(1), { filename: 'a' }),
    );
    expect(error).toMatchObject({ code: 'ERR_PROVIDER', status: 500, s3Code: 'ERR_INTERNAL' });
  });

  it('a proxy error page (not JSON) is ERR_PROVIDER with the status and a hint', async () => {
    reply = (res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
    const error = await failure(
      createServerUploader({ url: base, accessKey: 'k' }).upload(bytes(1), { filename: 'a' }),
    );
    expect(error).toMatchObject({ code: 'ERR_PROVIDER', status: 502 });
    expect(error.message).toContain("check that 'url' points at a Bytedrop server");
  });

  it('a server that is not running is ERR_NETWORK naming the url', async () => {
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(down.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => down.close(() => resolve()));
    const error = await failure(
      createServerUploader({ url, accessKey: 'k' }).upload(bytes(1), { filename: 'a' }),
    );
    expect(error.code).toBe('ERR_NETWORK');
    expect(error.message).toContain(`could not reach the Bytedrop server at ${url} (ECONNREFUSED)`);
  });

  it('an AbortSignal rejects with ERR_ABORTED', async () => {
    reply = () => undefined; // never answers
    const controller = new AbortController();
    const upload = createServerUploader({ url: base, accessKey: 'k' }).upload(bytes(1), {
      filename: 'a',
      signal: controller.signal,
    });
    while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(upload).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  it('asks the server to keep metadata (keepMetadata, or an upload’s stripMetadata: false), and maps image fields', async () => {
    reply = json(200, {
      success: true,
      files: [
        { url: 'http://files.test/a.jpg', stripped: ['gps', 'exif'], width: 40, height: 60, pixelRatio: 2 },
      ],
    });
    const stripping = createServerUploader({ url: base, accessKey: 'k' });
    const result = await stripping.upload(bytes(1), { filename: 'a.jpg' });
    expect(result).toMatchObject({ stripped: ['gps', 'exif'], width: 40, height: 60, pixelRatio: 2 });
    await stripping.upload(bytes(1), { filename: 'a.jpg', stripMetadata: false });
    const keeping = createServerUploader({ url: base, accessKey: 'k', keepMetadata: true });
    await keeping.upload(bytes(1), { filename: 'a.jpg' });
    await keeping.upload(bytes(1), { filename: 'a.jpg', stripMetadata: true });
    expect(seen.map((request) => request.keepMetadata)).toEqual([undefined, 'true', 'true', undefined]);
  });

  it('a file over tusThreshold to a server without tus (OPTIONS names no Tus-Version) goes in one POST', async () => {
    const data = bytes(3000);
    const result = await createServerUploader({ url: base, accessKey: 'k', tusThreshold: 1000 }).upload(
      data,
      {
        filename: 'shot.png',
      },
    );
    expect(seen.map((request) => [request.method, request.url])).toEqual([
      ['OPTIONS', '/tus/'],
      ['POST', '/upload'],
    ]);
    expect(result.url).toBe('http://files.test/2024/05/01/shot-1a2b3c4d.png');
  });

  it('uses the injected fetch', async () => {
    const calls: string[] = [];
    const uploader = createServerUploader({
      url: base,
      accessKey: 'k',
      fetch: (input, init) => {
        calls.push(String(input));
        return fetch(input, init);
      },
    });
    await uploader.upload(bytes(1), { filename: 'a.png' });
    expect(calls).toEqual([`${base}/upload`]);
  });

  it('bad options fail at creation with ERR_CONFIG', () => {
    expect(() => createServerUploader({ url: 'drop.example.com', accessKey: 'k' })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG', message: expect.stringContaining('no scheme') }),
    );
    expect(() => createServerUploader({ url: base, accessKey: ' ' })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG', message: expect.stringContaining('accessKey is empty') }),
    );
  });

  it('maxFileSize refuses a larger file with ERR_TOO_LARGE before anything is sent', async () => {
    const uploader = createServerUploader({ url: base, accessKey: 'k', maxFileSize: 1000 });
    for (const body of [bytes(1001), new Blob([bytes(1001)]), iterable(bytes(1001), 100)]) {
      const error = await failure(uploader.upload(body, { filename: 'big.bin' }));
      expect(error.code).toBe('ERR_TOO_LARGE');
      expect(error.message).toContain('big.bin');
    }
    expect(seen).toEqual([]);
    // Control: a file at the limit is sent.
    await uploader.upload(bytes(1000), { filename: 'fits.bin' });
    expect(seen).toHaveLength(1);
  });

  it('an empty filename is ERR_FILENAME before anything is sent', async () => {
    const error = await failure(
      createServerUploader({ url: base, accessKey: 'k' }).upload(bytes(1), { filename: '' }),
    );
    expect(error.code).toBe('ERR_FILENAME');
    expect(seen).toEqual([]);
  });
});
