/**
 * What the upload and delete routes write to the catalog. Storage is the source of truth for bytes, so the object
 * is stored first and recorded after: a catalog that is down (PostgreSQL restarting, a full disk) answers the upload
 * 503 with the object kept. Sending it again is safe, since the same bytes land on the same key (a dedupe hit that
 * writes the missing record), and `bytedrop-server catalog rebuild` adopts whatever a client never resent. No
 * upload is lost, and none is answered 200 without its record.
 */
import { BytedropError, type UploadResult } from '@bytedrop/core';
import type { AccessKey } from './auth';
import type { Catalog, FileRecord } from './catalog/types';
import type { UploadRecord } from './catalog/uploads';
import type { App, Logger } from './types';

/** The 503 for a catalog that failed; the driver's message (hosts, paths) goes to the log only. */
export function catalogUnavailable(
  catalog: Catalog,
  error: unknown,
  log: Logger,
  what: string,
): BytedropError {
  log.error({ err: error, catalog: catalog.dialect }, `catalog failed: ${what}`);
  return new BytedropError(
    'ERR_NETWORK',
    `the file catalog (${catalog.dialect}) is not answering, so ${what}: try again in a moment (the operator finds the cause in the log)`,
    { cause: error },
  );
}

/**
 * The record of a file an upload stored (or found stored: a dedupe hit keeps the first record). The hash is written
 * `<algorithm>:<hex>`, as storage's metadata has it, so records from uploads and from a rebuild compare equal.
 */
export function uploadRecord(
  result: UploadResult,
  who: AccessKey,
  requestId: string,
  now: Date,
  algorithm: string,
): FileRecord {
  return {
    key: result.key,
    // A dedupe hit reports the object's first owner; an object another tool wrote has none.
    owner: result.owner ?? (result.deduplicated ? null : who.name),
    filename: result.filename,
    size: result.size,
    hash: `${algorithm}:${result.hash}`,
    contentType: result.contentType,
    width: result.width ?? null,
    height: result.height ?? null,
    createdAt: now,
    requestId,
    deleteToken: result.owner === who.name ? 'issued' : 'none',
  };
}

/**
 * Records what a request stored, in one statement with the records of the requests finishing beside it
 * (`_record-batch.ts`); resolves once they are committed. A failure is the 503 above, the objects stay.
 */
export async function recordUploads(
  app: App,
  results: readonly UploadResult[],
  who: AccessKey,
  requestId: string,
  log: Logger,
): Promise<void> {
  const { catalog, recordBatch } = app;
  if (!catalog) return;
  // createHandler builds the batcher with the catalog; an app without one must never answer 200 unrecorded.
  if (!recordBatch)
    throw new BytedropError(
      'ERR_CONFIG',
      'the app has a catalog but no record batcher: build it with createHandler',
    );
  const now = new Date();
  // Core's uploaders say which algorithm their hex is of; a custom `Uploader` without a config hashes SHA-256.
  const algorithm =
    (app.options.uploader as { config?: { hashAlgorithm?: string } }).config?.hashAlgorithm ?? 'sha256';
  try {
    await recordBatch(results.map((result) => uploadRecord(result, who, requestId, now, algorithm)));
  } catch (error) {
    throw catalogUnavailable(
      catalog,
      error,
      log,
      `the upload is stored but not listed yet (keys: ${results.map((r) => r.key).join(', ')}); send it again to list it`,
    );
  }
}

/** Removes the record of a deleted object; a failure is a 503 (a retried delete finds the record and finishes). */
export async function forgetFile(catalog: Catalog | undefined, key: string, log: Logger): Promise<void> {
  if (!catalog) return;
  try {
    await catalog.remove(key);
  } catch (error) {
    throw catalogUnavailable(catalog, error, log, `'${key}' is deleted from storage but still listed`);
  }
}

/** A failed write of an upload in flight: logged, never thrown (the upload's bytes and record are elsewhere). */
function inFlightFailed(app: App, error: unknown, id: string): void {
  app.logger.warn(
    { err: error, upload: id, catalog: app.catalog?.dialect },
    'the catalog did not take an upload in flight: the upload goes on, its listing catches up with its next step',
  );
}

/** Writes the row of an upload in flight (`GET /api/uploads`); a catalog that fails costs the listing only. */
export async function trackUpload(app: App, upload: UploadRecord): Promise<void> {
  try {
    await app.catalog?.uploads.put(upload);
  } catch (error) {
    inFlightFailed(app, error, upload.id);
  }
}

/** Removes the row of an upload that ended (finished, ended, expired); a failure is left to the expiry sweep. */
export async function untrackUpload(app: App, id: string): Promise<void> {
  try {
    await app.catalog?.uploads.remove(id);
  } catch (error) {
    inFlightFailed(app, error, id);
  }
}
