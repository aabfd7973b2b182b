/**
 * Upload from a file path. The file goes to the uploader as a lazy, file-backed Blob (`openFileBlob`): the uploader
 * reads it once to hash and sniff and again to upload, and neither read holds the file in memory — the second is
 * served from the page cache. The Blob also refuses to read a file that changed in between (NotReadableError),
 * so a key can never name a hash of other bytes than the ones stored.
 */
import { basename, resolve } from 'node:path';
import { BytedropError } from '../errors';
import type { Uploader, UploadOptions, UploadResult } from '../types';
import { openFileBlob } from './_file-blob';
import { statFile } from './_stat';

/**
 * A file on disk as a Blob that reads lazily: nothing is loaded until read, large files are hashed in a worker
 * thread, and a read of a file that changed since it was opened fails (`NotReadableError`; `ERR_INPUT` once it
 * reaches the uploader) instead of uploading other bytes. A missing path or a directory fails with `ERR_INPUT`.
 * Pass it to `prepare` or `upload` when the link must be known first; `uploadFile` is this plus `upload`.
 *
 * @example
 * ```ts
 * const file = await openFile('./clip.mp4', { type: 'video/mp4' });
 * const prepared = await uploader.prepare(file, { filename: 'clip.mp4' }); // hashed, nothing held in memory
 * await prepared.upload();
 * ```
 */
export async function openFile(path: string, options?: { type?: string }): Promise<Blob> {
  return await openFileBlob(resolve(path), await statFile(path), options?.type);
}

/** Options of `uploadFile`: those of `Uploader.upload`, with the filename defaulting to the file's basename. */
export type UploadFileOptions = Omit<UploadOptions, 'filename'> & { filename?: string };

/**
 * Uploads a file from disk. Filename defaults to the path's basename and size comes from `stat`.
 * A missing path or a directory fails with `ERR_INPUT` naming the path.
 *
 * @example
 * ```ts
 * import { createUploader } from '@bytedrop/core';
 * import { loadConfig, uploadFile } from '@bytedrop/core/node';
 *
 * const uploader = createUploader(await loadConfig());
 * const result = await uploadFile(uploader, './shots/shot.png');
 * console.log(result.url); // https://cdn.example.com/2024/05/01/shot-1a2b3c4d.png
 * ```
 */
export async function uploadFile(
  uploader: Uploader,
  path: string,
  options?: UploadFileOptions,
): Promise<UploadResult> {
  const blob = await openFile(path, options?.contentType === undefined ? {} : { type: options.contentType });
  try {
    return await uploader.upload(blob, {
      ...options,
      filename: options?.filename ?? basename(resolve(path)),
      size: blob.size,
    });
  } catch (error) {
    // The uploader may have wrapped the Blob's error, so look down the cause chain.
    if (causedByNotReadable(error)) {
      throw new BytedropError(
        'ERR_INPUT',
        `'${path}' changed or disappeared while it was being uploaded: wait until it is fully written, then retry`,
        { cause: error },
      );
    }
    throw error;
  }
}

function causedByNotReadable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if ((current as { name?: unknown }).name === 'NotReadableError') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
