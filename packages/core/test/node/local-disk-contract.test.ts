import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalDiskStore } from '../../src/node/stores/local-disk';
import { runStoreContract } from '../_support/store-contract';

// The same suite the S3 store passes: the local-disk store must be a drop-in under createUploader.
runStoreContract('local disk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bytedrop-contract-'));
  return {
    store: createLocalDiskStore({ dir, publicBaseUrl: 'http://localhost:8000/f' }),
    // Read the file itself, not through the store.
    read: (key) =>
      readFile(join(dir, ...key.split('/'))).then(
        (bytes) => new Uint8Array(bytes),
        () => undefined,
      ),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});
