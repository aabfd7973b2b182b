/**
 * Builds the tus endpoint from the handler's options: the backend (S3 by default when the uploader's store is S3;
 * the local disk needs `tus.backend` from `@bytedrop/server/node`), the locks and the expiry.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { SERVER_TEMP_PREFIX } from './_housekeeping';
import { createTusRoutes } from './_tus';
import { createTusCatalog } from './_tus-catalog';
import type { Uploads } from './_tus-finish';
import { createTusS3Backend } from './_tus-s3';
import { createMemoryTusLocks } from './tus-locks';
import type { TusBackend } from './tus-store';
import type { App } from './types';

/** Where tus uploads wait: under the server's temporary prefix, so its sweeps remove abandoned ones. */
export const TUS_TEMP_PREFIX = `${SERVER_TEMP_PREFIX}tus/`;

const MiB = 1024 * 1024;

/** The tus routes of one handler. */
export function createTusEndpoint(app: App, uploads: Uploads) {
  const tus = app.options.tus ?? {};
  let backend: TusBackend | undefined = tus.backend;
  const store = app.store as { kind?: string; client?: S3Client; bucket?: string } | undefined;
  if (!backend && store?.kind === 's3' && store.client && store.bucket) {
    const config = (app.options.uploader as { config?: { partSize?: number } }).config;
    backend = createTusS3Backend({
      client: store.client,
      bucket: store.bucket,
      prefix: TUS_TEMP_PREFIX,
      partSize: tus.partSize ?? config?.partSize ?? 8 * MiB,
    });
  }
  const catalog = createTusCatalog(app);
  return createTusRoutes(app, uploads, {
    backend: backend && catalog.backend(backend),
    catalog,
    locks: tus.locks ?? createMemoryTusLocks(),
    expiresMs: tus.expiresMs ?? 3_600_000,
    lockWaitMs: tus.lockWaitMs ?? 10_000,
  });
}
