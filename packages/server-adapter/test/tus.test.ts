/**
 * The tus 1.0 endpoint on radosgw, request by request: creation, chunks across part boundaries, HEAD, the finished
 * file placed by core's uploader (Bytedrop-Url, GET as JSON), and every bad input answered with the protocol's
 * status, a message that says what to do, and nothing left in the bucket.
 */
import { createHash } from 'node:crypto';
import { createUploader } from '@bytedrop/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rgwConfig, useRgw } from '../../core/test/_support/rgw';
import { getBytes, inspector, bytes as random } from '../../core/test/_support/s3';
import type { BytedropHandler } from '../src/handler';
import { KEY, KEY2, ORIGIN } from './_support/fixtures';
import { objectsIn, rgwHandler, uploadsIn } from './_support/rgw-server';

const MiB = 1024 * 1024;
const TUS = '.bytedrop-tmp/server/tus/';
const rgw = useRgw('server-tus');

const b64 = (text: string) => Buffer.from(text).toString('base64');
const sum = (algorithm: 'sha1' | 'sha256', data: Uint8Array) =>
  `${algorithm} ${createHash(algorithm).update(data).digest('base64')}`;

function tusRequest(
  path: string,
  init: { method: string; headers?: Record<string, string>; body?: Uint8Array<ArrayBuffer> },
) {
  return new Request(`${ORIGIN}${path}`, {
    method: init.method,
    headers: { 'tus-resumable': '1.0.0', authorization: KEY, ...init.headers },
    ...(init.body ? { body: init.body } : {}),
  });
}

const create = async (handler: BytedropHandler, length: number, headers: Record<string, string> = {}) => {
  const response = await handler(
    tusRequest('/tus/', {
      method: 'POST',
      headers: {
        'upload-length': String(length),
        'upload-metadata': `filename ${b64('big.bin')}`,
        ...headers,
      },
    }),
  );
  expect(response.status, await response.clone().text()).toBe(201);
  return new URL(response.headers.get('location')!).pathname;
};

const patch = (
  handler: BytedropHandler,
  path: string,
  offset: number,
  body: Uint8Array<ArrayBuffer>,
  headers: Record<string, string> = {},
) =>
  handler(
    tusRequest(path, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/offset+octet-stream',
        'upload-offset': String(offset),
        ...headers,
      },
      body,
    }),
  );

/** The handler with 5 MiB parts and a 20 MiB limit. */
const handlerOf = () =>
  rgwHandler(rgw, { maxFileSize: 20 * MiB }, { partSize: 5 * MiB, keyTemplate: 'tus/{hash:16}.{ext}' });

/** What an upload left besides its record (kept until the sweep, for GET). */
const leftovers = async (path: string) => {
  const prefix = `${TUS}${path.split('/').pop()}`;
  return {
    objects: (await objectsIn(rgw, prefix)).filter((key) => !key.endsWith('.info')),
    uploads: await uploadsIn(rgw, prefix),
  };
};

/** Everything an upload left, its record included. */
const everything = async (path: string) => {
  const prefix = `${TUS}${path.split('/').pop()}`;
  return [...(await objectsIn(rgw, prefix)), ...(await uploadsIn(rgw, prefix))];
};

describe('tus on radosgw', () => {
  afterEach(() => vi.restoreAllMocks());

  it('advertises the protocol on OPTIONS', async () => {
    const response = await handlerOf()(new Request(`${ORIGIN}/tus/`, { method: 'OPTIONS' }));
    expect(response.status).toBe(204);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'tus-resumable': '1.0.0',
      'tus-version': '1.0.0',
      'tus-extension':
        'creation,creation-with-upload,creation-defer-length,termination,expiration,checksum,concatenation',
      'tus-max-size': String(20 * MiB),
      'tus-checksum-algorithm': 'sha1,sha256',
    });
  });

  it('takes a file in chunks across part boundaries and finishes it through core', async () => {
    const handler = handlerOf();
    const data = random(12 * MiB + 333);
    const path = await create(handler, data.byteLength);
    const cuts = [0, 3 * MiB, 10 * MiB + 7, data.byteLength];
    let last!: Response;
    let beforeLast = 0;
    for (let i = 0; i < 3; i++) {
      beforeLast = rgw.requests.length;
      last = await patch(handler, path, cuts[i]!, data.subarray(cuts[i], cuts[i + 1]), {
        'upload-checksum': sum(i === 1 ? 'sha1' : 'sha256', data.subarray(cuts[i], cuts[i + 1])),
      });
      expect(last.status, await last.clone().text()).toBe(204);
      expect(last.headers.get('upload-offset')).toBe(String(cuts[i + 1]));
      expect(last.headers.get('tus-resumable')).toBe('1.0.0');
    }
    const url = last.headers.get('bytedrop-url')!;
    const key = new URL(url).pathname.split('/').slice(2).join('/');
    expect(key).toMatch(/^tus\/[0-9a-f]{16}\.bin$/);
    expect(Buffer.from(await getBytes(inspector(rgw.direct), rgw.bucket, key)).equals(data)).toBe(true);
    // Read back once, then copied inside the storage at the version read: its bytes never went up a second time.
    const finish = rgw.requests.slice(beforeLast).filter((r) => !r.key?.startsWith(TUS));
    expect(finish.filter((r) => /^(PutObject|UploadPart|CreateMultipartUpload)$/.test(r.operation))).toEqual(
      [],
    );
    expect(
      finish.find((r) => r.operation === 'CopyObject')?.headers['x-amz-copy-source-if-match'],
    ).toBeTruthy();

    const head = await handler(tusRequest(path, { method: 'HEAD' }));
    expect(head.headers.get('upload-offset')).toBe(String(data.byteLength));
    expect(head.headers.get('cache-control')).toBe('no-store');
    const json = await handler(tusRequest(path, { method: 'GET', headers: { accept: 'application/json' } }));
    expect(await json.json()).toMatchObject({
      success: true,
      url,
      files: [{ key, size: data.byteLength, filename: 'big.bin' }],
    });
    expect(await leftovers(path)).toEqual({ objects: [], uploads: [] });
  });

  it('tells the webhooks of a finished upload once, like POST /upload, and not again on GET', async () => {
    const events: { type: string; key: string; owner: string }[] = [];
    const webhooks = {
      emit: (type: string, file: { key: string; owner: string }) =>
        void events.push({ type, key: file.key, owner: file.owner }),
      drain: async () => undefined,
    };
    const handler = rgwHandler(rgw, { webhooks }, { partSize: 5 * MiB });
    const data = random(1000);
    const path = await create(handler, data.byteLength);
    const done = await patch(handler, path, 0, data);
    const key = new URL(done.headers.get('bytedrop-url')!).pathname.split('/').slice(2).join('/');
    await handler(tusRequest(path, { method: 'GET' }));
    expect(events).toEqual([{ type: 'file.uploaded', key, owner: 'alice' }]);
  });

  it('takes the data with the creation, and a deferred length', async () => {
    const handler = handlerOf();
    const data = random(1000);
    const created = await handler(
      tusRequest('/tus/', {
        method: 'POST',
        headers: {
          'upload-defer-length': '1',
          'content-type': 'application/offset+octet-stream',
          'upload-metadata': `filename ${b64('deferred.bin')},filetype ${b64('application/octet-stream')}`,
        },
        body: data.subarray(0, 400),
      }),
    );
    expect(created.status).toBe(201);
    expect(created.headers.get('upload-offset')).toBe('400');
    const path = new URL(created.headers.get('location')!).pathname;
    expect((await handler(tusRequest(path, { method: 'HEAD' }))).headers.get('upload-defer-length')).toBe(
      '1',
    );
    const done = await patch(handler, path, 400, data.subarray(400), { 'upload-length': '1000' });
    expect(done.status).toBe(204);
    const key = new URL(done.headers.get('bytedrop-url')!).pathname.split('/').slice(2).join('/');
    expect(key).toMatch(/^tus\/[0-9a-f]{16}\.bin$/);
    expect(Buffer.from(await getBytes(inspector(rgw.direct), rgw.bucket, key)).equals(data)).toBe(true);
  });

  it('answers bad input with the protocol status and a clear message, and keeps nothing of it', async () => {
    const handler = handlerOf();
    const data = random(6 * MiB);
    const path = await create(handler, data.byteLength);
    const first = await patch(handler, path, 0, data.subarray(0, MiB));
    expect(first.status).toBe(204);

    const wrongOffset = await patch(handler, path, 5, data.subarray(5, 10));
    expect(wrongOffset.status).toBe(409);
    expect((await wrongOffset.json()).msg).toMatch(/HEAD it and resume from there/);

    const wrongSum = await patch(handler, path, MiB, data.subarray(MiB), {
      'upload-checksum': sum('sha1', data.subarray(0, 5)),
    });
    expect(wrongSum.status).toBe(460);
    expect(wrongSum.headers.get('tus-resumable')).toBe('1.0.0');
    expect((await wrongSum.json()).msg).toMatch(/does not match its Upload-Checksum.*offset 1048576/);
    const head = await handler(tusRequest(path, { method: 'HEAD' }));
    expect(head.headers.get('upload-offset')).toBe(String(MiB));

    const other = await handler(
      new Request(`${ORIGIN}${path}`, {
        method: 'HEAD',
        headers: { 'tus-resumable': '1.0.0', authorization: KEY2 },
      }),
    );
    expect(other.status).toBe(403);
    const otherPatch = await handler(
      new Request(`${ORIGIN}${path}`, {
        method: 'PATCH',
        headers: {
          'tus-resumable': '1.0.0',
          authorization: KEY2,
          'content-type': 'application/offset+octet-stream',
          'upload-offset': String(MiB),
        },
        body: data.subarray(MiB),
      }),
    );
    expect(otherPatch.status).toBe(403);
    expect((await otherPatch.json()).msg).toMatch(/belongs to another access key/);

    const otherDelete = await handler(
      new Request(`${ORIGIN}${path}`, {
        method: 'DELETE',
        headers: { 'tus-resumable': '1.0.0', authorization: KEY2 },
      }),
    );
    expect(otherDelete.status).toBe(403);

    const wrongType = await patch(handler, path, MiB, data.subarray(MiB), {
      'content-type': 'application/octet-stream',
    });
    expect(wrongType.status).toBe(415);
    const noVersion = await handler(
      new Request(`${ORIGIN}${path}`, { method: 'HEAD', headers: { authorization: KEY } }),
    );
    expect(noVersion.status).toBe(412);
    expect(noVersion.headers.get('tus-version')).toBe('1.0.0');

    const tooLong = await handler(
      tusRequest('/tus/', { method: 'POST', headers: { 'upload-length': String(20 * MiB + 1) } }),
    );
    expect(tooLong.status).toBe(413);
    expect((await tooLong.json()).msg).toMatch(/larger than the 20971520-byte limit/);
    const badMeta = await handler(
      tusRequest('/tus/', {
        method: 'POST',
        headers: { 'upload-length': '5', 'upload-metadata': 'filename not*base64' },
      }),
    );
    expect(badMeta.status).toBe(400);
    expect((await badMeta.json()).msg).toMatch(/is not `key base64value`/);

    // Termination through X-HTTP-Method-Override (clients behind proxies that allow only GET and POST).
    const ended = await handler(
      tusRequest(path, { method: 'POST', headers: { 'x-http-method-override': 'DELETE' } }),
    );
    expect(ended.status).toBe(204);
    expect((await handler(tusRequest(path, { method: 'HEAD' }))).status).toBe(404);
    expect(await everything(path)).toEqual([]);
  });

  it('answers a storage failure as the server side (502), keeping the upload where it was', async () => {
    const handler = handlerOf();
    const data = random(6 * MiB);
    const path = await create(handler, data.byteLength);
    rgw.proxy.failWith({ operation: 'UploadPart' }, { status: 403, code: 'AccessDenied' }, { times: 1 });
    const failed = await patch(handler, path, 0, data);
    expect(failed.status).toBe(502);
    expect(failed.headers.get('tus-resumable')).toBe('1.0.0');
    expect((await handler(tusRequest(path, { method: 'HEAD' }))).headers.get('upload-offset')).toBe('0');
    const again = await patch(handler, path, 0, data);
    expect(again.status).toBe(204);
    expect(await leftovers(path)).toEqual({ objects: [], uploads: [] });
  });

  it('refuses an expired upload with 410 and removes it', async () => {
    const handler = handlerOf();
    const data = random(6 * MiB);
    const path = await create(handler, data.byteLength);
    expect((await patch(handler, path, 0, data.subarray(0, 5 * MiB + 1))).status).toBe(204);
    expect(await uploadsIn(rgw, `${TUS}${path.split('/').pop()}`)).toHaveLength(1);
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + 3_600_001);
    const late = await patch(handler, path, 5 * MiB + 1, data.subarray(5 * MiB + 1));
    expect(late.status).toBe(410);
    expect((await late.json()).msg).toMatch(/expired at .* start it again/);
    expect(await everything(path)).toEqual([]);
  });

  it('refuses a finished file of a type not allowed, like POST /upload, and keeps nothing', async () => {
    const handler = rgwHandler(rgw, { allowedTypes: ['image/*'] }, { partSize: 5 * MiB });
    const data = random(5 * MiB + 10);
    const path = await create(handler, data.byteLength);
    const refused = await patch(handler, path, 0, data);
    expect(refused.status).toBe(415);
    expect(refused.headers.get('tus-resumable')).toBe('1.0.0');
    expect(await everything(path)).toEqual([]);
  });

  it('lets an allowed web page use tus, and read its headers', async () => {
    const handler = rgwHandler(rgw, { corsOrigins: ['https://notes.example.com'] });
    const origin = 'https://notes.example.com';
    const preflight = await handler(
      new Request(`${ORIGIN}/tus/`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'upload-offset',
        },
      }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/PATCH/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Upload-Offset.*Upload-Checksum/);
    const created = await handler(
      tusRequest('/tus/', { method: 'POST', headers: { origin, 'upload-length': '3' } }),
    );
    expect(created.headers.get('access-control-allow-origin')).toBe(origin);
    expect(created.headers.get('access-control-expose-headers')).toMatch(
      /Location.*Upload-Offset.*Upload-Length.*Tus-Resumable.*Bytedrop-Url/,
    );
    const elsewhere = await handler(
      tusRequest('/tus/', {
        method: 'POST',
        headers: { origin: 'https://evil.example', 'upload-length': '3' },
      }),
    );
    expect(elsewhere.status).toBe(403);
  });

  it('leaves an abandoned upload to the sweep of the server temporary prefix', async () => {
    const handler = handlerOf();
    const data = random(6 * MiB);
    const path = await create(handler, data.byteLength);
    expect((await patch(handler, path, 0, data.subarray(0, 5 * MiB + 1))).status).toBe(204);
    expect(await everything(path)).toHaveLength(3);
    const store = createUploader(rgwConfig(rgw)).store;
    await store.sweep!({ olderThan: 0, prefix: '.bytedrop-tmp/server/' });
    expect(await everything(path)).toEqual([]);
  });
});
