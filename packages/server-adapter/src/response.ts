/**
 * The one place where a failure becomes an HTTP response. Every route throws; `errorResponse` picks the status
 * from the error's code and where it came from, and writes the `{success:false,msg,code}` body ByteGo/PicGo clients read.
 */
import { BytedropError, type ErrorCode, isBytedropError } from '@bytedrop/core';

/**
 * Where an error was raised. It matters for the status: `ERR_AUTH` from the client's access key is a 401 (ask for the
 * key again), but `ERR_AUTH` from the storage provider is the server's misconfiguration, a 502.
 */
export type ErrorSource = 'request' | 'storage';

const REQUEST_STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_INPUT: 400,
  // The bytes do not match the client's own Content-MD5: damaged on the way, nothing stored.
  ERR_CHECKSUM: 400,
  ERR_FILENAME: 400,
  ERR_ABORTED: 400,
  ERR_AUTH: 401,
  ERR_FORBIDDEN: 403,
  // A key without the scope a route needs: the message names the scope to ask for.
  ERR_SCOPE: 403,
  ERR_NOT_FOUND: 404,
  // ERR_CONFLICT: a managed key's name is taken, or the keys file owns the key.
  ERR_CONFLICT: 409,
  ERR_TOO_LARGE: 413,
  // Past the key's storage quota: like an over-size body, the request is too large for what the key may still
  // store (413, which clients already treat as "do not retry as it is"); 507 would blame the server's disk.
  ERR_QUOTA: 413,
  ERR_UNSUPPORTED_TYPE: 415,
  // A conversion the client asked for that this server cannot do (no encoder, a format it cannot encode).
  ERR_IMAGE: 422,
  // An access key over its upload rate; `Retry-After` says when the next file is allowed.
  ERR_THROTTLED: 429,
  // The ban store (Redis) is the only network dependency of a request before storage.
  ERR_NETWORK: 503,
};

const STORAGE_STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_INPUT: 400,
  // Raised by core (or the provider's own Content-MD5 check) against the client's declared MD5.
  ERR_CHECKSUM: 400,
  ERR_FILENAME: 400,
  ERR_ABORTED: 400,
  ERR_NOT_FOUND: 404,
  ERR_TOO_LARGE: 413,
  ERR_UNSUPPORTED_TYPE: 415,
  ERR_IMAGE: 422,
  ERR_NETWORK: 503,
  // The provider asked to slow down (SlowDown, 503, 429): busy, not broken; `Retry-After` says when to come back.
  ERR_THROTTLED: 503,
  ERR_TIMEOUT: 504,
};

/** Seconds a client is asked to wait after storage throttled (S3's SlowDown carries no time of its own). */
export const THROTTLED_RETRY_AFTER_S = 5;

/**
 * Headers every API answer carries: JSON, no caching. CORS headers are added per request, for allowed origins only
 * (`_cors.ts`).
 */
export const API_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** What `json` builds its answer with: `Response`, or a runtime's drop-in for it (srvx's `FastResponse`). */
export type ResponseConstructor = new (body: string, init: ResponseInit) => Response;

/** A JSON response with the API headers. */
export function json(
  body: unknown,
  status = 200,
  headers?: Record<string, string>,
  ResponseClass: ResponseConstructor = Response,
): Response {
  return new ResponseClass(JSON.stringify(body), { status, headers: { ...API_HEADERS, ...headers } });
}

/**
 * The HTTP status for an error; unknown (non-Bytedrop) errors are 500.
 *
 * @example
 * ```ts
 * statusOf(new BytedropError('ERR_AUTH', 'wrong key'), 'request'); // 401
 * statusOf(new BytedropError('ERR_AUTH', 'SignatureDoesNotMatch'), 'storage'); // 502
 * ```
 */
export function statusOf(error: unknown, source: ErrorSource): number {
  if (!isBytedropError(error)) return 500;
  const table = source === 'request' ? REQUEST_STATUS : STORAGE_STATUS;
  return table[error.code] ?? (source === 'storage' ? 502 : 500);
}

/**
 * Turns any thrown value into `{success:false,msg,code}` with the fitting status. Errors that are not
 * `BytedropError`s are bugs: their message is not sent (it may hold internals), only a generic one.
 *
 * @example
 * ```ts
 * const response = errorResponse(new BytedropError('ERR_TOO_LARGE', "'a.bin' is larger than 100 MB"));
 * response.status; // 413
 * await response.json(); // { success: false, msg: "'a.bin' is larger than 100 MB", code: 'ERR_TOO_LARGE' }
 * ```
 */
export function errorResponse(
  error: unknown,
  source: ErrorSource = 'request',
  options: { private?: boolean; requestId?: string } = {},
): Response {
  const status = statusOf(error, source);
  if (!isBytedropError(error)) {
    const msg = options.requestId
      ? `internal server error: the server log has the details under request id ${options.requestId}`
      : 'internal server error: see the server log';
    return json({ success: false, msg, code: 'ERR_INTERNAL', ...tag(options.requestId) }, 500);
  }
  const msg = options.private
    ? `storage failed (${error.code}): try again later; the server log has the details`
    : error.message;
  // A ban says when it ends (`retryAfterS` on the error); a throttling provider gives no time, so a few seconds.
  const after =
    (error as { retryAfterS?: number }).retryAfterS ??
    (error.code === 'ERR_THROTTLED' ? THROTTLED_RETRY_AFTER_S : undefined);
  const retry: Record<string, string> = after === undefined ? {} : { 'retry-after': String(after) };
  return json({ success: false, msg, code: error.code, ...tag(options.requestId) }, status, retry);
}

/** `{ requestId }` for an error body, when there is one: the id to quote when asking the operator. */
function tag(requestId: string | undefined): { requestId?: string } {
  return requestId === undefined ? {} : { requestId };
}

/**
 * Marks an error as raised by storage, so `errorResponse` answers 502/503/504 instead of blaming the client.
 * `private` keeps its message (which names the endpoint, bucket or data path) out of the answer: for requests
 * that showed no access key.
 */
export class StorageFailure extends Error {
  override name = 'StorageFailure';
  readonly private: boolean;
  constructor(
    readonly error: unknown,
    options: { private?: boolean } = {},
  ) {
    super(error instanceof Error ? error.message : String(error), { cause: error });
    this.private = options.private ?? false;
  }
}

/**
 * Awaits a storage call, marking its failure as storage's: answered 502/503/504, never blamed on the client.
 *
 * @example
 * ```ts
 * const found = await fromStorage(parts.stat(key));
 * ```
 */
export async function fromStorage<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw new StorageFailure(error);
  }
}

/** `errorResponse` for anything a route threw, unwrapping `StorageFailure`. */
export function toErrorResponse(error: unknown, requestId?: string): Response {
  return error instanceof StorageFailure
    ? errorResponse(error.error, 'storage', { private: error.private, ...tag(requestId) })
    : errorResponse(error, 'request', tag(requestId));
}

/** The `code` an error's answer carries (`ERR_INTERNAL` for a bug), for metrics. */
export function codeOf(error: unknown): string {
  const inner = error instanceof StorageFailure ? error.error : error;
  return isBytedropError(inner) ? inner.code : 'ERR_INTERNAL';
}

/** A 405 naming the methods the route takes. */
export function methodNotAllowed(allow: string): Response {
  return json({ success: false, msg: `method not allowed here: use ${allow}`, code: 'ERR_INPUT' }, 405, {
    allow,
  });
}

/** Shorthand for a request-side failure. */
export function fail(code: ErrorCode, message: string): BytedropError {
  return new BytedropError(code, message);
}
