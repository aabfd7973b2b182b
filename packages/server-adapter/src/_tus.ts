/**
 * The tus 1.0 endpoint at `/tus/`: core protocol plus creation, creation-with-upload, creation-defer-length,
 * termination, expiration and checksum (sha1, sha256). Written here rather than on @tus/server: that library has no
 * checksum extension, and its `DataStore.write(stream, id, offset)` sees no request headers, so no store of ours
 * could check a chunk's `Upload-Checksum` and drop the chunk on a mismatch (460); its answers, auth hooks and
 * lockers would also have to be bent into ours (keys, bans, owners, the `{success,msg,code}` errors).
 *
 * Auth is the one of `POST /upload`; an upload belongs to the key that created it. When the last byte is in, the
 * upload is finished by core's uploader exactly like a `PUT /upload/<name>` body (`_tus-finish.ts`).
 */
import { BytedropError } from '@bytedrop/core';
import { requestBody } from './_stream';
import { finishUpload, type Uploads } from './_tus-finish';
import {
  checksumOf,
  integerHeader,
  OFFSET_TYPE,
  parseMetadata,
  TUS_BASE_HEADERS,
  TUS_CHECKSUMS,
  TUS_EXPOSED_HEADERS,
  TUS_EXTENSIONS,
  TUS_REQUEST_HEADERS,
  TUS_VERSION,
  tusError,
  URL_HEADER,
} from './_tus-headers';
import type { AccessKey } from './auth';
import { toErrorResponse } from './response';
import type { TusLocks } from './tus-locks';
import type { TusBackend, TusUpload } from './tus-store';
import type { App, RouteContext } from './types';

/** Where the endpoint lives. Not under `/files/`, whose `DELETE /files/<key>` would shadow keys starting `tus/`. */
export const TUS_PATH = '/tus/';

/** What the routes are built from. */
export interface TusSetup {
  backend: TusBackend | undefined;
  locks: TusLocks;
  expiresMs: number;
}

const noContent = (status: number, headers: Record<string, string>) =>
  new Response(null, { status, headers: { ...TUS_BASE_HEADERS, ...headers } });

function notFound(id: string): BytedropError {
  return new BytedropError(
    'ERR_NOT_FOUND',
    `no tus upload '${id.slice(0, 64)}': it finished long ago, was ended, or never existed; start a new upload with POST ${TUS_PATH}`,
  );
}

/** `PATCH` of a 0-length body at the end, `Upload-Length: 0`: nothing to read. */
async function* nothing(): AsyncGenerator<Uint8Array> {}

/** Passes chunks through, failing with 413 as soon as the upload would grow past `max` bytes. */
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

/** The tus routes of one handler. */
export function createTusRoutes(app: App, uploads: Uploads, setup: TusSetup) {
  const { backend, locks, expiresMs } = setup;
  const maxSize = app.maxFileSize;

  const expiresHeader = (upload: TusUpload) => ({ 'upload-expires': new Date(upload.expires).toUTCString() });

  /** The upload `id`, if it is `who`'s and alive; 404, 403 or 410 otherwise. */
  const own = async (id: string, who: AccessKey, store: TusBackend): Promise<TusUpload> => {
    const upload = await store.load(id);
    if (!upload) throw notFound(id);
    if (upload.owner !== who.name) {
      throw new BytedropError(
        'ERR_FORBIDDEN',
        `tus upload '${id}' belongs to another access key: only the key that created it may resume, read or end it`,
      );
    }
    if (upload.result === undefined && Date.now() > upload.expires) {
      await store.discard(upload);
      throw tusError(
        'ERR_NOT_FOUND',
        410,
        `tus upload '${id}' expired at ${new Date(upload.expires).toISOString()} and was removed: start it again`,
      );
    }
    return upload;
  };

  const locked = async <T>(id: string, work: () => Promise<T>): Promise<T> => {
    let release: (() => Promise<void>) | undefined;
    try {
      release = await locks.acquire(id);
    } catch (error) {
      throw new BytedropError(
        'ERR_NETWORK',
        'the server cannot take the upload lock right now (Redis unreachable): try again',
        { cause: error },
      );
    }
    if (!release) {
      throw tusError(
        'ERR_CONFLICT',
        423,
        `tus upload '${id}' is being written by another request: retry in a moment`,
      );
    }
    try {
      return await work();
    } finally {
      await release();
    }
  };

  /** Appends the request body, then finishes the upload when it is complete; the answer's headers. */
  const write = async (
    request: Request,
    context: RouteContext,
    upload: TusUpload,
    store: TusBackend,
    who: AccessKey,
  ): Promise<Record<string, string>> => {
    const check = await checksumOf(request.headers.get('upload-checksum'));
    const room = (upload.length ?? maxSize) - upload.offset;
    const body = capped(
      requestBody(request, context.body) ?? nothing(),
      room,
      upload.length === undefined
        ? `this upload would grow past the ${maxSize}-byte limit: send a smaller file or raise MAX_FILE_SIZE_MB on the server`
        : `more bytes than the Upload-Length of ${upload.length} this upload declared`,
    );
    const appended = await store.append(upload, body, check);
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
    if (upload.length !== undefined && upload.offset === upload.length) {
      const result = await finishUpload(app, uploads, store, upload, who);
      headers[URL_HEADER] = (await uploads.describe(result, who, context.origin)).url;
    }
    return headers;
  };

  const create = async (request: Request, context: RouteContext, who: AccessKey, store: TusBackend) => {
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

  const head = async (id: string, who: AccessKey, store: TusBackend) => {
    const upload = await own(id, who, store);
    return noContent(200, {
      'upload-offset': String(upload.offset),
      ...(upload.length === undefined
        ? { 'upload-defer-length': '1' }
        : { 'upload-length': String(upload.length) }),
      ...(upload.rawMetadata ? { 'upload-metadata': upload.rawMetadata } : {}),
      ...(upload.result === undefined ? expiresHeader(upload) : {}),
    });
  };

  const route = async (request: Request, context: RouteContext, rest: string): Promise<Response> => {
    const method = (request.headers.get('x-http-method-override') ?? request.method).toUpperCase();
    const resumable = request.headers.get('tus-resumable');
    if (resumable !== TUS_VERSION) {
      throw tusError(
        'ERR_INPUT',
        412,
        `this endpoint speaks tus ${TUS_VERSION}: send Tus-Resumable: ${TUS_VERSION} (got ${resumable === null ? 'none' : `'${resumable.slice(0, 20)}'`})`,
      );
    }
    const who = await app.authenticate(request, context.client, context.log);
    if (!backend) {
      throw new BytedropError(
        'ERR_CONFIG',
        'tus uploads are not set up on this server: pass `tus.backend` to createHandler',
      );
    }
    if (rest === '') {
      if (method === 'POST') return create(request, context, who, backend);
      throw new BytedropError(
        'ERR_INPUT',
        `${method} ${TUS_PATH} is not a tus request: POST creates an upload`,
      );
    }
    const id = rest;
    if (!/^[0-9a-f]{32}$/.test(id)) throw notFound(id);
    if (method === 'PATCH') return patch(request, context, id, who, backend);
    if (method === 'HEAD') return head(id, who, backend);
    if (method === 'DELETE') {
      return locked(id, async () => {
        const upload = await own(id, who, backend);
        await backend.discard(upload);
        return noContent(204, {});
      });
    }
    if (method === 'GET') {
      const upload = await own(id, who, backend);
      if (upload.result === undefined) {
        throw tusError(
          'ERR_CONFLICT',
          409,
          `tus upload '${id}' is not finished: ${upload.offset} of ${upload.length ?? '?'} bytes are in`,
        );
      }
      const answer = await uploads.respondUploaded([upload.result], who, context.origin);
      for (const [name, value] of Object.entries(TUS_BASE_HEADERS)) answer.headers.set(name, value);
      return answer;
    }
    throw new BytedropError(
      'ERR_INPUT',
      `${method} is not a tus method: use HEAD, PATCH, DELETE or GET on an upload`,
    );
  };

  return {
    /** Answers a request under `TUS_PATH`; every answer, errors too, carries `Tus-Resumable`. */
    async handle(request: Request, context: RouteContext, rest: string): Promise<Response> {
      try {
        return await route(request, context, rest);
      } catch (error) {
        const answer = toErrorResponse(error, context.requestId);
        const status = (error as { tusStatus?: number }).tusStatus;
        const response =
          status === undefined ? answer : new Response(answer.body, { status, headers: answer.headers });
        for (const [name, value] of Object.entries(TUS_BASE_HEADERS)) response.headers.set(name, value);
        if (status === 412) response.headers.set('tus-version', TUS_VERSION);
        return response;
      }
    },
    /** Adds what a tus client learns from `OPTIONS` to the CORS preflight answer. */
    options(preflight: Response): Response {
      if (preflight.status !== 204) return preflight;
      const headers = preflight.headers;
      headers.set('tus-resumable', TUS_VERSION);
      headers.set('tus-version', TUS_VERSION);
      headers.set('tus-extension', TUS_EXTENSIONS);
      headers.set('tus-max-size', String(maxSize));
      headers.set('tus-checksum-algorithm', TUS_CHECKSUMS);
      headers.set('access-control-allow-methods', 'GET, POST, HEAD, PATCH, DELETE, OPTIONS');
      headers.set(
        'access-control-allow-headers',
        `${headers.get('access-control-allow-headers') ?? ''}, ${TUS_REQUEST_HEADERS}`,
      );
      headers.set('access-control-expose-headers', TUS_EXPOSED_HEADERS);
      return preflight;
    },
    /** Lets an allowed cross-origin page read the tus headers (CORS already decided it is allowed). */
    expose(response: Response): Response {
      const exposed = response.headers.get('access-control-expose-headers');
      if (exposed !== null)
        response.headers.set('access-control-expose-headers', `${exposed}, ${TUS_EXPOSED_HEADERS}`);
      return response;
    },
  };
}
