/**
 * Direct uploads to S3 that the server signs, on Uppy Companion's routes, so `@uppy/aws-s3` works unchanged:
 * `POST /s3/multipart`, `GET /s3/multipart/<uploadId>` (parts so far), `GET /s3/multipart/<uploadId>/batch`,
 * `GET /s3/multipart/<uploadId>/<partNumber>`, `POST /s3/multipart/<uploadId>/complete`,
 * `DELETE /s3/multipart/<uploadId>`, all with `?key=<the key POST answered>`. `GET /s3/params` (one presigned
 * POST) is answered 400 with the reason: that flow has no completion call, so the server could never check the bytes
 * or give a link. Uppy's `shouldUseMultipart: true` sends every file (small ones as one part) the checked way.
 *
 * Auth is `POST /upload`'s, by header on `/s3/...`, or by a session token in the path (`/s3-session/<token>/s3/...`,
 * `_s3-sign-session.ts`) for Uppy, which cannot send headers. Each upload is bound to the key that started it.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { BytedropError, typeMatches } from '@bytedrop/core';
import { readBytes } from './_api-json';
import { trackUpload, untrackUpload } from './_catalog-write';
import { quotaGate } from './_quota';
import { claimOf, finishDirect, partsOf } from './_s3-sign-finish';
import { createSessions, SESSION_PATH } from './_s3-sign-session';
import { createSignStore, isSignKey, S3_SIGN_PREFIX, type SignStore } from './_s3-sign-store';
import { requireScope } from './_scopes';
import { tooLarge } from './_stream';
import type { Uploads } from './_tus-finish';
import type { AccessKey } from './auth';
import { fail, json, methodNotAllowed } from './response';
import type { App, RouteContext } from './types';

export { SESSION_PATH } from './_s3-sign-session';

/** S3's smallest part (all but the last): part N means more than (N - 1) × this many bytes. */
const MIN_PART = 5 * 1024 * 1024;
/** How long a part URL may be used. */
const PART_URL_SECONDS = 900;

function notS3(): BytedropError {
  return new BytedropError(
    'ERR_NOT_FOUND',
    'direct uploads to S3 need an S3 store, and this server stores files on its local disk: upload through POST /upload or tus at /tus/ instead',
  );
}

/** A complete request lists at most 10,000 parts of about 50 bytes each; nothing larger is read. */
const MAX_JSON_BODY = 1024 * 1024;

async function jsonBody(request: Request, context: RouteContext): Promise<unknown> {
  const bytes = await readBytes(request, context, MAX_JSON_BODY, () =>
    fail('ERR_TOO_LARGE', `the request body is over ${MAX_JSON_BODY} bytes: send at most 10,000 parts`),
  );
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new BytedropError('ERR_INPUT', 'the request body is not JSON: send Content-Type application/json');
  }
}

function partNumberOf(text: string): number {
  const number = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(number >= 1 && number <= 10_000)) {
    throw new BytedropError(
      'ERR_INPUT',
      `part number '${text.slice(0, 20)}' is out of range: S3 parts are numbered 1 to 10000`,
    );
  }
  return number;
}

/** The signing routes of one handler. */
export function createSignRoutes(app: App, uploads: Uploads) {
  const s3 = app.store as { kind?: string; client?: S3Client; bucket?: string } | undefined;
  const store: SignStore | undefined =
    s3?.kind === 's3' && s3.client && s3.bucket ? createSignStore(s3.client, s3.bucket) : undefined;
  const sessions = createSessions(app.options.secret);

  /** A part number the key's size limit allows. */
  const allowedPart = (text: string, filename: string) => {
    const number = partNumberOf(text);
    if ((number - 1) * MIN_PART >= app.maxFileSize)
      throw tooLarge(`'${filename}' (part ${number})`, app.maxFileSize);
    return number;
  };

  /**
   * The quota, as far as part numbers tell: part N means more than (N - 1) × 5 MiB, so a part the key's room cannot
   * hold is never signed (its bytes would only be thrown away at the finish). `ERR_QUOTA` (413).
   */
  const withinQuota = async (numbers: number[], filename: string, who: AccessKey, context: RouteContext) => {
    const highest = Math.max(...numbers);
    if (highest === 1) return;
    await quotaGate(app, who, context.log)?.fits(filename, (highest - 1) * MIN_PART + 1, `part ${highest}`);
  };

  /** The open upload `uploadId` at `?key=`, if it is `who`'s. */
  const owned = async (url: URL, uploadId: string, who: AccessKey, signs: SignStore) => {
    const key = url.searchParams.get('key') ?? '';
    if (!isSignKey(key)) {
      throw new BytedropError(
        'ERR_FORBIDDEN',
        `key '${key.slice(0, 80)}' is not a direct upload of this server: pass the key POST /s3/multipart answered (the server picks the final key itself)`,
      );
    }
    const record = await signs.record(key);
    if (!record) {
      throw new BytedropError(
        'ERR_NOT_FOUND',
        `no direct upload at '${key}': it was completed, aborted or swept; start again with POST /s3/multipart`,
      );
    }
    if (record.owner !== who.name) {
      throw new BytedropError(
        'ERR_FORBIDDEN',
        `the direct upload at '${key}' belongs to another access key: only the key that started it may use it`,
      );
    }
    let presented: string;
    try {
      presented = decodeURIComponent(uploadId);
    } catch {
      presented = uploadId;
    }
    if (record.uploadId !== presented) {
      throw new BytedropError(
        'ERR_NOT_FOUND',
        `uploadId '${uploadId.slice(0, 80)}' is not the upload at '${key}': pass the uploadId and key POST /s3/multipart answered together`,
      );
    }
    return { key, record };
  };

  const create = async (request: Request, who: AccessKey, signs: SignStore, context: RouteContext) => {
    const body = (await jsonBody(request, context)) as {
      filename?: unknown;
      type?: unknown;
      metadata?: unknown;
    };
    const filename = typeof body?.filename === 'string' ? body.filename.trim() : '';
    if (!filename) throw new BytedropError('ERR_FILENAME', 'the JSON body needs a `filename`');
    const type = typeof body.type === 'string' ? body.type : '';
    // Refused before a byte is sent; core still checks the sniffed type of the bytes when it places the file.
    const allowed = app.options.allowedTypes;
    if (allowed && type && type !== 'application/octet-stream' && !typeMatches(type, allowed)) {
      throw new BytedropError(
        'ERR_UNSUPPORTED_TYPE',
        `'${filename}' is declared ${type}, which is not an allowed type (allowed: ${allowed.join(', ') || 'none'}): upload a file of one of those types`,
      );
    }
    const metadata: Record<string, string> = {};
    if (body.metadata && typeof body.metadata === 'object') {
      for (const [name, value] of Object.entries(body.metadata).slice(0, 50))
        metadata[name] = String(value).slice(0, 1024);
    }
    // Each creation opens a multipart upload in the bucket: counted with tus creations, so a key cannot open them by
    // the thousand (TUS_CREATIONS_PER_HOUR), and only once the request was found valid.
    await app.options.rateLimits?.consumeCreation(who);
    const started = await signs.start({ owner: who.name, filename, type, metadata });
    const now = Date.now();
    // Listed in flight (`GET /api/uploads`) until completed or aborted; it lives as long as an unfinished tus upload.
    await trackUpload(app, {
      id: started.key.slice(S3_SIGN_PREFIX.length),
      kind: 's3',
      owner: who.name,
      filename,
      length: null,
      offset: 0,
      createdAt: new Date(now),
      expiresAt: new Date(now + (app.options.tus?.expiresMs ?? 3_600_000)),
    });
    return json({ key: started.key, uploadId: started.uploadId, bucket: signs.bucket }, 200);
  };

  const route = async (request: Request, url: URL, who: AccessKey, rest: string, context: RouteContext) => {
    const method = request.method;
    if (rest === 'params') {
      throw new BytedropError(
        'ERR_INPUT',
        'single direct uploads (GET /s3/params) are not offered: they end without a call to the server, which could then neither check the bytes nor give a link; use multipart (Uppy: `shouldUseMultipart: true`), or POST /upload',
      );
    }
    if (!store) throw notS3();
    if (rest === 'multipart')
      return method === 'POST' ? create(request, who, store, context) : methodNotAllowed('POST');
    const [root, uploadId, part, extra] = rest.split('/');
    if (root !== 'multipart' || !uploadId || extra !== undefined) {
      throw new BytedropError('ERR_NOT_FOUND', `no signing route /s3/${rest.slice(0, 80)}: see the README`);
    }
    if (part === undefined) {
      if (method === 'DELETE') {
        const { key, record } = await owned(url, uploadId, who, store);
        await store.discard(key, record.uploadId);
        await untrackUpload(app, key.slice(S3_SIGN_PREFIX.length));
        return json({}, 200);
      }
      if (method !== 'GET') return methodNotAllowed('GET, DELETE');
      const { key, record } = await owned(url, uploadId, who, store);
      const parts = await store.parts(key, record.uploadId);
      // What the listing shows as its offset: the bytes its parts hold (a resume lists them first).
      const row = await app.catalog?.uploads.get(key.slice(S3_SIGN_PREFIX.length)).catch(() => undefined);
      if (row) await trackUpload(app, { ...row, offset: parts.reduce((sum, part) => sum + part.Size, 0) });
      return json(parts, 200);
    }
    if (part === 'complete') {
      if (method !== 'POST') return methodNotAllowed('POST');
      const { key, record } = await owned(url, uploadId, who, store);
      const body = await jsonBody(request, context);
      const parts = partsOf(body);
      const contentMd5 = claimOf(body);
      for (const { PartNumber } of parts) allowedPart(String(PartNumber), record.filename);
      return finishDirect(app, uploads, store, key, record, parts, contentMd5, who, context);
    }
    if (method !== 'GET') return methodNotAllowed('GET');
    const { key, record } = await owned(url, uploadId, who, store);
    const expires = PART_URL_SECONDS;
    if (part === 'batch') {
      const numbers = (url.searchParams.get('partNumbers') ?? '').split(',').filter(Boolean);
      if (numbers.length === 0 || numbers.length > 1000) {
        throw new BytedropError('ERR_INPUT', 'batch needs `?partNumbers=1,2,3` (1 to 1000 numbers)');
      }
      // Checked first, all of them: one part past the limit signs none. Signing is local (no request to storage), so
      // the URLs are made side by side rather than one after another.
      const checked = numbers.map((text) => allowedPart(text, record.filename));
      await withinQuota(checked, record.filename, who, context);
      const urls = await Promise.all(
        checked.map((number) => store.partUrl(key, record.uploadId, number, expires)),
      );
      const presignedUrls: Record<string, string> = {};
      checked.forEach((number, index) => {
        presignedUrls[number] = urls[index] as string;
      });
      return json({ presignedUrls }, 200);
    }
    const number = allowedPart(part, record.filename);
    await withinQuota([number], record.filename, who, context);
    return json({ url: await store.partUrl(key, record.uploadId, number, expires), expires }, 200);
  };

  return {
    /**
     * A request under `/s3/` (`rest` is the path after it), with the key in a header. `POST /s3/session` answers an
     * endpoint for Uppy's `companionEndpoint`, good for an hour.
     */
    async keyed(request: Request, url: URL, context: RouteContext, rest: string): Promise<Response> {
      const who = await app.authenticate(request, context.client, context.log);
      // Signing is uploading: a key without the scope gets no session and no signed URL.
      requireScope(who, 'upload');
      if (rest !== 'session') return route(request, url, who, rest, context);
      if (request.method !== 'POST') return methodNotAllowed('POST');
      if (!store) throw notS3();
      const { token, expires } = await sessions.sign(who);
      const companionEndpoint = `${context.origin}${SESSION_PATH}${token}`;
      return json({ companionEndpoint, expires: new Date(expires).toISOString() }, 200);
    },
    /** A request under `/s3-session/` (`rest` is `<token>/s3/...`). */
    async viaSession(request: Request, url: URL, context: RouteContext, rest: string): Promise<Response> {
      const slash = rest.indexOf('/s3/');
      if (slash < 0)
        throw new BytedropError(
          'ERR_NOT_FOUND',
          `no signing route under ${SESSION_PATH}: use <companionEndpoint>/s3/...`,
        );
      const who = await sessions.verify(rest.slice(0, slash));
      requireScope(who, 'upload');
      return route(request, url, who, rest.slice(slash + 4), context);
    },
  };
}
