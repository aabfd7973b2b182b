/**
 * The tus 1.0 endpoint on radosgw, request by request: creation, chunks across part boundaries, HEAD, the finished
 * file placed by core's uploader (Bytedrop-Url, GET as JSON), webhooks, data with the creation, and CORS. Bad input,
 * failures, expiry and leftovers: tus-refusals.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { useRgw } from '../../core/test/_support/rgw';
import { getBytes, inspector, MiB, bytes as random } from '../../core/test/_support/s3';
import { ORIGIN } from './_support/fixtures';
import { rgwHandler } from './_support/rgw-server';
import { b64, create, leftovers, patch, sum, TUS, tusRequest } from './_support/tus';

const rgw = useRgw('server-tus');

/** The handler with 5 MiB parts and a 20 MiB limit. */
const handlerOf = () =>
  rgwHandler(rgw, { maxFileSize: 20 * MiB }, { partSize: 5 * MiB, keyTemplate: 'tus/{hash:16}.{ext}' });

describe('tus on radosgw', () => {
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
    expect(await leftovers(rgw, path)).toEqual({ objects: [], uploads: [] });
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
});
