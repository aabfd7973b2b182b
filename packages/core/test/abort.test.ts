import { describe, expect, it } from 'vitest';
import { isBytedropError } from '../src/errors';
import { createUploader } from '../src/uploader';
import { useOwnS3rver } from './_support/own-s3rver';
import { useRgw } from './_support/rgw';
import { bytes, iterable, leftovers, PART, s3Config } from './_support/s3';

// On s3rver (the harness adds its AbortMultipartUpload) and on radosgw, a real S3 whose aborts and listings are its
// own. Both record what reached them: s3rver at the server, radosgw through the fault proxy in front of it.
const targets = [
  ['s3rver', useOwnS3rver()],
  ['radosgw', useRgw('abort')],
] as const;

describe.each(targets)('AbortSignal (%s)', (_name, s3) => {
  it.each([
    ['a key without the hash', 'abort-a/{uuid}.{ext}', 'abort-a/'],
    ['a content-addressed key', 'abort-b/{name}-{hash}.{ext}', 'abort-b/'],
  ])(
    'mid-multipart (%s): ERR_ABORTED, the multipart upload is aborted, no object',
    async (_label, keyTemplate, prefix) => {
      const uploader = createUploader(s3Config(s3, { keyTemplate }));
      const controller = new AbortController();
      const parts: number[] = [];
      const upload = uploader.upload(bytes(4 * PART), {
        filename: 'big.bin',
        signal: controller.signal,
        onProgress: (progress) => {
          parts.push(progress.loaded);
          controller.abort(); // right after the first part is stored
        },
      });
      await expect(upload).rejects.toMatchObject({ name: 'BytedropError', code: 'ERR_ABORTED' });
      expect(parts[0]).toBe(PART);
      // The multipart upload really started (so its abort is what is being tested) and was aborted.
      expect(s3.requests.some((r) => r.method === 'POST' && r.url.includes('?uploads'))).toBe(true);
      expect(s3.requests.some((r) => r.method === 'DELETE' && r.url.includes('uploadId='))).toBe(true);
      expect(await leftovers(s3, prefix)).toEqual([]);
    },
  );

  it('a long one-shot stream aborted mid-way leaves neither parts nor a temporary object', async () => {
    const uploader = createUploader(s3Config(s3, { keyTemplate: 'abort-c/{hash}' }));
    const controller = new AbortController();
    const upload = uploader.upload(iterable(bytes(4 * PART)), {
      filename: 'stream.bin',
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(upload).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(await leftovers(s3, 'abort-c/')).toEqual([]);
  });

  it('a caller stream that stalls still loses to the signal', async () => {
    const uploader = createUploader(s3Config(s3, { keyTemplate: 'abort-d/{hash}' }));
    const controller = new AbortController();
    const stalled = new ReadableStream<Uint8Array>({
      start(stream) {
        stream.enqueue(bytes(PART + 1)); // past the threshold: the multipart upload starts…
      },
      pull() {
        // …then the source never delivers again and never ends.
        return new Promise(() => undefined);
      },
    });
    const upload = uploader.upload(stalled, { filename: 'stalled.bin', signal: controller.signal });
    // Abort once the first part has reached the server, so there is a multipart upload to clean up.
    while (!s3.requests.some((r) => r.url.includes('partNumber=1')))
      await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await expect(upload).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(await leftovers(s3, 'abort-d/')).toEqual([]);
  });

  it('an already-aborted signal sends nothing', async () => {
    const uploader = createUploader(s3Config(s3));
    const error = await uploader
      .upload(bytes(10), { filename: 'x.bin', signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(isBytedropError(error, 'ERR_ABORTED')).toBe(true);
    expect(s3.requests).toEqual([]);
  });

  it('an abort during hashing stops before any request', async () => {
    const uploader = createUploader(s3Config(s3));
    const controller = new AbortController();
    const body = new Blob([bytes(PART)]);
    const upload = uploader.upload(body, { filename: 'x.bin', signal: controller.signal });
    controller.abort();
    await expect(upload).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(s3.requests).toEqual([]);
  });
});
