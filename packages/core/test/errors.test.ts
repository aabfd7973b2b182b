import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { BytedropError, isBytedropError, parseConfig, resolveProvider, toBytedropError } from '../src/index';

describe('BytedropError', () => {
  it('carries code, status, s3Code and cause', () => {
    const cause = new Error('root');
    const error = new BytedropError('ERR_PROVIDER', 'boom', { cause, status: 503, s3Code: 'SlowDown' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('BytedropError');
    expect(error.code).toBe('ERR_PROVIDER');
    expect(error.status).toBe(503);
    expect(error.s3Code).toBe('SlowDown');
    expect(error.cause).toBe(cause);
    expect(new BytedropError('ERR_INPUT', 'x').status).toBeUndefined();
  });

  it('isBytedropError checks name and code, so copies from another bundle still match', () => {
    const foreign = Object.assign(new Error('from another copy of core'), {
      name: 'BytedropError',
      code: 'ERR_AUTH',
    });
    expect(isBytedropError(foreign)).toBe(true);
    expect(isBytedropError(foreign, 'ERR_AUTH')).toBe(true);
    expect(isBytedropError(foreign, 'ERR_CONFIG')).toBe(false);
    expect(isBytedropError({ name: 'BytedropError', code: 'ERR_MADE_UP' })).toBe(false);
    expect(isBytedropError(new Error('plain'))).toBe(false);
    expect(isBytedropError(null)).toBe(false);
    expect(isBytedropError('ERR_AUTH')).toBe(false);
  });
});

describe('toBytedropError over the real S3 protocol', () => {
  let s3: ReturnType<typeof inject<'s3'>>;
  const clientFor = (overrides: { secretAccessKey?: string; endpoint?: string } = {}) => {
    const settings = resolveProvider(
      parseConfig({
        endpoint: overrides.endpoint ?? s3.endpoint,
        bucket: s3.bucket,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: overrides.secretAccessKey ?? s3.secretAccessKey,
      }),
    );
    return new S3Client({ ...settings, maxAttempts: 1 });
  };
  beforeAll(() => {
    delete process.env.AWS_CA_BUNDLE;
    s3 = inject('s3');
  });

  it('maps a missing bucket (bare 404 on HEAD) to ERR_BUCKET_NOT_FOUND naming the bucket', async () => {
    const error = await clientFor()
      .send(new HeadBucketCommand({ Bucket: 'no-such-bucket-here' }))
      .catch((e: unknown) => e);
    const mapped = toBytedropError(error, { bucket: 'no-such-bucket-here', endpoint: s3.endpoint });
    expect(mapped.code).toBe('ERR_BUCKET_NOT_FOUND');
    expect(mapped.status).toBe(404);
    expect(mapped.message).toContain("'no-such-bucket-here'");
    expect(mapped.message).toMatch(/create it or fix 'bucket'/);
    expect(mapped.cause).toBe(error);
  });

  it('maps NoSuchBucket from a GET to ERR_BUCKET_NOT_FOUND', async () => {
    const error = await clientFor()
      .send(new GetObjectCommand({ Bucket: 'missing-bucket', Key: 'a.txt' }))
      .catch((e: unknown) => e);
    const mapped = toBytedropError(error, { bucket: 'missing-bucket', key: 'a.txt' });
    expect(mapped.code).toBe('ERR_BUCKET_NOT_FOUND');
    expect(mapped.s3Code).toBe('NoSuchBucket');
  });

  it('maps a missing key to ERR_NOT_FOUND', async () => {
    const error = await clientFor()
      .send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'never/written.bin' }))
      .catch((e: unknown) => e);
    const mapped = toBytedropError(error, { bucket: s3.bucket, key: 'never/written.bin' });
    expect(mapped.code).toBe('ERR_NOT_FOUND');
    expect(mapped.message).toContain("'never/written.bin'");
  });

  it('maps a wrong secret to ERR_AUTH with a fix', async () => {
    const error = await clientFor({ secretAccessKey: 'wrong-secret' })
      .send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'x.txt', Body: 'x' }))
      .catch((e: unknown) => e);
    const mapped = toBytedropError(error, { bucket: s3.bucket });
    expect(mapped.code).toBe('ERR_AUTH');
    expect(mapped.s3Code).toBe('SignatureDoesNotMatch');
    expect(mapped.status).toBe(403);
    expect(mapped.message).toMatch(/check 'accessKeyId' and 'secretAccessKey'/);
  });

  it('maps a refused connection to ERR_NETWORK naming the endpoint', async () => {
    // A port that was just free: bind, read the number, close.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const endpoint = `http://127.0.0.1:${port}`;
    const error = await clientFor({ endpoint })
      .send(new HeadBucketCommand({ Bucket: s3.bucket }))
      .catch((e: unknown) => e);
    const mapped = toBytedropError(error, { endpoint });
    expect(mapped.code).toBe('ERR_NETWORK');
    expect(mapped.message).toContain('ECONNREFUSED');
    expect(mapped.message).toContain(endpoint);
  });

  it('maps an aborted request to ERR_ABORTED', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await clientFor()
      .send(new HeadBucketCommand({ Bucket: s3.bucket }), { abortSignal: controller.signal })
      .catch((e: unknown) => e);
    expect(toBytedropError(error).code).toBe('ERR_ABORTED');
  });
});

describe('toBytedropError on error shapes the SDK and fetch produce elsewhere', () => {
  const sdkError = (name: string, status: number, message = name) =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

  it.each([
    ['InvalidAccessKeyId', 403, 'ERR_AUTH'],
    ['AccessDenied', 403, 'ERR_FORBIDDEN'],
    ['RequestTimeTooSkewed', 403, 'ERR_CLOCK_SKEW'],
    ['NoSuchKey', 404, 'ERR_NOT_FOUND'],
    ['EntityTooLarge', 400, 'ERR_TOO_LARGE'],
    ['Unknown', 401, 'ERR_AUTH'],
    ['Unknown', 403, 'ERR_FORBIDDEN'],
    ['InternalError', 500, 'ERR_PROVIDER'],
  ] as const)('%s (HTTP %i) → %s', (name, status, code) => {
    const mapped = toBytedropError(sdkError(name, status), { bucket: 'photos' });
    expect(mapped.code).toBe(code);
    expect(mapped.status).toBe(status);
    expect(mapped.message).toContain("bucket 'photos'");
  });

  it('reads the Code property when the name is generic', () => {
    const error = Object.assign(new Error('denied'), {
      Code: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    expect(toBytedropError(error).code).toBe('ERR_FORBIDDEN');
  });

  it('finds network codes nested in fetch causes, and timeouts', () => {
    const fetchFailed = new TypeError('fetch failed', {
      cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    });
    expect(toBytedropError(fetchFailed).message).toContain('ECONNRESET');
    expect(toBytedropError(fetchFailed).code).toBe('ERR_NETWORK');
    expect(toBytedropError(new TypeError('fetch failed')).code).toBe('ERR_NETWORK');
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    expect(toBytedropError(timeout).code).toBe('ERR_TIMEOUT');
    expect(toBytedropError(new DOMException('aborted', 'AbortError')).code).toBe('ERR_ABORTED');
  });

  it.each([
    ['SlowDown', 503, 'ERR_THROTTLED'],
    ['ServiceUnavailable', 503, 'ERR_THROTTLED'],
    ['Unknown', 429, 'ERR_THROTTLED'],
    ['BadDigest', 400, 'ERR_CHECKSUM'],
    ['XAmzContentSHA256Mismatch', 400, 'ERR_CHECKSUM'],
    ['PreconditionFailed', 412, 'ERR_CONFLICT'],
  ] as const)('%s (HTTP %i) → %s', (name, status, code) => {
    expect(toBytedropError(sdkError(name, status)).code).toBe(code);
  });

  it('passes BytedropErrors through and wraps anything else as ERR_PROVIDER', () => {
    const original = new BytedropError('ERR_CONFIG', 'x');
    expect(toBytedropError(original)).toBe(original);
    const odd = toBytedropError('a string was thrown');
    expect(odd.code).toBe('ERR_PROVIDER');
    expect(odd.message).toContain('a string was thrown');
  });
});
