/**
 * What uploads leave in a bucket, seen from outside any one upload: every open multipart upload (Bytedrop's or any
 * other tool's) and the objects under the temporary prefix. `bytedrop doctor` counts them; `bytedrop gc
 * --all-uploads` aborts open uploads beyond Bytedrop's own prefix, which only a person may decide to do.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { listOpenUploads } from './stores/_s3-list';
import { abortUpload } from './stores/_s3-sweep';

export type { ListedObject, OpenUpload } from './stores/_s3-list';
export { listObjects, listOpenUploads } from './stores/_s3-list';

/**
 * Aborts every open multipart upload in the bucket that started more than `olderThan` ms ago, whoever started it,
 * except the upload ids in `keep` (those a journal keeps for a resume). Resolves to `key (uploadId)` of each one
 * aborted (an upload that finished meanwhile is skipped).
 *
 * @example
 * ```ts
 * await abortOpenUploads(store.client, store.bucket, { olderThan: 24 * 3600_000 }); // ['big.iso (VXBs…)']
 * ```
 */
export async function abortOpenUploads(
  client: S3Client,
  bucket: string,
  options: { olderThan: number; signal?: AbortSignal; keep?: ReadonlySet<string> },
): Promise<string[]> {
  const cutoff = Date.now() - options.olderThan;
  const aborted: string[] = [];
  for (const upload of await listOpenUploads(client, bucket, options)) {
    if (upload.initiated && upload.initiated.getTime() > cutoff) continue;
    if (options.keep?.has(upload.uploadId)) continue;
    if (await abortUpload({ client, bucket }, upload.key, upload.uploadId)) {
      aborted.push(`${upload.key} (${upload.uploadId})`);
    }
  }
  return aborted;
}
