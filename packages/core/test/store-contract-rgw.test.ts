import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { parseConfig } from '../src/config';
import { createS3Store } from '../src/stores/s3';
import { createBucket } from './_setup/rgw/buckets';
import { rgwConfig } from './_support/rgw';
import { getBytes, inspector, openUploads } from './_support/s3';
import { runStoreContract } from './_support/store-contract';

const rgw = inject('rgw');

// The same contract as on s3rver, on a real S3 that checks signatures and implements multipart aborts.
runStoreContract('S3 (radosgw)', async () => {
  const target = { ...rgw, bucket: await createBucket(rgw, `contract-${randomBytes(4).toString('hex')}`) };
  const client = inspector(target);
  return {
    store: createS3Store(parseConfig(rgwConfig(target))),
    read: (key) =>
      getBytes(client, target.bucket, key).catch((error: { name?: string }) => {
        if (error.name === 'NoSuchKey') return undefined;
        throw error;
      }),
    // The bucket is this file's alone, so any open multipart upload in it is one the suite left behind.
    dispose: async () => {
      const open = await openUploads(client, target.bucket);
      if (open.length > 0) throw new Error(`orphan multipart uploads left: ${open}`);
    },
  };
});
