/**
 * What the S3 store sends with an object, apart from the store's own state: the object headers a put and a copy share,
 * the body as lib-storage takes it, keys as CopySource writes them, and which request a failure came from.
 */
import type { ObjectCannedACL } from '@aws-sdk/client-s3';
import { isReplayable, toAsyncIterable } from '../_body';
import { meter, toReadableStream } from '../_stream';
import type { BodyInput, CopyOptions, PutOptions } from '../types';
import { OPERATION } from './_s3-client';
import { toS3Metadata } from './_s3-meta';

/** Keys are percent-encoded segment by segment, the way CopySource expects them. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** Content type, caching, disposition, Bytedrop's metadata and the configured ACL: the same on a put and a copy. */
export function objectHeaders(options: PutOptions | CopyOptions, acl: ObjectCannedACL | undefined) {
  return {
    ContentType: options.contentType,
    ...(options.cacheControl === undefined ? {} : { CacheControl: options.cacheControl }),
    ...(options.contentDisposition === undefined ? {} : { ContentDisposition: options.contentDisposition }),
    ...(options.meta === undefined ? {} : { Metadata: toS3Metadata(options.meta) }),
    ...(acl === undefined ? {} : { ACL: acl }),
  };
}

/** The body as lib-storage takes it: bytes and Blobs as they are, streams metered so a stalled one loses to the signal. */
export function toUploadBody(
  body: BodyInput,
  options: PutOptions,
  key: string,
): Uint8Array | Blob | ReadableStream {
  if (isReplayable(body)) return body instanceof ArrayBuffer ? new Uint8Array(body) : body;
  return toReadableStream(meter(toAsyncIterable(body), { signal: options.signal, filename: key }));
}

/** The request an SDK failure came from (tagged by `scopedClient`), for `toBytedropError`'s message. */
export function operationOf(error: unknown): { operation?: string } {
  const operation = (error as { [OPERATION]?: string } | undefined)?.[OPERATION];
  return typeof operation === 'string' ? { operation } : {};
}
