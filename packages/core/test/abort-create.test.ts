import type { IncomingMessage } from 'node:http';
import { expect, it } from 'vitest';
import { createUploader } from '../src/uploader';
import { useOwnS3rver } from './_support/own-s3rver';
import { bytes, leftovers, PART, s3Config } from './_support/s3';

// An abort that lands while CreateMultipartUpload is in flight: the provider creates the upload whether or not the
// client still listens, so the client must learn its id to abort it, or the parts' upload is orphaned.
const controller = new AbortController();
const s3 = useOwnS3rver({
  beforeHandle: async (req: IncomingMessage) => {
    if (req.method === 'POST' && /[?&]uploads(=|&|$)/.test(req.url ?? '')) {
      controller.abort();
      await new Promise((resolve) => setTimeout(resolve, 50)); // let the client see the abort first
    }
  },
});

it('an abort during CreateMultipartUpload leaves no open multipart upload and no object', async () => {
  const uploader = createUploader(s3Config(s3, { keyTemplate: 'abort-create/{uuid}.{ext}' }));
  const upload = uploader.upload(bytes(3 * PART), { filename: 'big.bin', signal: controller.signal });
  await expect(upload).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  expect(s3.requests.some((r) => r.method === 'POST' && /[?&]uploads(=|&|$)/.test(r.url))).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 200)); // the server finishes the create it was holding
  expect(await leftovers(s3, 'abort-create/')).toEqual([]);
});
