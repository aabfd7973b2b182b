import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { toBytedropError } from '@bytedrop/core';
import { describe, expect, it } from 'vitest';
import { createRequestUrlFetch } from '../src/request-fetch';
import { RequestUrlHandler } from '../src/request-handler';
import { requestLog, requestUrl } from './fake-obsidian';
import { useS3rverAndCleanFakes } from './helpers';

const s3 = useS3rverAndCleanFakes();

function client(secretAccessKey = s3.secretAccessKey): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new RequestUrlHandler(),
    maxAttempts: 1,
  });
}

describe('RequestUrlHandler (the SDK over requestUrl, against real s3rver)', () => {
  it('puts, heads, gets and deletes an object, every request going through requestUrl with throw: false', async () => {
    const bytes = new TextEncoder().encode('hello from obsidian');
    const s3Client = client();
    await s3Client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: 'a b/ü.txt', Body: bytes, ContentType: 'text/plain' }),
    );
    const head = await s3Client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'a b/ü.txt' }));
    expect(head.ContentLength).toBe(bytes.length);
    expect(head.ContentType).toBe('text/plain');
    const got = await s3Client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'a b/ü.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello from obsidian');
    await s3Client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: 'a b/ü.txt' }));

    expect(requestLog.map((request) => request.method)).toEqual(['PUT', 'HEAD', 'GET', 'DELETE']);
    expect(requestLog.every((request) => request.throw === false)).toBe(true);
    // The server saw the same four requests, at the encoded key.
    const atServer = s3.requests.filter((request) => request.url.includes('/a%20b/'));
    expect(atServer.map((request) => request.method)).toEqual(['PUT', 'HEAD', 'GET', 'DELETE']);
  });

  it("lets S3's XML error reach the SDK: a wrong secret is SignatureDoesNotMatch, a missing bucket NoSuchBucket", async () => {
    await expect(
      client('wrong-secret').send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'x', Body: 'x' })),
    ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    await expect(
      client().send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'x', Body: 'x' })),
    ).rejects.toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
  });

  it('turns a request that got no answer (net::ERR_CONNECTION_REFUSED) into a network error the SDK retries', async () => {
    // A port nothing listens on: requestUrl rejects as Electron's net does, with no code the SDK or core knows.
    const closed = await import('node:net').then(
      ({ createServer }) =>
        new Promise<number>((resolve) => {
          const server = createServer().listen(0, '127.0.0.1', () => {
            const { port } = server.address() as { port: number };
            server.close(() => resolve(port));
          });
        }),
    );
    const refused = new S3Client({
      endpoint: `http://127.0.0.1:${closed}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      requestHandler: new RequestUrlHandler(),
      maxAttempts: 2,
    });
    const error: unknown = await refused
      .send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'x' }))
      .catch((caught: unknown) => caught);
    // The SDK retried it (a transient network failure), and core names it as one.
    expect(requestLog).toHaveLength(2);
    expect(error).toMatchObject({
      code: 'ECONNREFUSED',
      message: expect.stringContaining('net::ERR_CONNECTION_REFUSED'),
    });
    expect(toBytedropError(error).code).toBe('ERR_NETWORK');
  });

  it('sends Blob and stream bodies as ArrayBuffers (requestUrl takes nothing else)', async () => {
    const s3Client = client();
    await s3Client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: 'blob.bin',
        Body: new Blob([new Uint8Array([1, 2, 3])]),
      }),
    );
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([4, 5]));
        controller.enqueue(new Uint8Array([6]));
        controller.close();
      },
    });
    await s3Client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: 'stream.bin', Body: stream, ContentLength: 3 }),
    );
    const blob = await s3Client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'blob.bin' }));
    const streamed = await s3Client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'stream.bin' }));
    expect([...((await blob.Body?.transformToByteArray()) ?? [])]).toEqual([1, 2, 3]);
    expect([...((await streamed.Body?.transformToByteArray()) ?? [])]).toEqual([4, 5, 6]);
    expect(requestLog.filter((r) => r.method === 'PUT').every((r) => r.body instanceof ArrayBuffer)).toBe(
      true,
    );
  });

  it('rejects with an AbortError as soon as the signal fires', async () => {
    const controller = new AbortController();
    let release: () => void = () => {};
    const handler = new RequestUrlHandler(
      (param) => new Promise((resolve) => (release = () => resolve(requestUrl(param)))),
    );
    const s3Client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      requestHandler: handler,
      maxAttempts: 1,
    });
    const pending = s3Client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'blob.bin' }), {
      abortSignal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    release();
  });

  it('does not send a request whose signal fired while its stream body was being read', async () => {
    const controller = new AbortController();
    const sent: unknown[] = [];
    const handler = new RequestUrlHandler(async (param) => {
      sent.push(param);
      return requestUrl(param);
    });
    const body = new ReadableStream<Uint8Array>({
      pull(stream) {
        controller.abort();
        stream.enqueue(new Uint8Array([1, 2, 3]));
        stream.close();
      },
    });
    const request = {
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: s3.port,
      method: 'PUT',
      path: `/${s3.bucket}/aborted-while-read.bin`,
      query: {},
      headers: {},
      body,
    } as unknown as Parameters<RequestUrlHandler['handle']>[0];
    await expect(handler.handle(request, { abortSignal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(sent).toEqual([]);
  });
});

describe('createRequestUrlFetch (fetch over requestUrl, for the server target)', () => {
  it('sends a multipart FormData body with its boundary and returns status, headers and body', async () => {
    const server = await import('node:http').then(({ createServer }) =>
      createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          res.writeHead(201, {
            'content-type': 'application/json',
            'x-seen': String(req.headers.authorization),
          });
          res.end(
            JSON.stringify({
              contentType: req.headers['content-type'],
              body: Buffer.concat(chunks).toString(),
            }),
          );
        });
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const form = new FormData();
      form.append('file', new Blob(['PNGDATA'], { type: 'image/png' }), 'shot.png');
      const response = await createRequestUrlFetch()(`http://127.0.0.1:${port}/upload`, {
        method: 'POST',
        headers: { Authorization: 'Bearer k' },
        body: form,
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('x-seen')).toBe('Bearer k');
      const echoed = (await response.json()) as { contentType: string; body: string };
      const boundary = /boundary=(.+)$/.exec(echoed.contentType)?.[1];
      expect(boundary).toBeTruthy();
      expect(echoed.body).toContain(`--${boundary}`);
      expect(echoed.body).toContain('filename="shot.png"');
      expect(echoed.body).toContain('PNGDATA');
      expect(requestLog.at(-1)?.throw).toBe(false);
    } finally {
      server.close();
    }
  });
});
