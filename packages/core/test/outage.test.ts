import { describe, expect, it } from 'vitest';
import type { BytedropError } from '../src/errors';
import type { S3Store } from '../src/stores/s3';
import { createUploader } from '../src/uploader';
import { useOwnS3rver } from './_support/own-s3rver';
import { bytes, headObject, inspector, listKeys, openUploads, PART, s3Config } from './_support/s3';

const s3 = useOwnS3rver();

// One attempt per request: the outage is certain, retries would only slow the test down.
const clientConfig = { maxAttempts: 1 };

/** Starts a 4-part upload and stops the server as soon as the first part is stored. */
async function uploadThroughOutage(uploader: ReturnType<typeof createUploader>, prefix: string) {
  let stopped: Promise<void> | undefined;
  const error = (await uploader
    .upload(bytes(4 * PART), {
      filename: 'big.bin',
      keyPrefix: prefix,
      onProgress: () => {
        stopped ??= s3.stop();
      },
    })
    .then(
      () => expect.unreachable('the upload should fail while the server is down'),
      (e: unknown) => e,
    )) as BytedropError;
  await stopped;
  return error;
}

describe('the S3 server dies mid-upload', () => {
  it('fails with ERR_NETWORK, and once the server is back the next upload clears the orphan parts', async () => {
    const uploader = createUploader(s3Config(s3, { keyTemplate: '{name}-{hash:8}.{ext}' }), { clientConfig });
    const store = uploader.store as S3Store;
    const error = await uploadThroughOutage(uploader, 'outage-a');
    expect(error).toMatchObject({ name: 'BytedropError', code: 'ERR_NETWORK' });
    expect(error.message).toMatch(/could not reach the storage \((ECONNREFUSED|ECONNRESET|EPIPE)\)/);
    expect(error.message).toContain(`endpoint '${s3.endpoint}'`);
    expect(error.message).toMatch(/could not be aborted either; Bytedrop aborts it before the next upload/);

    await s3.restart();
    const client = inspector(s3);
    // The provider still holds the parts: this is what would cost storage forever without the cleanup.
    const orphans = await openUploads(client, s3.bucket);
    expect(orphans).toHaveLength(1);
    expect(store.pendingAborts.map((p) => p.key)).toEqual(orphans);

    const next = await uploader.upload(bytes(100), { filename: 'small.bin', keyPrefix: 'outage-a' });
    expect(next.deduplicated).toBe(false);
    expect(await openUploads(client, s3.bucket)).toEqual([]);
    expect(store.pendingAborts).toEqual([]);
    expect(await listKeys(client, s3.bucket, 'outage-a/')).toEqual([next.key]);
    expect(await headObject(client, s3.bucket, orphans[0] ?? '')).toBeUndefined();
  });

  it('retryAborts() clears them without another upload, and reports what is still pending', async () => {
    const uploader = createUploader(s3Config(s3, { keyTemplate: '{uuid}' }), { clientConfig });
    const store = uploader.store as S3Store;
    await uploadThroughOutage(uploader, 'outage-b');
    // Still down: the retry fails quietly and keeps the upload pending.
    expect(await store.retryAborts()).toBe(1);
    await s3.restart();
    expect(await store.retryAborts()).toBe(0);
    expect(await openUploads(inspector(s3), s3.bucket)).toEqual([]);
    expect(await listKeys(inspector(s3), s3.bucket, 'outage-b/')).toEqual([]);
  });

  it('a server that is down from the start fails fast with ERR_NETWORK and leaves nothing pending', async () => {
    const uploader = createUploader(s3Config(s3), { clientConfig });
    await s3.stop();
    try {
      await expect(uploader.upload(bytes(10), { filename: 'x.bin' })).rejects.toMatchObject({
        code: 'ERR_NETWORK',
        message: expect.stringContaining("check that 'endpoint' is right and the server is running"),
      });
      expect((uploader.store as S3Store).pendingAborts).toEqual([]);
    } finally {
      await s3.restart();
    }
  });
});
