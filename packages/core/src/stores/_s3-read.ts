/**
 * Reading an object's state on S3: HEAD, and the probes that turn a bodiless 403 into a reason. A HEAD's error has
 * no body, so a wrong secret and a narrow policy look alike; a 1-byte GET tells them apart.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { randomId } from '../_id';
import { type ErrorContext, toBytedropError } from '../error-mapping';
import type { StoredObject } from '../types';
import { nameOf, statusOf } from './_s3-client';
import { fromS3Metadata } from './_s3-meta';
import { s3Sdk } from './_s3-sdk';

/** A HEAD's or GET's answer as a `StoredObject`. */
export function stored(
  size: number,
  out: {
    ETag?: string;
    ContentType?: string;
    CacheControl?: string;
    ContentDisposition?: string;
    Metadata?: Record<string, string>;
  },
): StoredObject {
  const meta = fromS3Metadata(out.Metadata);
  return {
    size,
    ...(out.ETag === undefined ? {} : { etag: out.ETag }),
    ...(out.ContentType === undefined ? {} : { contentType: out.ContentType }),
    ...(out.CacheControl === undefined ? {} : { cacheControl: out.CacheControl }),
    ...(out.ContentDisposition === undefined ? {} : { contentDisposition: out.ContentDisposition }),
    ...(meta === undefined ? {} : { meta }),
  };
}

/** `head` and `check` of an S3 store. */
export function s3Reader(
  client: S3Client,
  bucket: string,
  context: (key?: string, error?: unknown) => ErrorContext,
) {
  /**
   * Asks again with a 1-byte GET, whose error has a body: tells a wrong secret (ERR_AUTH) or a skewed clock from
   * missing permissions. Resolves to the object, `undefined` when the key does not exist, else throws.
   */
  async function diagnose(key: string, signal: AbortSignal | undefined): Promise<StoredObject | undefined> {
    try {
      const { GetObjectCommand } = await s3Sdk();
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: 'bytes=0-0' }), {
        abortSignal: signal,
      });
      await out.Body?.transformToByteArray();
      const total = /\/(\d+)$/.exec(out.ContentRange ?? '')?.[1];
      return stored(Number(total ?? out.ContentLength ?? 0), out);
    } catch (error) {
      if (nameOf(error) === 'NoSuchKey') return undefined;
      // A 0-byte object has no byte 0 to range over.
      if (nameOf(error) === 'InvalidRange') return { size: 0 };
      throw toBytedropError(error, context(key, error));
    }
  }

  async function head(key: string, signal?: AbortSignal): Promise<StoredObject | undefined> {
    try {
      const { HeadObjectCommand } = await s3Sdk();
      const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), {
        abortSignal: signal,
      });
      return stored(out.ContentLength ?? 0, out);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      if (statusOf(error) === 403) return diagnose(key, signal);
      throw toBytedropError(error, context(key, error));
    }
  }

  async function check(signal?: AbortSignal): Promise<void> {
    try {
      const { HeadBucketCommand } = await s3Sdk();
      await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
    } catch (error) {
      // HeadBucket needs s3:ListBucket and its 403 has no body: a probe GET tells bad credentials from a narrow policy.
      if (statusOf(error) === 403) {
        await diagnose(`.bytedrop-check/${randomId()}`, signal);
        return;
      }
      throw toBytedropError(error, context(undefined, error));
    }
  }

  return { head, check };
}
