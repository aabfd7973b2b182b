/**
 * The zero-setup default shared by the CLI and the server: when nothing about S3 is configured, files go to a
 * local directory that the server serves at `/f/*`. One definition, so `bytedrop upload` prints links the server
 * actually answers.
 */
import { resolve } from 'node:path';
import type { BytedropConfigInput } from '../config-input';
import { createLocalDiskStore, type LocalDiskStore } from './stores/local-disk';

/** Settings that mean "the user configured S3"; any one of them turns the local-disk default off. */
const S3_FIELDS = ['endpoint', 'bucket', 'accessKeyId', 'secretAccessKey', 'provider'] as const;

/**
 * True when a (merged, unvalidated) config says anything about S3: endpoint, bucket, keys or provider.
 *
 * @example
 * ```ts
 * const { input } = await loadConfigLayers();
 * const store = hasS3Settings(input) ? undefined : createDefaultLocalStore({ publicBaseUrl: input.publicBaseUrl });
 * ```
 */
export function hasS3Settings(input: Partial<BytedropConfigInput>): boolean {
  return S3_FIELDS.some((name) => input[name] !== undefined);
}

/** Options of `createDefaultLocalStore`. */
export interface DefaultLocalStoreOptions {
  /** Reads `BYTEDROP_DATA_DIR` (default `./data`) and `PORT` (default 8000); defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Base for a relative data directory; defaults to `process.cwd()`. */
  cwd?: string;
  /** Overrides the default `http://localhost:${PORT}/f` (e.g. the configured `publicBaseUrl`). */
  publicBaseUrl?: string;
  maxFileSize?: number;
}

/**
 * The local-disk store used when no S3 is configured: `BYTEDROP_DATA_DIR` (default `./data`), public URLs under
 * `http://localhost:${PORT || 8000}/f`, the server's `/f/*` route.
 *
 * @example
 * ```ts
 * const store = createDefaultLocalStore({ env: { BYTEDROP_DATA_DIR: '/var/lib/bytedrop', PORT: '8080' } });
 * store.publicUrl('a.png'); // 'http://localhost:8080/f/a.png'
 * ```
 */
export function createDefaultLocalStore(options: DefaultLocalStoreOptions = {}): LocalDiskStore {
  const env = options.env ?? process.env;
  return createLocalDiskStore({
    dir: resolve(options.cwd ?? process.cwd(), env.BYTEDROP_DATA_DIR || './data'),
    publicBaseUrl: options.publicBaseUrl ?? `http://localhost:${env.PORT || '8000'}/f`,
    ...(options.maxFileSize === undefined ? {} : { maxFileSize: options.maxFileSize }),
  });
}
