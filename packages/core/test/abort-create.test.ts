import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUploader } from '../src/uploader';
import { type S3Harness, startS3rver } from './_setup/s3rver';
import { bytes, inspector, listKeys, openUploads, PART, s3Config } from './_support/s3';

// An abort that lands while CreateMultipartUpload is in flight: the provider creates the upload whether or not the
// client still listens, so the client must learn its id to abort it, or the parts' upload is orphaned.
let s3: S3Harness;
const controller = new AbortController();
beforeAll(async () => {
  s3 = await startS3rver({
    beforeHandle: async (req: IncomingMessage) => {
      if (req.method === 'POST' && /[?&]uploads(=|&|$)/.test(req.url ?? '')) {
        controller.abort();
        await new Promise((resolve) => setTimeout(resolve, 50)); // let the client see the abort first
      }
    },
  });
});
afterAll(() => s3.dispose());

it('an abort during CreateMultipartUpload leaves no open multipart upload and no object', async () => {
  const uploader = createUploader(s3Config(s3, { keyTemplate: 'abort-create/{uuid}.{ext}' }));
  const upload = uploader.upload(bytes(3 * PART), { filename: 'big.bin', signal: controller.signal });
  await expect(upload).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  expect(s3.requests.some((r) => r.method === 'POST' && /[?&]uploads(=|&|$)/.test(r.url))).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 200)); // the server finishes the create it was holding
  const client = inspector(s3);
  expect(await openUploads(client, s3.bucket)).toEqual([]);
  expect(await listKeys(client, s3.bucket, 'abort-create/')).toEqual([]);
});
