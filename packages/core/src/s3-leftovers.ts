/**
 * What uploads leave in a bucket, seen from outside any one upload: every open multipart upload (Bytedrop's or any
 * other tool's) and the objects under the temporary prefix. `bytedrop doctor` counts them; `bytedrop gc
 * --all-uploads` aborts open uploads beyond Bytedrop's own prefix, which only a person may decide to do.
 */
import { ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { abortUpload } from './stores/_s3-sweep';

/** One open multipart upload. */
export interface OpenUpload {
  key: string;
  uploadId: string;
  /** When it started, as the provider says. */
  initiated?: Date;
}

/** One object under a prefix. */
export interface ListedObject {
  key: string;
  lastModified?: Date;
}

/**
 * Every open multipart upload in `bucket` (under `prefix`, when given), through every page of the listing.
 *
 * @example
 * ```ts
 * const uploads = await listOpenUploads(store.client, store.bucket);
 * uploads.length; // 0 on a clean bucket
 * ```
 */
export async function listOpenUploads(
  client: S3Client,
  bucket: string,
  options: { prefix?: string; signal?: AbortSignal } = {},
): Promise<OpenUpload[]> {
  const found: OpenUpload[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page = await client.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        ...(options.prefix ? { Prefix: options.prefix } : {}),
        ...(keyMarker ? { KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker } : {}),
      }),
      options.signal ? { abortSignal: options.signal } : {},
    );
    for (const { Key, UploadId, Initiated } of page.Uploads ?? []) {
      if (Key && UploadId)
        found.push({ key: Key, uploadId: UploadId, ...(Initiated ? { initiated: Initiated } : {}) });
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    uploadIdMarker = page.NextUploadIdMarker;
  } while (keyMarker);
  return found;
}

/** Every object under `prefix`, through every page of the listing. */
export async function listObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
): Promise<ListedObject[]> {
  const found: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      signal ? { abortSignal: signal } : {},
    );
    for (const { Key, LastModified } of page.Contents ?? []) {
      if (Key) found.push({ key: Key, ...(LastModified ? { lastModified: LastModified } : {}) });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

/**
 * Aborts every open multipart upload in the bucket that started more than `olderThan` ms ago, whoever started it.
 * Resolves to `key (uploadId)` of each one aborted (an upload that finished meanwhile is skipped).
 *
 * @example
 * ```ts
 * await abortOpenUploads(store.client, store.bucket, { olderThan: 24 * 3600_000 }); // ['big.iso (VXBs…)']
 * ```
 */
export async function abortOpenUploads(
  client: S3Client,
  bucket: string,
  options: { olderThan: number; signal?: AbortSignal },
): Promise<string[]> {
  const cutoff = Date.now() - options.olderThan;
  const aborted: string[] = [];
  for (const upload of await listOpenUploads(client, bucket, options)) {
    if (upload.initiated && upload.initiated.getTime() > cutoff) continue;
    if (await abortUpload({ client, bucket }, upload.key, upload.uploadId)) {
      aborted.push(`${upload.key} (${upload.uploadId})`);
    }
  }
  return aborted;
}
