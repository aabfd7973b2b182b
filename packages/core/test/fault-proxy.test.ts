import { PassThrough } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config';
import { createS3Store } from '../src/stores/s3';
import { rgwConfig, useRgw } from './_support/rgw';
import {
  bytes,
  getBytes,
  headObject,
  inspector,
  listKeys,
  MiB,
  openUploads,
  PART,
  sameBytes,
} from './_support/s3';
import { recognise } from './_support/s3-operation';

// The fault proxy decides what many S3 tests prove, so it is tested itself, against radosgw (a real S3).
const rgw = useRgw('fault-proxy');

/** A plain SDK client through the proxy; one attempt unless told, so an injected fault is what the test sees. */
function client(maxAttempts = 1): S3Client {
  return new S3Client({
    endpoint: rgw.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    maxAttempts,
  });
}

const put = (key: string, body: Uint8Array | PassThrough, extra: { ContentLength?: number } = {}) =>
  client().send(new PutObjectCommand({ Bucket: rgw.bucket, Key: key, Body: body, ...extra }));

const onS3 = async (key: string) => headObject(inspector(rgw.direct), rgw.bucket, key);

function store(multipart = false) {
  const config = parseConfig(rgwConfig(rgw, multipart ? { queueSize: 1 } : {}));
  return createS3Store(config, { clientConfig: { maxAttempts: 1 } });
}

describe('fault proxy: recording', () => {
  it('records each request with its S3 operation, part number and the status the client got', async () => {
    const s3 = store(true);
    await s3.put('rec/big.bin', bytes(2 * PART + 1), { contentType: 'application/octet-stream' });
    expect(await s3.head('rec/missing.bin')).toBeUndefined();
    await s3.copy('rec/big.bin', 'rec/copy.bin', { contentType: 'image/png' });
    await s3.delete('rec/copy.bin');
    await listKeys(inspector(rgw), rgw.bucket, 'rec/');
    await openUploads(inspector(rgw), rgw.bucket);
    expect(rgw.requests.map((r) => [r.operation, r.partNumber, r.status])).toEqual([
      ['CreateMultipartUpload', undefined, 200],
      ['UploadPart', 1, 200],
      ['UploadPart', 2, 200],
      ['UploadPart', 3, 200],
      ['CompleteMultipartUpload', undefined, 200],
      ['HeadObject', undefined, 404],
      ['CopyObject', undefined, 200],
      ['DeleteObject', undefined, 204],
      ['ListObjectsV2', undefined, 200],
      ['ListMultipartUploads', undefined, 200],
    ]);
    expect(rgw.requests[1]).toMatchObject({ bucket: rgw.bucket, key: 'rec/big.bin', method: 'PUT' });
    expect(rgw.requests.every((r) => r.outcome === 'forwarded')).toBe(true);
  });

  it.each([
    ['PUT', '/b/k?partNumber=1&uploadId=u', { 'x-amz-copy-source': '/b/src' }, 'UploadPartCopy'],
    ['POST', '/b?delete', {}, 'DeleteObjects'],
    ['GET', '/b/k?uploadId=u', {}, 'ListParts'],
    ['DELETE', '/b/k?uploadId=u', {}, 'AbortMultipartUpload'],
    ['GET', '/', {}, 'ListBuckets'],
  ])('recognises %s %s', (method, url, headers, operation) => {
    expect(recognise(method, url, headers).operation).toBe(operation);
  });
});

describe('fault proxy: injected errors', () => {
  it('answers the nth matching request with the S3 error; S3 never sees it, the others pass', async () => {
    const fault = rgw.proxy.failWith(
      { operation: 'PutObject' },
      { status: 500, code: 'InternalError' },
      { nth: 2 },
    );
    await put('err/1.bin', bytes(10));
    await expect(put('err/2.bin', bytes(10))).rejects.toMatchObject({
      name: 'InternalError',
      $metadata: { httpStatusCode: 500 },
    });
    await put('err/3.bin', bytes(10));
    expect((await fault.hit).key).toBe('err/2.bin');
    expect(await listKeys(inspector(rgw.direct), rgw.bucket, 'err/')).toEqual(['err/1.bin', 'err/3.bin']);
  });

  it('503 SlowDown on UploadPart 2: the store aborts the multipart upload and leaves no parts', async () => {
    rgw.proxy.failWith({ operation: 'UploadPart', partNumber: 2 }, { status: 503, code: 'SlowDown' });
    const error = await store(true)
      .put('slow/big.bin', bytes(3 * PART), { contentType: 'application/octet-stream' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'BytedropError',
      code: 'ERR_THROTTLED',
      s3Code: 'SlowDown',
      status: 503,
    });
    expect(await rgw.proxy.seen('AbortMultipartUpload', { key: 'slow/big.bin' })).toMatchObject({
      status: 204,
    });
    expect(await openUploads(inspector(rgw.direct), rgw.bucket)).toEqual([]);
    expect(await onS3('slow/big.bin')).toBeUndefined();
  });
});

describe('fault proxy: lost answers and held requests', () => {
  it('a lost Complete answer: the client sees its connection reset, yet S3 completed the object', async () => {
    const lost = rgw.proxy.loseAnswer({ operation: 'CompleteMultipartUpload' });
    const s3 = client();
    const target = { Bucket: rgw.bucket, Key: 'lost/big.bin' };
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand(target));
    const data = bytes(1000);
    const { ETag } = await s3.send(new UploadPartCommand({ ...target, UploadId, PartNumber: 1, Body: data }));
    const complete = new CompleteMultipartUploadCommand({
      ...target,
      UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] },
    });
    const error = (await s3.send(complete).catch((e: unknown) => e)) as Error & { code?: string };
    expect(`${error.code} ${error.message}`).toMatch(/ECONNRESET|socket hang up/);
    expect(await lost.hit).toMatchObject({ outcome: 'lost-answer', status: 200 });
    expect(sameBytes(await getBytes(inspector(rgw.direct), rgw.bucket, 'lost/big.bin'), data)).toBe(true);
  });

  it('holds a request until the test releases it', async () => {
    const stall = rgw.proxy.stall({ operation: 'PutObject', key: 'held/a.bin' });
    const sent = put('held/a.bin', bytes(1000));
    expect(await stall.held).toMatchObject({ outcome: 'held', key: 'held/a.bin' });
    expect(await onS3('held/a.bin')).toBeUndefined();
    stall.release();
    await sent;
    expect(await onS3('held/a.bin')).toMatchObject({ ContentLength: 1000 });
  });

  it('holds a request until the client gives up; S3 never gets it', async () => {
    const stall = rgw.proxy.stall({ operation: 'PutObject' });
    const controller = new AbortController();
    const sent = client().send(
      new PutObjectCommand({ Bucket: rgw.bucket, Key: 'gone/a.bin', Body: bytes(10) }),
      {
        abortSignal: controller.signal,
      },
    );
    await stall.held;
    controller.abort();
    await expect(sent).rejects.toMatchObject({ name: 'AbortError' });
    expect(await stall.clientGone).toMatchObject({ outcome: 'client-gone', key: 'gone/a.bin' });
    expect(await onS3('gone/a.bin')).toBeUndefined();
  });

  it('streams a body through: S3 gets its first MiB while the client has not written the rest', async () => {
    const body = new PassThrough();
    const data = bytes(3 * MiB);
    const sent = put('stream/a.bin', body, { ContentLength: data.byteLength });
    body.write(data.subarray(0, MiB));
    // Were the body buffered whole before going on, this would never settle (the client holds back the rest).
    await rgw.proxy.forwarded(await rgw.proxy.seen('PutObject', { key: 'stream/a.bin' }), MiB);
    body.end(data.subarray(MiB));
    await sent;
    expect(sameBytes(await getBytes(inspector(rgw.direct), rgw.bucket, 'stream/a.bin'), data)).toBe(true);
  });
});

describe('fault proxy: outages', () => {
  it.each([
    ['reset', /ECONNRESET|socket hang up/],
    ['refuse', /ECONNREFUSED/],
  ] as const)(
    '%s: connections fail until the outage ends, then requests pass again',
    async (mode, failure) => {
      await put('outage/before.bin', bytes(10)); // leaves a keep-alive connection for the outage to cut
      const outage = await rgw.proxy.outage(mode);
      const error = (await put('outage/during.bin', bytes(10)).catch((e: unknown) => e)) as Error & {
        code?: string;
      };
      expect(`${error.name} ${error.code} ${error.message}`).toMatch(failure);
      await outage.end();
      await put('outage/after.bin', bytes(10));
      expect(await listKeys(inspector(rgw.direct), rgw.bucket, 'outage/')).toEqual([
        'outage/after.bin',
        'outage/before.bin',
      ]);
      await rgw.proxy.reset();
    },
  );
});
