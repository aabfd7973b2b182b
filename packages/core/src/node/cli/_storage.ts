/**
 * Internal: the CLI's storage. S3 when anything about S3 is configured; otherwise the local-disk default that the
 * server serves at `/f/*`, so `bytedrop upload` works before anyone has a bucket.
 */
import type { BytedropConfigInput } from '../../config-input';
import type { ImageConversion } from '../../image-encoder';
import { type BytedropUploader, createUploader } from '../../uploader';
import { createDiskConversionCache, defaultConversionCacheDir } from '../conversion-cache';
import { type LoadConfigOptions, loadConfigLayers } from '../load-config';
import { createDefaultLocalStore, hasS3Settings } from '../local-default';
import type { LocalDiskStore } from '../stores/local-disk';
import type { CliIO } from './_io';
import { type CliJournal, openCliJournal } from './_journal';

/** Where uploads go. `local` is set when the local-disk fallback is in use, `journal` when S3 is. */
export interface CliStorage {
  uploader: BytedropUploader;
  local?: LocalDiskStore;
  /**
   * The run's upload journal. S3 only: the local directory is shared with a Bytedrop server whose writes in
   * progress a recovery would take for a dead run's, so local leftovers are left to `bytedrop gc`'s age threshold.
   */
  journal?: CliJournal;
}

/** The local-disk default for this CLI invocation's env and working directory. */
export function localStore(input: Partial<BytedropConfigInput>, io: CliIO): LocalDiskStore {
  return createDefaultLocalStore({
    env: io.env,
    cwd: io.cwd,
    ...(input.publicBaseUrl === undefined ? {} : { publicBaseUrl: input.publicBaseUrl }),
    ...(input.maxFileSize === undefined ? {} : { maxFileSize: input.maxFileSize }),
  });
}

/** Loads the config (file ← env) and builds the uploader; says once on stderr when it falls back to local disk. */
export async function openStorage(
  configFile: string | undefined,
  io: CliIO,
  convert?: ImageConversion,
): Promise<CliStorage> {
  // Each paste is a new process: conversions are kept on disk so that a re-paste is not encoded again.
  const cache = () => createDiskConversionCache({ dir: defaultConversionCacheDir(io.env) });
  const converting = convert === undefined ? {} : { convert: { cache: cache(), ...convert } };
  const options: LoadConfigOptions = {
    env: io.env,
    cwd: io.cwd,
    ...(configFile ? { file: configFile } : {}),
  };
  const { input } = await loadConfigLayers(options);
  if (hasS3Settings(input)) {
    const journal = openCliJournal(io.env);
    // The bucket may be missing here: createUploader then fails with ERR_CONFIG saying how to set it.
    return { uploader: createUploader(input as BytedropConfigInput, { journal, ...converting }), journal };
  }
  const store = localStore(input, io);
  io.stderr.write(
    `bytedrop: no S3 configured (S3_ENDPOINT, S3_BUCKET, … or --config); storing files in ${store.dir}, ` +
      `served at ${store.publicBaseUrl}/ by the Bytedrop server\n`,
  );
  // The bucket name is a placeholder the schema requires; the local store ignores it.
  return { uploader: createUploader({ ...input, bucket: 'local' }, { store, ...converting }), local: store };
}
