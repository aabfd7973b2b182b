/**
 * Finishing a tus upload: its assembled bytes are read back from where they waited (the temporary multipart object,
 * the partial file) and handed to core's uploader through the very path of `PUT /upload/<name>` (`storeFile`), so
 * hash, key template, dedupe, allowed types, image metadata, owner and limits are decided exactly as for any upload.
 * Only then are the bytes in flight removed; the small record stays (with the result) until the sweep, so a
 * `GET` of the upload URL can answer what `POST /upload` would have.
 *
 * Reading the bytes back costs one more transfer from storage to the server than a plain upload: the price of not
 * trusting anything the tus path computed on its own, since core names and checks the object from the bytes it reads
 * itself. They are not sent up again: on S3 the assembled object is copied to its final key inside the storage, at
 * the version that was read (`copyFrom`). Finals of concatenated partials are written (they are several objects).
 */
import type { UploadResult } from '@bytedrop/core';
import { KEEP_METADATA, keepMetadata } from './_keep-metadata';
import { PRIVATE_FIELD, privateFlag } from './_private';
import type { createUploadRoutes } from './_upload';
import type { AccessKey } from './auth';
import type { TusBackend, TusUpload } from './tus-store';
import type { App } from './types';

/** The upload routes' shared steps the tus routes finish with. */
export type Uploads = ReturnType<typeof createUploadRoutes>;

/** The file's name from tus metadata: `filename` (tus-js-client's convention) or `name` (Uppy's). */
export function filenameOf(upload: TusUpload): string {
  return upload.metadata.filename ?? upload.metadata.name ?? 'upload';
}

/** The bytes of the partial uploads one after the other, each read from where it waits (never a copy on disk). */
async function* concatenated(
  backend: TusBackend,
  partials: readonly TusUpload[],
): AsyncGenerator<Uint8Array> {
  for (const partial of partials) yield* backend.read(partial);
}

/**
 * Places the complete `upload` through core's uploader and records the result; on any failure (a refused type, a
 * storage error) the upload is removed whole and the error thrown: nothing is left behind. A final upload
 * (`Upload-Concat: final`) passes its `partials`: their bytes, in order, are the file's, and they are removed with it.
 * `contentMd5`: the client's MD5 of the whole file; a mismatch is `ERR_CHECKSUM`, with the upload removed.
 */
export async function finishUpload(
  app: App,
  uploads: Uploads,
  backend: TusBackend,
  upload: TusUpload,
  who: AccessKey,
  partials: readonly TusUpload[] = [],
  contentMd5?: string,
): Promise<UploadResult> {
  let result: UploadResult;
  const removePartials = () => Promise.all(partials.map((partial) => backend.discard(partial)));
  try {
    const keep = upload.metadata[KEEP_METADATA];
    const hidden = upload.metadata[PRIVATE_FIELD];
    // Bytes already assembled in storage are read (core hashes them) and then copied there, not written again.
    const source = upload.final ? undefined : await backend.stored?.(upload);
    result = await uploads.storeFile(
      {
        field: 'tus',
        filename: filenameOf(upload),
        mimeType: upload.metadata.filetype ?? upload.metadata.type ?? '',
        body: upload.final ? concatenated(backend, partials) : backend.read(upload, undefined, source?.etag),
        ...(source ? { copyFrom: source } : {}),
        // The client's MD5 of its whole file (`Bytedrop-Content-MD5`): core checks the bytes read back against it.
        ...(contentMd5 === undefined ? {} : { contentMd5 }),
      },
      who,
      {
        // The client may leave now: the bytes are all here, and the upload is finished for it to GET later.
        signal: new AbortController().signal,
        keepHeader: keep === undefined ? undefined : keepMetadata(keep, 'tus metadata'),
        privateHeader: hidden === undefined ? undefined : privateFlag(hidden, 'tus metadata'),
      },
    );
  } catch (error) {
    await Promise.all([backend.discard(upload), removePartials()]).catch((failure: unknown) =>
      app.logger.error(
        { err: failure, upload: upload.id },
        'could not remove a refused tus upload: the sweep will',
      ),
    );
    throw error;
  }
  upload.result = result;
  // The file is placed: a partial that will not go now is the sweep's, never a reason to lose the answer.
  await removePartials().catch((failure: unknown) =>
    app.logger.error(
      { err: failure, upload: upload.id },
      'could not remove the partials of a finished upload: the sweep will',
    ),
  );
  await backend.discard(upload, { keepRecord: true });
  await backend.save(upload);
  return result;
}
