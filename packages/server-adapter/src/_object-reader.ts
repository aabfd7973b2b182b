/**
 * Reads a stored object as a stream, whichever store holds it: the local-disk store's `read`, or an S3 GetObject
 * whose body is streamed as it arrives. `ObjectStore` has no read (uploading never needs one), so the routes that
 * hand out bytes (`POST /api/zip`) open them here. Nothing is buffered: the caller pulls the stream.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Parts, type ObjectStore } from '@bytedrop/core';
import { fail, fromStorage, StorageFailure } from './response';

type Readable = { read(key: string): Promise<{ stream: ReadableStream<Uint8Array> } | undefined> };
type S3Like = { client: S3Client; bucket: string };

/** Whether `store` can be read by `openObject` (local disk and S3 can; a custom store may not). */
export function canRead(store: ObjectStore | undefined): store is ObjectStore {
  return store?.kind === 'local-disk' || store?.kind === 's3';
}

/**
 * The bytes of `key`, or `undefined` when storage has no such object. Other storage failures throw a
 * `StorageFailure` (502).
 *
 * @example
 * ```ts
 * const stream = await openObject(store, '2026/11/29/shot-9f86d081.png');
 * ```
 */
export async function openObject(
  store: ObjectStore,
  key: string,
  signal?: AbortSignal,
): Promise<ReadableStream<Uint8Array> | undefined> {
  if (store.kind === 'local-disk') {
    try {
      return (await (store as unknown as Readable).read(key))?.stream;
    } catch (error) {
      throw new StorageFailure(error, { private: true });
    }
  }
  if (store.kind !== 's3') {
    throw fail(
      'ERR_CONFIG',
      `a ${store.kind} store cannot be read by the server: use the local-disk or S3 store`,
    );
  }
  const { client, bucket } = store as unknown as S3Like;
  return fromStorage(createS3Parts(client, bucket).open(key, signal ? { signal } : {}));
}
