/**
 * The one error type of Bytedrop. Every failure a host can show a user is a `BytedropError` with a stable `code`,
 * so hosts branch on codes instead of parsing messages.
 */

/**
 * Stable failure codes. Hosts map these to UI; the server sends them over the wire.
 *
 * @example
 * ```ts
 * if (error.code === 'ERR_AUTH') showCredentialsHint();
 * ```
 */
export type ErrorCode =
  | 'ERR_CONFIG'
  | 'ERR_TEMPLATE'
  | 'ERR_FILENAME'
  | 'ERR_AUTH'
  | 'ERR_FORBIDDEN'
  | 'ERR_BUCKET_NOT_FOUND'
  | 'ERR_NOT_FOUND'
  | 'ERR_TOO_LARGE'
  | 'ERR_UNSUPPORTED_TYPE'
  | 'ERR_ABORTED'
  | 'ERR_NETWORK'
  | 'ERR_CLOCK_SKEW'
  | 'ERR_PROVIDER'
  | 'ERR_INPUT'
  | 'ERR_TIMEOUT'
  | 'ERR_THROTTLED'
  | 'ERR_CHECKSUM'
  | 'ERR_CONFLICT'
  | 'ERR_IMAGE'
  | 'ERR_QUOTA'
  | 'ERR_SCOPE';

/**
 * Failures that trying the same upload again cannot fix: the file (its size, type or name), the server's quota or
 * the key's scopes must change first. Editors close the pending upload on these instead of retrying it at the next
 * start; the file stays in the note, local.
 *
 * @example
 * ```ts
 * if (isBytedropError(error) && FINAL_ERROR_CODES.has(error.code)) await journal.close(entry.id);
 * ```
 */
export const FINAL_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ERR_TOO_LARGE',
  'ERR_UNSUPPORTED_TYPE',
  'ERR_FILENAME',
  'ERR_QUOTA',
  'ERR_SCOPE',
]);

/**
 * Every code, for validating codes that arrive over the wire (e.g. from a Bytedrop server).
 *
 * @example
 * ```ts
 * const code = ERROR_CODES.includes(body.code) ? body.code : 'ERR_PROVIDER';
 * ```
 */
export const ERROR_CODES: readonly ErrorCode[] = [
  'ERR_CONFIG',
  'ERR_TEMPLATE',
  'ERR_FILENAME',
  'ERR_AUTH',
  'ERR_FORBIDDEN',
  'ERR_BUCKET_NOT_FOUND',
  'ERR_NOT_FOUND',
  'ERR_TOO_LARGE',
  'ERR_UNSUPPORTED_TYPE',
  'ERR_ABORTED',
  'ERR_NETWORK',
  'ERR_CLOCK_SKEW',
  'ERR_PROVIDER',
  'ERR_INPUT',
  'ERR_TIMEOUT',
  'ERR_THROTTLED',
  'ERR_CHECKSUM',
  'ERR_CONFLICT',
  'ERR_IMAGE',
  'ERR_QUOTA',
  'ERR_SCOPE',
];

/**
 * A failure with a stable `code`. The message names what failed, the offending value and the fix.
 *
 * @example
 * ```ts
 * throw new BytedropError('ERR_CONFIG', "bucket is missing: set 'bucket' (or BYTEDROP_BUCKET)");
 * ```
 */
export class BytedropError extends Error {
  override name = 'BytedropError';
  readonly code: ErrorCode;
  /** HTTP status from S3 or a Bytedrop server, when there was a response. */
  readonly status?: number;
  /** The provider's own error code (`NoSuchBucket`, `AccessDenied`, …), when there was one. */
  readonly s3Code?: string;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number; s3Code?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.status !== undefined) this.status = options.status;
    if (options?.s3Code !== undefined) this.s3Code = options.s3Code;
  }
}

/**
 * Tells whether `error` is a `BytedropError` (optionally with a given code).
 * Checks `name` and `code` rather than `instanceof`, so it works when a host bundles its own copy of core.
 *
 * @example
 * ```ts
 * try { await uploader.upload(body, { filename }); }
 * catch (error) { if (isBytedropError(error, 'ERR_AUTH')) showLoginHint(); else throw error; }
 * ```
 */
export function isBytedropError(error: unknown, code?: ErrorCode): error is BytedropError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: unknown; code?: unknown };
  if (candidate.name !== 'BytedropError') return false;
  if (typeof candidate.code !== 'string' || !ERROR_CODES.includes(candidate.code as ErrorCode)) return false;
  return code === undefined || candidate.code === code;
}
