/**
 * The tus 1.0 endpoint at `/tus/`: core protocol plus creation, creation-with-upload, creation-defer-length,
 * termination, expiration, checksum (sha1, sha256) and concatenation (`_tus-concat.ts`). Written here rather than
 * on @tus/server: that library has no checksum extension, and its `DataStore.write(stream, id, offset)` sees no
 * request headers, so no store of ours could check a chunk's `Upload-Checksum` and drop the chunk on a mismatch (460); its answers, auth hooks and
 * lockers would also have to be bent into ours (keys, bans, owners, the `{success,msg,code}` errors).
 *
 * Auth is the one of `POST /upload`; an upload belongs to the key that created it. When the last byte is in, the
 * upload is finished by core's uploader exactly like a `PUT /upload/<name>` body (`_tus-finish.ts`).
 */
import { BytedropError } from '@bytedrop/core';
import { requireScope } from './_scopes';
import { expiresHeader, lockedBy, noContent, notFound, own, TUS_PATH } from './_tus-access';
import type { TusCatalog } from './_tus-catalog';
import { concatHeader } from './_tus-concat';
import { createTusExpiry } from './_tus-expiry';
import type { Uploads } from './_tus-finish';
import {
  TUS_BASE_HEADERS,
  TUS_CHECKSUMS,
  TUS_EXPOSED_HEADERS,
  TUS_EXTENSIONS,
  TUS_REQUEST_HEADERS,
  TUS_VERSION,
  tusError,
} from './_tus-headers';
import { createTusWrites } from './_tus-write';
import type { AccessKey } from './auth';
import { toErrorResponse } from './response';
import type { TusLocks } from './tus-locks';
import type { TusBackend } from './tus-store';
import type { App, RouteContext } from './types';

export { TUS_PATH } from './_tus-access';

/** What the routes are built from. */
export interface TusSetup {
  backend: TusBackend | undefined;
  /** What the routes tell the catalog (uploads in flight, finished files). */
  catalog: TusCatalog;
  locks: TusLocks;
  expiresMs: number;
  /** How long a request waits for another one's lock on the same upload before 423. */
  lockWaitMs: number;
}

/** The tus routes of one handler. */
export function createTusRoutes(app: App, uploads: Uploads, setup: TusSetup) {
  const { backend, locks, expiresMs, lockWaitMs } = setup;
  const maxSize = app.maxFileSize;

  const locked = lockedBy(locks, lockWaitMs);
  const expiry = createTusExpiry({ catalog: app.catalog, backend, locks, logger: app.logger });
  const { create, patch } = createTusWrites(app, uploads, {
    locks,
    expiresMs,
    lockWaitMs,
    catalog: setup.catalog,
  });

  const head = async (id: string, who: AccessKey, store: TusBackend) => {
    const upload = await own(id, who, store);
    return noContent(200, {
      'upload-offset': String(upload.offset),
      ...(upload.length === undefined
        ? { 'upload-defer-length': '1' }
        : { 'upload-length': String(upload.length) }),
      ...(upload.rawMetadata ? { 'upload-metadata': upload.rawMetadata } : {}),
      ...concatHeader(upload),
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
    requireScope(who, 'upload');
    if (!backend) {
      throw new BytedropError(
        'ERR_CONFIG',
        'tus uploads are not set up on this server: pass `tus.backend` to createHandler',
      );
    }
    if (rest === '') {
      if (method === 'POST') {
        try {
          return await create(request, context, who, backend);
        } finally {
          // After the answer is decided: a sweep never races the creation that started it.
          void expiry.nudge();
        }
      }
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
      if (upload.partial) {
        throw tusError(
          'ERR_CONFLICT',
          409,
          `tus upload '${id}' is a partial upload (Upload-Concat: partial): it becomes a file only inside a final upload (POST with Upload-Concat: final;<urls>), whose URL answers GET`,
        );
      }
      if (upload.result === undefined) {
        throw tusError(
          'ERR_CONFLICT',
          409,
          `tus upload '${id}' is not finished: ${upload.offset} of ${upload.length ?? '?'} bytes are in`,
        );
      }
      const answer = uploads.answer([await uploads.describe(upload.result, who, context.origin)]);
      for (const [name, value] of Object.entries(TUS_BASE_HEADERS)) answer.headers.set(name, value);
      return answer;
    }
    throw new BytedropError(
      'ERR_INPUT',
      `${method} is not a tus method: use HEAD, PATCH, DELETE or GET on an upload`,
    );
  };

  return {
    /** Removes the uploads past their expiry now (or joins the sweep running); how many. Never rejects. */
    sweepExpired: expiry.now,
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
