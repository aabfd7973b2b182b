/**
 * The upload routes: `POST /upload` (multipart, any field name) and `PUT /upload/:filename` (raw body). Images are
 * stripped of their metadata unless a `keep-metadata` header or form field says otherwise (`_keep-metadata.ts`). Files are
 * streamed to core's uploader one after another; the answer is the ByteGo/PicGo/PicList superset.
 */
import { type ConvertOption, isBytedropError, type UploadResult } from '@bytedrop/core';
import { recordUploads } from './_catalog-write';
import { CONVERT, convertOption } from './_convert-header';
import { KEEP_METADATA, keepMetadata } from './_keep-metadata';
import { forEachFile, type IncomingFile } from './_multipart';
import { PRIVATE_HEADER, privateFlag } from './_private';
import { type QuotaGate, quotaGate } from './_quota';
import { rollBack } from './_rollback';
import { requireScope } from './_scopes';
import { startStorageClock } from './_storage-clock';
import { limitBytes, requestBody, tooLarge } from './_stream';
import { createDescriber } from './_upload-describe';
import type { AccessKey } from './auth';
import { fail, json, StorageFailure } from './response';
import type { App, RouteContext, UploadedFile } from './types';

/** How `storeFile` stores one file, besides the file and its key. */
interface StoreFileOptions {
  /** Ends the upload (the client left); core then aborts it in storage. */
  signal: AbortSignal;
  /** `Bytedrop-Keep-Metadata` (or the tus metadata): the form field before the part still wins. */
  keepHeader?: boolean | undefined;
  convert?: ConvertOption | undefined;
  /** The request's quota gate; by default the key's own. */
  quota?: QuotaGate | undefined;
  /** `Bytedrop-Private` (or the tus metadata): the form field before the part still wins. */
  privateHeader?: boolean | undefined;
}

/** Multipart framing per file (boundaries, part headers), on top of the file bytes. */
const PART_OVERHEAD = 64 * 1024;
const MAX_FIELDS = 100;

function contentLength(request: Request): number | undefined {
  const value = request.headers.get('content-length');
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** The upload routes of one handler. */
export function createUploadRoutes(app: App) {
  const { options, maxFileSize, maxFiles } = app;
  // The bytes of stored images until the answer starts their thumbnails (after a failed request's rollback).
  const thumbnailBytes = new WeakMap<UploadResult, Uint8Array>();
  const { privatePrefix } = app;

  const describe = createDescriber(app, thumbnailBytes);

  const storeFile = async (
    file: IncomingFile,
    who: AccessKey,
    { signal, keepHeader, convert, quota = quotaGate(app, who, app.logger), privateHeader }: StoreFileOptions,
  ): Promise<UploadResult> => {
    // The form field before the part, then the header, then the access key's setting.
    const hidden = file.private ?? privateHeader ?? who.private ?? false;
    const keyPrefix = `${hidden ? privatePrefix : ''}${who.prefix ?? ''}`;
    // Counted before a byte is stored: a file over the key's rate or its files quota is refused whole.
    await app.options.rateLimits?.consume(who);
    const body = quota ? await quota.admit(file.filename, file.body) : file.body;
    // The form field before the part wins over the header; neither leaves it to the server's config (strip).
    const keep = file.keepMetadata ?? keepHeader;
    const clock = startStorageClock(app.storageTimeoutMs, signal);
    const captured = options.thumbnails?.capture(body, file.filename);
    // Thumbnails wait while a file is being stored (a tus upload's end comes here too).
    const stored = options.thumbnails?.uploading();
    try {
      const result = await options.uploader.upload(clock.watch(captured?.body ?? body), {
        filename: file.filename,
        ...(file.mimeType && file.mimeType !== 'application/octet-stream'
          ? { contentType: file.mimeType }
          : {}),
        // The client gone or the storage timeout: either ends the upload, and core then aborts it in storage (no
        // object, no multipart parts left).
        signal: clock.signal,
        ...(keyPrefix ? { keyPrefix } : {}),
        vars: { user: who.name },
        // Recorded with a new object; a dedupe hit reports the object's first owner instead (delete rights).
        owner: who.name,
        // The body is here already: a create-only PUT asks whether the key is free, no HEAD before it (where the
        // store refuses writes to taken keys; elsewhere core still HEADs first).
        putFirst: true,
        ...(file.contentMd5 === undefined ? {} : { contentMd5: file.contentMd5 }),
        ...(file.copyFrom === undefined ? {} : { copyFrom: file.copyFrom }),
        ...(keep === undefined ? {} : { stripMetadata: !keep }),
        ...(convert === undefined ? {} : { convert }),
        // Core judges the sniffed type before it sends anything, so a refused file leaves nothing in storage.
        ...(options.allowedTypes ? { allowedTypes: options.allowedTypes } : {}),
      });
      quota?.stored(result.size);
      app.metrics.fileStored({
        size: result.size,
        deduplicated: result.deduplicated,
        storageSeconds: clock.waitedMs / 1000,
      });
      const bytes = captured?.bytes();
      if (bytes) thumbnailBytes.set(result, bytes);
      return result;
    } catch (error) {
      if (clock.expired) throw new StorageFailure(clock.expired);
      // A limit or a type refused while the uploader was reading is the client's 413/415, and bytes that do not match
      // the client's own MD5 its 400 (460 over tus): not a storage failure.
      if (
        isBytedropError(error, 'ERR_CHECKSUM') ||
        isBytedropError(error, 'ERR_TOO_LARGE') ||
        isBytedropError(error, 'ERR_QUOTA') ||
        isBytedropError(error, 'ERR_UNSUPPORTED_TYPE') ||
        isBytedropError(error, 'ERR_IMAGE')
      )
        throw error;
      throw new StorageFailure(error);
    } finally {
      clock.stop();
      stored?.();
    }
  };

  /** Tells the webhooks of stored files (once per upload: not again when an answer is asked for later). */
  const announce = (files: UploadedFile[], who: AccessKey, requestId?: string) => {
    for (const file of files) {
      const { key, url, size, hash, contentType, filename, deduplicated } = file;
      const facts = { key, owner: who.name, url, size, hash, contentType, filename, deduplicated };
      app.options.webhooks?.emit('file.uploaded', facts, requestId);
    }
  };

  /** The upload answer for described files. */
  const answer = (files: UploadedFile[]): Response =>
    json(
      {
        success: true,
        msg: 'success',
        url: files[0]!.url,
        // For clients that read one field per upload, as ShareX's DeletionURL does.
        deleteUrl: files[0]!.deleteUrl,
        result: files.map((f) => f.url),
        files,
      },
      200,
      undefined,
      app.ResponseClass,
    );

  const respondUploaded = async (
    results: UploadResult[],
    who: AccessKey,
    origin: string,
    requestId?: string,
  ): Promise<Response> => {
    const files = await Promise.all(results.map((result) => describe(result, who, origin)));
    announce(files, who, requestId);
    return answer(files);
  };

  /** `route` with thumbnails waiting until its answer is ready, so no encoder competes with the upload. */
  const asUpload =
    <Args extends unknown[]>(route: (...args: Args) => Promise<Response>) =>
    async (...args: Args): Promise<Response> => {
      const done = options.thumbnails?.uploading();
      try {
        return await route(...args);
      } finally {
        done?.();
      }
    };

  const post = async (request: Request, context: RouteContext): Promise<Response> => {
    const who = await app.authenticate(request, context.client, context.log);
    requireScope(who, 'upload');
    const type = request.headers.get('content-type') ?? '';
    if (!/^multipart\/form-data/i.test(type)) {
      throw fail(
        'ERR_UNSUPPORTED_TYPE',
        `POST /upload takes multipart/form-data, got '${type || 'no Content-Type'}': use \`curl -F file=@shot.png\`, or PUT /upload/<name> for a raw body`,
      );
    }
    const length = contentLength(request);
    if (length !== undefined && length > maxFiles * (maxFileSize + PART_OVERHEAD)) {
      throw tooLarge(`the request (${length} bytes)`, maxFiles * maxFileSize);
    }
    const keepHeader = keepMetadata(request.headers.get(KEEP_METADATA), 'header');
    const convert = convertOption(request.headers.get(CONVERT));
    // One quota for the whole request: each file counts against the room the ones before it left.
    const quota = quotaGate(app, who, context.log);
    const privateHeader = privateFlag(request.headers.get(PRIVATE_HEADER), 'header');
    // Every file stored so far, also those that finish after another one failed: all are undone on a failure.
    const stored: UploadResult[] = [];
    let results: UploadResult[];
    try {
      results = await forEachFile(
        request,
        requestBody(request, context.body),
        { maxFileSize, maxFiles, maxFields: MAX_FIELDS },
        async (file, signal) => {
          const result = await storeFile(file, who, { signal, keepHeader, convert, quota, privateHeader });
          stored.push(result);
          return result;
        },
      );
    } catch (error) {
      await rollBack(stored, app.store, app.logger);
      throw error;
    }
    await recordUploads(app, results, who, context.requestId, context.log);
    return respondUploaded(results, who, context.origin, context.requestId);
  };

  const put = async (request: Request, context: RouteContext, rawName: string): Promise<Response> => {
    const who = await app.authenticate(request, context.client, context.log);
    requireScope(who, 'upload');
    let filename: string;
    try {
      filename = decodeURIComponent(rawName);
    } catch {
      throw fail(
        'ERR_FILENAME',
        `filename '${rawName}' is not valid percent-encoding: encode it with encodeURIComponent`,
      );
    }
    const length = contentLength(request);
    if (length !== undefined && length > maxFileSize) throw tooLarge(filename, maxFileSize);
    const keepHeader = keepMetadata(request.headers.get(KEEP_METADATA), 'header');
    const convert = convertOption(request.headers.get(CONVERT));
    const privateHeader = privateFlag(request.headers.get(PRIVATE_HEADER), 'header');
    const body = requestBody(request, context.body);
    if (!body)
      throw fail('ERR_INPUT', 'the request has no body: send the file as the PUT body (`curl -T shot.png`)');
    const controller = new AbortController();
    const abort = () => controller.abort(fail('ERR_ABORTED', 'the client disconnected; nothing was stored'));
    request.signal.addEventListener('abort', abort, { once: true });
    try {
      const declared = request.headers.get('content-type') ?? '';
      const contentMd5 = request.headers.get('content-md5')?.trim();
      const result = await storeFile(
        {
          field: 'body',
          filename,
          mimeType: declared,
          ...(contentMd5 ? { contentMd5 } : {}),
          body: limitBytes(body, maxFileSize, filename),
        },
        who,
        { signal: controller.signal, keepHeader, convert, privateHeader },
      );
      await recordUploads(app, [result], who, context.requestId, context.log);
      return await respondUploaded([result], who, context.origin, context.requestId);
    } finally {
      request.signal.removeEventListener('abort', abort);
    }
  };

  // storeFile, describe, announce and answer: the tus routes finish an upload exactly like these do (`_tus.ts`).
  return { post: asUpload(post), put: asUpload(put), storeFile, describe, announce, answer };
}
