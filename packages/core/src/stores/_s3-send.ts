/**
 * The write of one put: the body through `_s3-put.ts` (one PutObject or lib-storage), the multipart upload written
 * down in the journal while it runs, and what a failure leaves: a resumable upload kept open, an object that landed
 * though its answer was lost, a provider without `If-None-Match` guarded by a HEAD, else every part aborted.
 */
import type { ObjectCannedACL, S3Client } from '@aws-sdk/client-s3';
import { isReplayable } from '../_body';
import type { BytedropConfig } from '../config';
import { BytedropError } from '../errors';
import type { BodyInput, PutOptions, PutResult, StoredObject } from '../types';
import type { createAbortKeeper } from './_s3-aborts';
import { scopedClient, statusOf } from './_s3-client';
import { objectHeaders, toUploadBody } from './_s3-params';
import { startPut } from './_s3-put';
import { freshLog, keptOpen, mapFailure, type ResumeDeps, resumableFailure } from './_s3-resumable';
import { s3Sdk } from './_s3-sdk';
import { abortStrays } from './_s3-sweep';

/** What a put's write needs of its store, beyond what a resumed put needs. */
export interface SendDeps extends ResumeDeps {
  /** The real SDK client (an injected one, or the one built on the first request). */
  ready: () => S3Client | Promise<S3Client>;
  config: Pick<BytedropConfig, 'multipartThreshold' | 'partSize' | 'queueSize'>;
  bucket: string;
  acl: ObjectCannedACL | undefined;
  /** Where `If-None-Match: *` is sent and honoured. */
  conditional: { put: boolean; complete: boolean; enforced: boolean };
  aborts: ReturnType<typeof createAbortKeeper>;
  head: (key: string) => Promise<StoredObject | undefined>;
}

/** The store's `send(key, body, options, ifAbsent)`: one attempt at a put, as `createS3Store`'s `put` describes. */
export function s3Sender(deps: SendDeps) {
  const { journal, storeId: id, active, target, config, bucket, acl, conditional, aborts, head } = deps;

  async function send(
    key: string,
    body: BodyInput,
    options: PutOptions,
    ifAbsent: boolean,
  ): Promise<PutResult> {
    let entry: string | undefined;
    const [sdk, real] = await Promise.all([s3Sdk(), deps.ready()]);
    // lib-storage sends one PUT exactly when the body fits in one part, so a body up to multipartThreshold gets a
    // part as large as itself; a larger or unsized body is split into partSize parts.
    const partSize =
      options.size !== undefined && options.size <= config.multipartThreshold
        ? Math.max(config.partSize, options.size)
        : config.partSize;
    // A multipart upload of a source a later run can read again is left open when cut, for that run to continue.
    const log = freshLog(journal, options, partSize);
    const inFlight = new Set<Promise<unknown>>();
    let created: string | undefined;
    const scoped = scopedClient(sdk, real, {
      signal: options.signal,
      sha256: options.sha256,
      contentMd5: options.contentMd5,
      ifNoneMatch: { put: ifAbsent && conditional.put, complete: ifAbsent && conditional.complete },
      onCreated: async (uploadId, retriedSince) => {
        const value = {
          kind: 'multipart' as const,
          store: id,
          key,
          uploadId,
          started: Date.now(),
          ...(log ? { resume: log.record } : {}),
        };
        created = uploadId;
        entry = await journal.add(value);
        log?.opened(entry, value);
        active.add(uploadId);
        if (retriedSince !== undefined) await abortStrays(target, key, active, retriedSince).catch(() => []);
      },
      ...(log ? { onPart: log.part, inFlight } : {}),
    });
    const params = {
      Bucket: bucket,
      Key: key,
      Body: toUploadBody(body, options, key),
      ...objectHeaders(options, acl),
    };
    const upload = await startPut(sdk, scoped, params, {
      partSize,
      queueSize: config.queueSize,
      leavePartsOnError: log !== undefined,
      // Only a resumable upload stops between parts: another would be aborted whole, its parts lost anyway.
      stop: log ? options.resume?.stop : undefined,
      onProgress: options.onProgress,
      size: options.size,
    });
    try {
      const out = await upload.done();
      await log?.settled();
      log?.close();
      if (upload.uploadId) active.delete(upload.uploadId);
      if (entry !== undefined) await journal.remove(entry);
      // One PUT, or a multipart upload completed: each is create-only where the provider honours it for that request.
      const exclusive =
        ifAbsent && conditional.enforced && (upload.uploadId ? conditional.complete : conditional.put);
      // radosgw answers CompleteMultipartUpload with an empty ETag: no ETag, rather than '' passing for one.
      return out.ETag ? { etag: out.ETag, exclusive } : { exclusive };
    } catch (error) {
      // A stopped upload's requests in flight go on: each part that finishes is written down before the run ends,
      // and a create that finishes is journaled, so its upload is kept for the resume rather than left unknown.
      while (inFlight.size > 0) await Promise.all(inFlight);
      const uploadId = upload.uploadId ?? created;
      if (uploadId) active.delete(uploadId);
      await log?.settled();
      log?.close();
      if (log && uploadId && entry !== undefined) {
        const cut = mapFailure(deps, key, error, options.signal, options.resume?.stop);
        if (resumableFailure(cut, options.signal)) {
          const landed = await landedAnyway(key, options, cut);
          if (!landed) throw keptOpen(cut, uploadId);
          await journal.remove(entry);
          return landed;
        }
      }
      const mapped = await aborts.failed(key, upload.uploadId, error, options.signal, entry);
      if (ifAbsent && conditional.put && statusOf(error) === 501 && isReplayable(body)) {
        // A provider that does not implement If-None-Match: a HEAD just before the plain PUT is the guard there (the
        // uploader's own may not have been sent: `putFirst`).
        if ((await head(key)) !== undefined) {
          throw new BytedropError(
            'ERR_CONFLICT',
            `an object already exists at '${key}' in bucket '${bucket}' and was not replaced`,
            { cause: mapped },
          );
        }
        return send(key, body, options, false);
      }
      const landed = await landedAnyway(key, options, mapped);
      if (landed) return landed;
      throw mapped;
    }
  }

  /** The object of a put whose answer was lost after the provider stored it (a Complete cut off on the way back). */
  async function landedAnyway(
    key: string,
    options: PutOptions,
    mapped: { code: string },
  ): Promise<PutResult | undefined> {
    const write = options.meta?.write;
    if (write === undefined || options.signal?.aborted || options.resume?.stop?.aborted) return undefined;
    if (mapped.code === 'ERR_CONFLICT') return undefined;
    const found = await head(key).catch(() => undefined);
    // Our own write, seen by this HEAD: as good as an exclusive one.
    return found?.meta?.write === write ? { etag: found.etag, exclusive: true } : undefined;
  }

  return send;
}
