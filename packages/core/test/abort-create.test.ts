import { expect, it } from 'vitest';
import { createUploader } from '../src/uploader';
import { rgwConfig, useRgw } from './_support/rgw';
import { bytes, inspector, listKeys, openUploads, PART } from './_support/s3';

// An abort that lands while CreateMultipartUpload is in flight: the provider creates the upload whether or not the
// client still listens, so the client must learn its id to abort it, or the parts' upload is orphaned. On radosgw,
// with the create held in the fault proxy until the signal has fired: no timing involved.
const rgw = useRgw('abort-create');

it('an abort during CreateMultipartUpload leaves no open multipart upload and no object', async () => {
  const uploader = createUploader(rgwConfig(rgw, { keyTemplate: 'abort-create/{uuid}.{ext}' }));
  const controller = new AbortController();
  const create = rgw.proxy.stall({ operation: 'CreateMultipartUpload' });
  const upload = uploader.upload(bytes(3 * PART), { filename: 'big.bin', signal: controller.signal });
  await create.held;
  controller.abort();
  create.release();
  await expect(upload).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  // The create went through after the abort: its upload must have been aborted with the id it answered.
  await rgw.proxy.answered('AbortMultipartUpload');
  const client = inspector(rgw.direct);
  expect(await openUploads(client, rgw.bucket)).toEqual([]);
  expect(await listKeys(client, rgw.bucket, 'abort-create/')).toEqual([]);
});
