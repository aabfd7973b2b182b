/**
 * A flaky network and a slow S3, on radosgw through the fault proxy: a lost answer, an outage, throttling and a
 * stall. Nothing here waits on the clock: the proxy says when a fault hit, the test acts then.
 */
import { describe, expect, it } from 'vitest';
import { createRetryStrategy } from '../src/stores/s3-retry';
import { createUploader } from '../src/uploader';
import { rgwConfig, useRgw } from './_support/rgw';
import { bytes, getBytes, inspector, listKeys, openUploads, PART, sameBytes } from './_support/s3';

const rgw = useRgw('faults');

/** Retries as in production, but milliseconds apart: the test proves what is retried, not how long it waits. */
const quickRetries = {
  clientConfig: { retryStrategy: createRetryStrategy({ maxAttempts: 6, baseDelay: 5, maxDelay: 20 }) },
};

describe('faults between core and a real S3 (radosgw)', () => {
  it('a CompleteMultipartUpload whose answer is lost still succeeds: the object carries this write’s id', async () => {
    // No retry: radosgw answers a repeated Complete with success, which would hide what is tested here, the HEAD
    // that finds the object this very write stored.
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: 'lost/{hash}.{ext}' }), {
      clientConfig: { maxAttempts: 1 },
    });
    const lost = rgw.proxy.loseAnswer({ operation: 'CompleteMultipartUpload' });
    const data = bytes(2 * PART + 5);
    const result = await uploader.upload(data, { filename: 'big.bin' });
    await lost.hit;
    expect(result.key).toMatch(/^lost\/[0-9a-f]{64}\.bin$/);
    const client = inspector(rgw.direct);
    expect(sameBytes(await getBytes(client, rgw.bucket, result.key), data)).toBe(true);
    expect(await openUploads(client, rgw.bucket)).toEqual([]);
  });

  it('a CreateMultipartUpload whose answer is lost makes two uploads at the provider: the stray is aborted', async () => {
    const uploader = createUploader(
      rgwConfig(rgw, { keyTemplate: 'lost-create/{hash}.{ext}' }),
      quickRetries,
    );
    const lost = rgw.proxy.loseAnswer({ operation: 'CreateMultipartUpload' });
    const data = bytes(2 * PART + 5);
    const result = await uploader.upload(data, { filename: 'big.bin' });
    await lost.hit;
    expect(rgw.requests.filter((r) => r.operation === 'CreateMultipartUpload')).toHaveLength(2);
    const client = inspector(rgw.direct);
    expect(sameBytes(await getBytes(client, rgw.bucket, result.key), data)).toBe(true);
    expect(await openUploads(client, rgw.bucket)).toEqual([]);
  });

  it('a PutObject whose answer is lost: the retry meets the object it wrote and reports it, nothing else is stored', async () => {
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: 'lost-put/{name}.{ext}' }), quickRetries);
    const lost = rgw.proxy.loseAnswer({ operation: 'PutObject' });
    const data = bytes(1000);
    const result = await uploader.upload(data, { filename: 'small.bin' });
    await lost.hit;
    expect(result.key).toBe('lost-put/small.bin');
    expect(await listKeys(inspector(rgw.direct), rgw.bucket, 'lost-put/')).toEqual(['lost-put/small.bin']);
  });

  it('an outage mid-upload is ridden out by every upload in flight', async () => {
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: 'outage/{hash}.{ext}' }), quickRetries);
    const files = [bytes(3 * PART), bytes(3 * PART), bytes(1000)];
    const firstPart = rgw.proxy.seen('UploadPart', { partNumber: 1 });
    const uploads = files.map((data, i) => uploader.upload(data, { filename: `f${i}.bin` }));
    await firstPart;
    const outage = await rgw.proxy.outage('reset');
    // The uploads have met the outage (a connection was refused) before it ends: a restart in the middle of them.
    await outage.attempted;
    await outage.end();
    const results = await Promise.all(uploads);
    const client = inspector(rgw.direct);
    for (const [i, result] of results.entries()) {
      expect(sameBytes(await getBytes(client, rgw.bucket, result.key), files[i]!)).toBe(true);
    }
    expect(await openUploads(client, rgw.bucket)).toEqual([]);
  });

  it('503 SlowDown is retried; when it lasts, the upload fails with ERR_THROTTLED and leaves no parts', async () => {
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: 'slow/{hash}.{ext}' }), quickRetries);
    rgw.proxy.failWith(
      { operation: 'UploadPart', partNumber: 2 },
      { status: 503, code: 'SlowDown' },
      { times: 2 },
    );
    const once = await uploader.upload(bytes(2 * PART + 1), { filename: 'a.bin' });
    expect(once.deduplicated).toBe(false);

    rgw.proxy.failWith(
      { operation: 'UploadPart', partNumber: 2 },
      { status: 503, code: 'SlowDown' },
      { times: 99 },
    );
    await expect(uploader.upload(bytes(2 * PART + 1), { filename: 'b.bin' })).rejects.toMatchObject({
      code: 'ERR_THROTTLED',
      message: expect.stringContaining('UploadPart 2'),
    });
    expect(await openUploads(inspector(rgw.direct), rgw.bucket)).toEqual([]);
  });

  it('a stalled request fails with ERR_TIMEOUT naming it, never hangs, and leaves no parts', async () => {
    const uploader = createUploader(
      // Long enough that no request but the stalled one reaches it on a loaded machine (CI runs tests beside the e2e).
      rgwConfig(rgw, { keyTemplate: 'stall/{hash}.{ext}', socketTimeout: 1500 }),
      {
        clientConfig: { retryStrategy: createRetryStrategy({ maxAttempts: 2, baseDelay: 5, maxDelay: 5 }) },
      },
    );
    const stall = rgw.proxy.stall({ operation: 'UploadPart', partNumber: 1 }, { times: 99 });
    await expect(uploader.upload(bytes(2 * PART + 1), { filename: 'a.bin' })).rejects.toMatchObject({
      code: 'ERR_TIMEOUT',
      message: expect.stringContaining('UploadPart 1'),
    });
    stall.release();
    expect(await openUploads(inspector(rgw.direct), rgw.bucket)).toEqual([]);
  });
});
