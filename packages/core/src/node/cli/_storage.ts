/**
 * Internal: the CLI's storage. S3 when anything about S3 is configured; otherwise the local-disk store that the
 * server serves at `/f/*`, so `bytedrop upload` works before anyone has a bucket.
 */
import { resolve } from 'node:path';
import type { BytedropConfig } from '../../config';
import type { Uploader } from '../../types';
import { createUploader } from '../../uploader';
import { type LoadConfigOptions, loadConfigLayers } from '../load-config';
import { createLocalDiskStore, type LocalDiskStore } from '../stores/local-disk';
import type { CliIO } from './_io';

/** Where uploads go. `local` is set when the local-disk fallback is in use. */
export interface CliStorage {
  uploader: Uploader;
  local?: LocalDiskStore;
}

/** Settings that mean "the user configured S3"; any one of them disables the local-disk fallback. */
const S3_FIELDS = ['endpoint', 'bucket', 'accessKeyId', 'secretAccessKey', 'provider'] as const;

/** True when neither the config file nor the environment says anything about S3. */
export function isS3Configured(input: Partial<BytedropConfig>): boolean {
  return S3_FIELDS.some((name) => input[name] !== undefined);
}

/** The local-disk store the CLI falls back to: `BYTEDROP_DATA_DIR` (./data), served under the server's `/f/` route. */
export function localStore(input: Partial<BytedropConfig>, io: CliIO): LocalDiskStore {
  const dir = resolve(io.cwd, io.env.BYTEDROP_DATA_DIR || './data');
  const publicBaseUrl = input.publicBaseUrl ?? `http://localhost:${io.env.PORT || '8000'}/f`;
  return createLocalDiskStore({
    dir,
    publicBaseUrl,
    ...(input.maxFileSize === undefined ? {} : { maxFileSize: input.maxFileSize }),
  });
}

/** Loads the config (file ← env) and builds the uploader; says once on stderr when it falls back to local disk. */
export async function openStorage(configFile: string | undefined, io: CliIO): Promise<CliStorage> {
  const options: LoadConfigOptions = {
    env: io.env,
    cwd: io.cwd,
    ...(configFile ? { file: configFile } : {}),
  };
  const { input } = await loadConfigLayers(options);
  if (isS3Configured(input)) return { uploader: createUploader(input) };
  const store = localStore(input, io);
  io.stderr.write(
    `bytedrop: no S3 configured (S3_ENDPOINT, S3_BUCKET, … or --config); storing files in ${store.dir}, ` +
      `served at ${store.publicBaseUrl}/ by the Bytedrop server\n`,
  );
  // The bucket name is a placeholder the schema requires; the local store ignores it.
  return { uploader: createUploader({ ...input, bucket: 'local' }, { store }), local: store };
}
