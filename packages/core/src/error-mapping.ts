/**
 * Turning what the AWS SDK, fetch and the network throw into a `BytedropError` with a code and a message that says
 * where the request went and what to do.
 */
import { BytedropError, isBytedropError } from './errors';

/**
 * Where a failing request went; used only to make messages concrete.
 *
 * @example
 * ```ts
 * toBytedropError(error, { bucket: 'notes', key: '2024/a.png', endpoint: 'http://127.0.0.1:9000' });
 * ```
 */
export interface ErrorContext {
  bucket?: string;
  endpoint?: string;
  key?: string;
  /** The request that failed (`UploadPart 3`, `CompleteMultipartUpload`), when known. */
  operation?: string;
}

interface ErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  Code?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Network codes that mean the other side stopped answering, rather than refused or dropped the connection. */
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function shapeOf(value: unknown): ErrorShape {
  return typeof value === 'object' && value !== null ? (value as ErrorShape) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Network codes hide in `code`, `cause.code` or deeper (`fetch failed` → cause → cause). */
function findNetworkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const code = str(shapeOf(current).code);
    if (code !== undefined && NETWORK_CODES.has(code)) return code;
    current = shapeOf(current).cause;
  }
  return undefined;
}

function where(context: ErrorContext | undefined): string {
  const parts: string[] = [];
  if (context?.operation) parts.push(context.operation);
  if (context?.bucket) parts.push(`bucket '${context.bucket}'`);
  if (context?.key) parts.push(`key '${context.key}'`);
  if (context?.endpoint) parts.push(`endpoint '${context.endpoint}'`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/**
 * Turns anything thrown by the AWS SDK, `fetch` or Node's network stack into a `BytedropError`
 * with a message that says what failed, the value involved, and what to do. `BytedropError`s pass through unchanged.
 *
 * @example
 * ```ts
 * try { await client.send(new HeadBucketCommand({ Bucket: 'photos' })); }
 * catch (error) { throw toBytedropError(error, { bucket: 'photos', endpoint: 'http://127.0.0.1:9000' }); }
 * ```
 */
export function toBytedropError(error: unknown, context?: ErrorContext): BytedropError {
  if (isBytedropError(error)) return error;
  const shape = shapeOf(error);
  const name = str(shape.name) ?? '';
  const s3Code = str(shape.Code) ?? (name !== 'Error' && name !== '' ? name : undefined);
  const rawStatus = shape.$metadata?.httpStatusCode;
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const detail = str(shape.message) ?? String(error);
  const at = where(context);
  const options = {
    cause: error,
    ...(status === undefined ? {} : { status }),
    ...(s3Code ? { s3Code } : {}),
  };

  if (name === 'AbortError' || s3Code === 'AbortError') {
    return new BytedropError(
      'ERR_ABORTED',
      `upload aborted${at}: the AbortSignal fired; retry if it was not intended`,
      options,
    );
  }
  switch (s3Code) {
    case 'NoSuchBucket':
      return new BytedropError(
        'ERR_BUCKET_NOT_FOUND',
        `bucket '${context?.bucket ?? '?'}' does not exist${at}: create it or fix 'bucket' in the config`,
        options,
      );
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
    case 'InvalidToken':
    case 'ExpiredToken':
      return new BytedropError(
        'ERR_AUTH',
        `credentials rejected (${s3Code})${at}: check 'accessKeyId' and 'secretAccessKey' for this endpoint`,
        options,
      );
    case 'AccessDenied':
    case 'Forbidden':
      return new BytedropError(
        'ERR_FORBIDDEN',
        `access denied (${s3Code})${at}: give these credentials s3:PutObject/s3:GetObject on the bucket, or drop 'acl' if the bucket forbids ACLs`,
        options,
      );
    case 'RequestTimeTooSkewed':
      return new BytedropError(
        'ERR_CLOCK_SKEW',
        `the provider rejected the request time (RequestTimeTooSkewed)${at}: sync this machine's clock (NTP) and retry`,
        options,
      );
    case 'NotFound':
      // HEAD responses have no body, so a missing bucket and a missing key both arrive as a bare 404 'NotFound':
      // only a request that named a key can be about the key.
      if (context?.key === undefined && context?.bucket !== undefined) {
        return new BytedropError(
          'ERR_BUCKET_NOT_FOUND',
          `bucket '${context.bucket}' was not found${at}: create it or fix 'bucket' in the config`,
          options,
        );
      }
      return new BytedropError('ERR_NOT_FOUND', `object not found${at}: check the key and bucket`, options);
    case 'NoSuchKey':
      return new BytedropError('ERR_NOT_FOUND', `object not found${at}: check the key and bucket`, options);
    case 'SlowDown':
    case 'TooManyRequests':
    case 'ServiceUnavailable':
      return new BytedropError(
        'ERR_THROTTLED',
        `the provider is throttling requests (${s3Code})${at}: wait a little and retry, or upload fewer files at once`,
        options,
      );
    case 'BadDigest':
    case 'InvalidDigest':
    case 'XAmzContentSHA256Mismatch':
      return new BytedropError(
        'ERR_CHECKSUM',
        `the provider received bytes that do not match their checksum (${s3Code})${at}: the data changed or was damaged on the way; retry the upload`,
        options,
      );
    case 'PreconditionFailed':
      return new BytedropError(
        'ERR_CONFLICT',
        `an object already exists at this key and was not replaced (${s3Code})${at}`,
        options,
      );
    case 'EntityTooLarge':
      return new BytedropError(
        'ERR_TOO_LARGE',
        `the provider refused the object as too large${at}: raise the provider limit or upload a smaller file`,
        options,
      );
  }

  const networkCode = findNetworkCode(error);
  // The SDK names resets 'TimeoutError' too (for its retries): only a real time-out, with no other network code, is one.
  if (
    (name === 'TimeoutError' && (networkCode === undefined || TIMEOUT_CODES.has(networkCode))) ||
    (networkCode !== undefined && TIMEOUT_CODES.has(networkCode))
  ) {
    return new BytedropError(
      'ERR_TIMEOUT',
      `the storage stopped answering (${detail})${at}: the provider or the network stalled; retry, or check the provider's status`,
      options,
    );
  }
  if (networkCode !== undefined || (name === 'TypeError' && detail === 'fetch failed')) {
    const why = networkCode ?? detail;
    return new BytedropError(
      'ERR_NETWORK',
      `could not reach the storage (${why})${at}: check that 'endpoint' is right and the server is running and reachable`,
      options,
    );
  }
  if (status !== undefined) {
    if (status === 401) {
      return new BytedropError(
        'ERR_AUTH',
        `credentials rejected (HTTP 401)${at}: check 'accessKeyId' and 'secretAccessKey'`,
        options,
      );
    }
    if (status === 429 || status === 503) {
      return new BytedropError(
        'ERR_THROTTLED',
        `the provider is busy (HTTP ${status}${s3Code ? ` ${s3Code}` : ''})${at}: wait a little and retry`,
        options,
      );
    }
    if (status === 403) {
      return new BytedropError(
        'ERR_FORBIDDEN',
        `access denied (HTTP 403${s3Code ? ` ${s3Code}` : ''})${at}: check the credentials' permissions on the bucket`,
        options,
      );
    }
    return new BytedropError(
      'ERR_PROVIDER',
      `the storage provider failed with HTTP ${status}${s3Code ? ` ${s3Code}` : ''}: ${detail}${at}; check the provider's status and the config`,
      options,
    );
  }
  return new BytedropError(
    'ERR_PROVIDER',
    `unexpected storage failure: ${detail}${at}; check the config with \`bytedrop doctor\``,
    options,
  );
}
