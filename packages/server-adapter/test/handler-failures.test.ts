/**
 * The handler over `new Request()`: failing storage, unexpected failures, and what is logged. Core's real uploader
 * writes to a temp local-disk store.
 */
import { createUploader } from '@bytedrop/core';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createHandler } from '../src/handler';
import {
  body,
  KEY,
  type LocalFixture,
  localFixture,
  ORIGIN,
  SECRET,
  uploadRequest,
} from './_support/fixtures';

let fx: LocalFixture;
beforeEach(async () => {
  fx = await localFixture({ maxFileSize: 64 * 1024 });
});
afterEach(() => fx.dispose());

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
        // A refused connection is final here: the default six tries spent ~12 s of backoff on the same answer.
        maxAttempts: 1,
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
