/**
 * Cleaning up after uploads that died, on S3: by the journal (exact, at start) and by listing (anything older than a
 * threshold under a temporary prefix, which also covers a lost journal). Only Bytedrop's temporary prefix is ever
 * listed, so uploads other tools started in the bucket are never touched.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { awaitsResume, type UploadJournal } from '../journal';
import type { SweepReport } from '../types';
import { nameOf, statusOf } from './_s3-client';
import { listObjects, listOpenUploads } from './_s3-list';
import { s3Sdk } from './_s3-sdk';

/** Where a sweep works. */
export interface SweepTarget {
  client: S3Client;
  bucket: string;
}

/** Aborts one multipart upload. True when it is gone (aborted now, or already completed or aborted). */
export async function abortUpload(target: SweepTarget, key: string, uploadId: string): Promise<boolean> {
  try {
    const { AbortMultipartUploadCommand } = await s3Sdk();
    await target.client.send(
      new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: key, UploadId: uploadId }),
    );
    return true;
  } catch (error) {
    return nameOf(error) === 'NoSuchUpload' || statusOf(error) === 404;
  }
}

/** Deletes one object; true when it is gone. */
async function deleteObject(target: SweepTarget, key: string): Promise<boolean> {
  try {
    const { DeleteObjectCommand } = await s3Sdk();
    await target.client.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: key }));
    return true;
  } catch (error) {
    return statusOf(error) === 404;
  }
}

/** Aborts the journal's multipart uploads and deletes its temporary objects for `storeId`; closes what is gone. */
export async function recoverFromJournal(
  target: SweepTarget,
  journal: UploadJournal,
  storeId: string,
): Promise<SweepReport> {
  const report: SweepReport = { abortedUploads: [], deleted: [] };
  for (const entry of await journal.entries()) {
    // An interrupted upload a later run is to continue (`PutOptions.resume`) is left for it, until it is too old.
    if (entry.store !== storeId || awaitsResume(entry)) continue;
    if (entry.kind === 'multipart') {
      if (!(await abortUpload(target, entry.key, entry.uploadId))) continue;
      report.abortedUploads.push(`${entry.key} (${entry.uploadId})`);
    } else {
      if (!(await deleteObject(target, entry.key))) continue;
      report.deleted.push(entry.key);
    }
    await journal.remove(entry.id);
  }
  return report;
}

/** How far back, before our own create, a stray of a retried create may have been made (allows for clock skew). */
const STRAY_WINDOW = 5 * 60_000;

/**
 * Aborts the other multipart uploads of exactly `key` made since shortly before `since`, except `keep`: what a
 * CreateMultipartUpload whose answer was lost (then retried) made. Only the same key, only that recent: the rare
 * concurrent upload of the very same key elsewhere would fail and be retried, never store wrong bytes.
 */
export async function abortStrays(
  target: SweepTarget,
  key: string,
  keep: ReadonlySet<string>,
  since: number,
): Promise<string[]> {
  const { ListMultipartUploadsCommand } = await s3Sdk();
  const aborted: string[] = [];
  const page = await target.client.send(
    new ListMultipartUploadsCommand({ Bucket: target.bucket, Prefix: key }),
  );
  for (const upload of page.Uploads ?? []) {
    const { Key, UploadId, Initiated } = upload;
    if (Key !== key || !UploadId || keep.has(UploadId)) continue;
    if (Initiated && Initiated.getTime() < since - STRAY_WINDOW) continue;
    if (await abortUpload(target, Key, UploadId)) aborted.push(UploadId);
  }
  return aborted;
}

/**
 * Aborts multipart uploads and deletes objects under `prefix` that started before `now - olderThan`. Pages through
 * both listings; an entry that vanished meanwhile (finished by its own upload) is simply skipped.
 */
export async function sweepPrefix(
  target: SweepTarget,
  options: { prefix: string; olderThan: number; signal?: AbortSignal },
): Promise<SweepReport> {
  const { client, bucket } = target;
  const { prefix, signal } = options;
  const cutoff = Date.now() - options.olderThan;
  const report: SweepReport = { abortedUploads: [], deleted: [] };
  for (const { key, uploadId, initiated } of await listOpenUploads(client, bucket, {
    prefix,
    ...(signal ? { signal } : {}),
  })) {
    if (initiated && initiated.getTime() > cutoff) continue;
    if (await abortUpload(target, key, uploadId)) report.abortedUploads.push(`${key} (${uploadId})`);
  }
  for (const { key, lastModified } of await listObjects(client, bucket, prefix, signal)) {
    if (lastModified && lastModified.getTime() > cutoff) continue;
    if (await deleteObject(target, key)) report.deleted.push(key);
  }
  return report;
}
