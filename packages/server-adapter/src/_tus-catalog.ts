/**
 * What the tus routes tell the catalog. While bytes arrive, the upload's row (`catalog/uploads.ts`) follows it:
 * written at creation and after each kept chunk, removed when it ends (finished, terminated, expired). Those writes
 * never fail a request: the bytes and the upload's own record are in the tus backend, so a catalog outage costs only
 * the listing (the next chunk writes the row whole again), never the upload. The finished file is recorded like any
 * upload's (`recordUploads`): a catalog that is down then answers 503, the object kept.
 */
import type { UploadResult } from '@bytedrop/core';
import { recordUploads, trackUpload, untrackUpload } from './_catalog-write';
import { filenameOf } from './_tus-finish';
import type { AccessKey } from './auth';
import type { TusBackend, TusUpload } from './tus-store';
import type { App, RouteContext } from './types';

/** The catalog side of one handler's tus endpoint (every method a no-op without a catalog). */
export interface TusCatalog {
  /** The tus backend, its uploads' rows following every creation, kept chunk, learnt length and removal. */
  backend(backend: TusBackend): TusBackend;
  /** Records the finished file; `ERR_NETWORK` (503) when the catalog fails. */
  finished(result: UploadResult, who: AccessKey, context: RouteContext): Promise<void>;
}

/** The tus endpoint's catalog writes. */
export function createTusCatalog(app: App): TusCatalog {
  const uploads = app.catalog?.uploads;
  const progressed = async (upload: TusUpload) => {
    if (upload.result !== undefined) return ended(upload.id);
    await trackUpload(app, {
      id: upload.id,
      kind: upload.partial ? 'tus-partial' : 'tus',
      owner: upload.owner,
      filename: filenameOf(upload),
      length: upload.length ?? null,
      offset: upload.offset,
      createdAt: new Date(upload.created),
      expiresAt: new Date(upload.expires),
    });
  };
  const ended = (id: string) => untrackUpload(app, id);
  return {
    backend: (backend) =>
      uploads === undefined
        ? backend
        : {
            kind: backend.kind,
            load: (id) => backend.load(id),
            read: (upload, signal, etag) => backend.read(upload, signal, etag),
            ...(backend.stored ? { stored: backend.stored.bind(backend) } : {}),
            async create(upload) {
              await backend.create(upload);
              await progressed(upload);
            },
            async save(upload) {
              await backend.save(upload);
              await progressed(upload);
            },
            async append(upload, body, check) {
              const appended = await backend.append(upload, body, check);
              await progressed(upload);
              return appended;
            },
            async discard(upload, options) {
              await backend.discard(upload, options);
              await ended(upload.id);
            },
          },
    finished: (result, who, context) => recordUploads(app, [result], who, context.requestId, context.log),
  };
}
