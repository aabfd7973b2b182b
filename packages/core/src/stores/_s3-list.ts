/**
 * Listing a bucket through every page: open multipart uploads, and objects under a prefix. Sweeps, `bytedrop gc`
 * and the doctor all read these.
 */
import { ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

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

/**
 * Every object under `prefix`, through every page of the listing (`bytedrop-server catalog rebuild` reads a bucket
 * with it).
 *
 * @example
 * ```ts
 * const objects = await listObjects(store.client, store.bucket, '2026/');
 * objects[0]; // { key: '2026/11/29/shot-9f86d081.png', lastModified: Date }
 * ```
 */
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
