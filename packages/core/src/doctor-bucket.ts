/**
 * The doctor's look at the bucket: reachable with these credentials (HeadBucket, then a probe GET that names the
 * cause of a bodiless 403), and the clock against the server's `Date` header.
 */
import { GetObjectCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { type DoctorCheck, type DoctorOptions, fail, ok, skip, storeOptions } from './_doctor-report';
import { randomId } from './_id';
import type { BytedropConfig } from './config';
import { toBytedropError } from './error-mapping';
import { type BytedropError, isBytedropError } from './errors';
import { createS3Store } from './stores/s3';

/** The result of `checkBucket`: the check, plus the server's `Date` header for `checkClockSkew`. */
export type BucketCheck = DoctorCheck & { serverDate?: Date };

/**
 * Sends HeadBucket and says whether the bucket is reachable, telling apart wrong keys (`ERR_AUTH`), a missing bucket
 * (`ERR_BUCKET_NOT_FOUND`), missing permissions (`ERR_FORBIDDEN`), clock skew and network failures (`ERR_NETWORK`).
 * A HEAD response has no body, so a 403 is followed by a GET of a missing key, whose XML error names the cause.
 * Also returns the server's `Date` header.
 *
 * @example
 * ```ts
 * const bucket = await checkBucket(config);
 * const clock = checkClockSkew(bucket.serverDate);
 * ```
 */
export async function checkBucket(config: BytedropConfig, options: DoctorOptions = {}): Promise<BucketCheck> {
  const store = options.store ?? createS3Store(config, storeOptions(options));
  const context = { bucket: config.bucket, ...(config.endpoint ? { endpoint: config.endpoint } : {}) };
  let serverDate: Date | undefined;
  const withDate = (check: DoctorCheck): BucketCheck => (serverDate ? { ...check, serverDate } : check);
  const recordDate = (response: unknown) => {
    serverDate ??= dateHeader(response);
  };

  const head = new HeadBucketCommand({ Bucket: config.bucket });
  // Innermost middleware: it sees the raw HTTP response, success or error, before the SDK deserialises it.
  head.middlewareStack.add(
    (next) => async (args) => {
      try {
        const result = await next(args);
        recordDate(result.response);
        return result;
      } catch (error) {
        recordDate((error as { $response?: unknown }).$response);
        throw error;
      }
    },
    { step: 'deserialize', priority: 'low', name: 'bytedropDoctorDate' },
  );
  let error: BytedropError;
  try {
    await store.client.send(head, options.signal ? { abortSignal: options.signal } : {});
    return withDate(ok('bucket', `bucket '${config.bucket}' is reachable with these credentials`));
  } catch (caught) {
    recordDate((caught as { $response?: unknown }).$response);
    error = toBytedropError(caught, context);
  }

  if (error.status === 403 && !isBytedropError(error, 'ERR_CLOCK_SKEW')) {
    // HEAD errors carry no body, so "wrong secret" and "no permission" both look like a bare 403: ask with a GET.
    try {
      await store.client.send(
        new GetObjectCommand({ Bucket: config.bucket, Key: `.bytedrop-doctor/missing-${randomId()}` }),
        options.signal ? { abortSignal: options.signal } : {},
      );
    } catch (caught) {
      const precise = toBytedropError(caught, context);
      if (isBytedropError(precise, 'ERR_NOT_FOUND')) {
        return withDate(
          ok(
            'bucket',
            `bucket '${config.bucket}' is reachable (HeadBucket is not allowed for these credentials, object requests are)`,
          ),
        );
      }
      error = precise;
    }
  }
  return withDate(bucketFailure(error, config));
}

function bucketFailure(error: BytedropError, config: BytedropConfig): DoctorCheck {
  const where = config.endpoint ?? `AWS (${config.region})`;
  const provider = error.s3Code ? ` (${error.s3Code})` : '';
  switch (error.code) {
    case 'ERR_AUTH':
      return fail(
        'bucket',
        `the provider rejected the credentials${provider}: wrong access key id or secret for ${where}`,
        'copy the access key id and secret access key again from the provider (S3_ACCESS_KEY / S3_SECRET_KEY); check for spaces',
        error.code,
      );
    case 'ERR_BUCKET_NOT_FOUND':
      return fail(
        'bucket',
        `bucket '${config.bucket}' does not exist at ${where}`,
        'create the bucket, or fix its name (S3_BUCKET / BYTEDROP_BUCKET); names are case-sensitive',
        error.code,
      );
    case 'ERR_FORBIDDEN':
      return fail(
        'bucket',
        `access to bucket '${config.bucket}' is denied${provider}`,
        'give these credentials read and write access (s3:ListBucket, s3:GetObject, s3:PutObject, s3:DeleteObject) on the bucket',
        error.code,
      );
    case 'ERR_CLOCK_SKEW':
      return fail(
        'bucket',
        "the provider rejected the request time: this machine's clock is off",
        "sync the clock (enable NTP: 'timedatectl set-ntp true', or the OS's automatic time setting)",
        error.code,
      );
    case 'ERR_NETWORK':
      return fail(
        'bucket',
        `cannot reach ${where}: ${error.message}`,
        'check the endpoint host and port, that the server is running, and any proxy or firewall in between',
        error.code,
      );
    default:
      return fail(
        'bucket',
        error.message,
        'check the endpoint, region and bucket against the provider console',
        error.code,
      );
  }
}

/**
 * Compares the server's `Date` header with the local clock. More than `maxClockSkewSeconds` (300) apart fails,
 * because SigV4 signatures and presigned URLs stop working; the message gives the skew in seconds.
 *
 * @example
 * ```ts
 * checkClockSkew(new Date(Date.now() - 600_000)).message;
 * // "this machine's clock is 600 s ahead of the storage server's"
 * ```
 */
export function checkClockSkew(
  serverDate: Date | undefined,
  options: Pick<DoctorOptions, 'now' | 'maxClockSkewSeconds'> = {},
): DoctorCheck {
  if (serverDate === undefined)
    return skip('clock', 'skipped: the server sent no Date header to compare with');
  const now = options.now?.() ?? Date.now();
  const limit = options.maxClockSkewSeconds ?? 300;
  const skew = Math.round((now - serverDate.getTime()) / 1000);
  const direction = skew > 0 ? 'ahead of' : 'behind';
  if (Math.abs(skew) > limit) {
    return fail(
      'clock',
      `this machine's clock is ${Math.abs(skew)} s ${direction} the storage server's (server Date: ${serverDate.toUTCString()})`,
      "sync the clock (enable NTP: 'timedatectl set-ntp true', or the OS's automatic time setting)",
      'ERR_CLOCK_SKEW',
    );
  }
  return ok('clock', `within ${Math.abs(skew)} s of the storage server's clock`);
}

function dateHeader(response: unknown): Date | undefined {
  const headers = (response as { headers?: Record<string, string | undefined> } | undefined)?.headers;
  if (!headers) return undefined;
  const name = Object.keys(headers).find((header) => header.toLowerCase() === 'date');
  const value = name === undefined ? undefined : headers[name];
  const date = value ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}
