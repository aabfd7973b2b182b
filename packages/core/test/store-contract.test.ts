import { inject } from 'vitest';
import { parseConfig } from '../src/config';
import { createS3Store } from '../src/stores/s3';
import { getBytes, inspector, openUploads, s3Config } from './_support/s3';
import { runStoreContract } from './_support/store-contract';

const s3 = inject('s3');

runStoreContract('S3 (s3rver)', () => {
  const client = inspector(s3);
  return {
    store: createS3Store(parseConfig(s3Config(s3))),
    read: (key) =>
      getBytes(client, s3.bucket, key).catch((error: { name?: string }) => {
        if (error.name === 'NoSuchKey') return undefined;
        throw error;
      }),
    // The failing-body case aborts a multipart upload; make sure it really left no parts in the shared bucket.
    dispose: async () => {
      const open = await openUploads(client, s3.bucket);
      if (open.some((key) => key.includes('failing.bin')))
        throw new Error(`orphan multipart upload left: ${open}`);
    },
  };
});
