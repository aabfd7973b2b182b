/**
 * The tus requests that write: creation (`POST`, with data or without, length deferred or not) and `PATCH`. Each
 * checks the offset and lengths, streams the body to the backend (checked against `Upload-Checksum` when sent, and
 * never past the declared length, the size limit, or for a deferred length the key's quota), and finishes the upload
 * through core when the last byte is in.
 */
import { BytedropError, isBytedropError } from '@bytedrop/core';
import { quotaGate } from './_quota';
import { requestBody } from './_stream';
import { expiresHeader, lockedBy, noContent, own, TUS_PATH } from './_tus-access';
import type { TusCatalog } from './_tus-catalog';
import { createFinals, parseConcat } from './_tus-concat';
import { filenameOf, finishUpload, type Uploads } from './_tus-finish';
import {
  checksumOf,
  contentMd5Of,
  integerHeader,
  OFFSET_TYPE,
  parseMetadata,
  tusError,
  URL_HEADER,
} from './_tus-headers';
import type { AccessKey } from './auth';
import type { TusLocks } from './tus-locks';
import type { TusBackend, TusUpload } from './tus-store';
import type { App, Logger, RouteContext } from './types';

/** `PATCH` of a 0-length body at the end, `Upload-Length: 0`: nothing to read. */
async function* nothing(): AsyncGenerator<Uint8Array> {}

/** Passes chunks through, failing with 413 as soon as the upload would grow past `room` more bytes. */
async function* capped(
  source: AsyncIterable<Uint8Array>,
  room: number,
  what: string,
): AsyncGenerator<Uint8Array> {
  let seen = 0;
  for await (const chunk of source) {
    seen += chunk.byteLength;
    if (seen > room) throw tusError('ERR_TOO_LARGE', 413, what);
    yield chunk;
  }
}

/**
 * Runs `work`; an `ERR_QUOTA` from it ends the upload (bytes and record), like an over-size upload through
 * `POST /upload`: it cannot fit, so nothing of it waits in storage.
 */
async function overQuota<T>(
  upload: TusUpload,
  store: TusBackend,
  log: Logger,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isBytedropError(error, 'ERR_QUOTA')) throw error;
    // The answer stays the quota's: what could not be removed now is the sweep's.
    await store
      .discard(upload)
      .catch((failure: unknown) =>
        log.error(
          { err: failure, upload: upload.id },
          'could not remove a tus upload over quota: the sweep will',
        ),
      );
    throw tusError(
      'ERR_QUOTA',
      413,
      `${error.message}; tus upload '${upload.id}' was removed: upload the file again once there is room`,
    );
  }
}

/** `create` (POST) and `patch` of one handler's tus endpoint. */
export function createTusWrites(
  app: App,
  uploads: Uploads,
  options: { locks: TusLocks; expiresMs: number; lockWaitMs: number; catalog: TusCatalog },
) {
  const { expiresMs, catalog } = options;
  const final = createFinals(app, uploads, options);
  const locked = lockedBy(options.locks, options.lockWaitMs);
  const maxSize = app.maxFileSize;

  /** Appends the request body, then finishes the upload when it is complete; the answer's headers. */
  const write = async (
    request: Request,
    context: RouteContext,
    upload: TusUpload,
    store: TusBackend,
    who: AccessKey,
  ): Promise<Record<string, string>> => {
    const check = await checksumOf(request.headers.get('upload-checksum'));
    // Read before a byte is appended: a malformed one is refused with the chunk, not after it.
    const contentMd5 = contentMd5Of(request);
    const room = (upload.length ?? maxSize) - upload.offset;
    const sized = capped(
      requestBody(request, context.body) ?? nothing(),
      room,
      upload.length === undefined
        ? `this upload would grow past the ${maxSize}-byte limit: send a smaller file or raise MAX_FILE_SIZE_MB on the server`
        : `more bytes than the Upload-Length of ${upload.length} this upload declared`,
    );
    // A declared length was held against the quota at creation (or when it was learnt); a deferred one is cut at the
    // first byte that would pass it, counting what the upload holds already.
    // The files quota too: a deferred upload that would be one file too many is ended at its first PATCH.
    const gate = upload.length === undefined ? quotaGate(app, who, context.log) : undefined;
    const appended = await overQuota(upload, store, context.log, async () =>
      store.append(upload, gate ? await gate.admit(filenameOf(upload), sized, upload.offset) : sized, check),
    );
    if (appended.mismatch) {
      throw tusError(
        'ERR_CHECKSUM',
        460,
        `the chunk does not match its Upload-Checksum: nothing of it was kept, resume at offset ${upload.offset}`,
      );
    }
    if (appended.cut !== undefined) {
      throw new BytedropError(
        'ERR_ABORTED',
        `the body broke off; the upload was kept up to offset ${upload.offset}`,
      );
    }
    const headers: Record<string, string> = {
      'upload-offset': String(upload.offset),
      ...expiresHeader(upload),
    };
    // A partial upload is complete here, but it is a piece of a file: a final upload makes the file.
    if (upload.length !== undefined && upload.offset === upload.length && !upload.partial) {
      const result = await finishUpload(app, uploads, store, upload, who, [], contentMd5).catch(
        (error: unknown) => {
          // The upload is discarded (finishUpload removes a refused one): the client starts a new one.
          if (!isBytedropError(error, 'ERR_CHECKSUM')) throw error;
          throw tusError(
            'ERR_CHECKSUM',
            460,
            `the uploaded bytes do not match Bytedrop-Content-MD5 ${contentMd5}: the file changed since the upload began (or was damaged), so nothing was stored and the upload was removed; upload the file again`,
          );
        },
      );
      const file = await uploads.describe(result, who, context.origin);
      await catalog.finished(result, who, context);
      uploads.announce([file], who, context.requestId);
      headers[URL_HEADER] = file.url;
    }
    return headers;
  };

  const create = async (request: Request, context: RouteContext, who: AccessKey, store: TusBackend) => {
    const concat = parseConcat(request.headers.get('upload-concat'), context.origin);
    if (concat && 'final' in concat) return final(request, context, who, store, concat.final);
    const length = integerHeader(request, 'upload-length');
    const defer = request.headers.get('upload-defer-length');
    if (defer !== null && defer.trim() !== '1') {
      throw new BytedropError('ERR_INPUT', `Upload-Defer-Length must be 1, got '${defer.slice(0, 20)}'`);
    }
    if ((length === undefined) === (defer === null)) {
      throw new BytedropError(
        'ERR_INPUT',
        'send either Upload-Length (the file size in bytes) or Upload-Defer-Length: 1, exactly one of them',
      );
    }
    if (length !== undefined && length > maxSize) {
      throw tusError(
        'ERR_TOO_LARGE',
        413,
        `Upload-Length ${length} is larger than the ${maxSize}-byte limit (Tus-Max-Size): send a smaller file or raise MAX_FILE_SIZE_MB on the server`,
      );
    }
    const rawMetadata = request.headers.get('upload-metadata');
    const metadata = parseMetadata(rawMetadata);
    // A file that cannot fit the key's quota is refused before a byte waits in storage; finishing checks again.
    const name = metadata.filename ?? metadata.name ?? 'upload';
    if (length !== undefined) await quotaGate(app, who, context.log)?.fits(name, length);
    // Counted last: a creation refused for its length or quota does not use up the key's creations.
    await app.options.rateLimits?.consumeCreation(who);
    const now = Date.now();
    const upload: TusUpload = {
      id: crypto.randomUUID().replaceAll('-', ''),
      owner: who.name,
      offset: 0,
      ...(length === undefined ? {} : { length }),
      metadata,
      ...(rawMetadata ? { rawMetadata } : {}),
      created: now,
      expires: now + expiresMs,
      parts: [],
      tailSize: 0,
      ...(concat ? { partial: true } : {}),
    };
    await store.create(upload);
    const location = `${context.origin}${TUS_PATH}${upload.id}`;
    const withData = (request.headers.get('content-type') ?? '').toLowerCase() === OFFSET_TYPE;
    // creation-with-upload, or an empty file: the upload may be complete at once.
    const headers =
      withData || length === 0
        ? await locked(upload.id, () => write(request, context, upload, store, who))
        : expiresHeader(upload);
    return noContent(201, { location, ...headers });
  };

  const patch = async (
    request: Request,
    context: RouteContext,
    id: string,
    who: AccessKey,
    store: TusBackend,
  ) => {
    const type = (request.headers.get('content-type') ?? '').toLowerCase();
    if (type !== OFFSET_TYPE) {
      throw new BytedropError(
        'ERR_UNSUPPORTED_TYPE',
        `a tus PATCH body must be Content-Type: ${OFFSET_TYPE}, got '${type.slice(0, 60) || 'none'}'`,
      );
    }
    const offset = integerHeader(request, 'upload-offset');
    if (offset === undefined)
      throw new BytedropError('ERR_INPUT', 'a tus PATCH needs Upload-Offset: HEAD the upload to learn it');
    const length = integerHeader(request, 'upload-length');
    return locked(id, async () => {
      const upload = await own(id, who, store);
      if (upload.final) {
        throw tusError(
          'ERR_FORBIDDEN',
          403,
          `tus upload '${id}' is a final upload (Upload-Concat: final): its bytes are its partial uploads', it takes no PATCH`,
        );
      }
      if (offset !== upload.offset || upload.result !== undefined) {
        throw tusError(
          'ERR_CONFLICT',
          409,
          `Upload-Offset ${offset} is not where tus upload '${id}' stands (${upload.offset}): HEAD it and resume from there`,
        );
      }
      if (length !== undefined && upload.length === undefined) {
        if (length > maxSize)
          throw tusError(
            'ERR_TOO_LARGE',
            413,
            `Upload-Length ${length} is larger than the ${maxSize}-byte limit`,
          );
        if (length < upload.offset)
          throw new BytedropError(
            'ERR_INPUT',
            `Upload-Length ${length} is less than the ${upload.offset} bytes already sent`,
          );
        await overQuota(upload, store, context.log, async () =>
          quotaGate(app, who, context.log)?.fits(filenameOf(upload), length),
        );
        upload.length = length;
        await store.save(upload);
      } else if (length !== undefined && length !== upload.length) {
        throw new BytedropError(
          'ERR_INPUT',
          `Upload-Length ${length} differs from the ${upload.length} this upload declared`,
        );
      }
      return noContent(204, await write(request, context, upload, store, who));
    });
  };

  return { create, patch };
}
