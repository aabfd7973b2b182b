/**
 * Internal: the S3 store's copy. A copy of a version (`sourceEtag`) asks the provider to copy only that version
 * (`x-amz-copy-source-if-match`: AWS, R2 and MinIO refuse with 412), and checks the source again afterwards, since
 * some S3 servers ignore the condition (radosgw 16 copies whatever is there): a source that changed meanwhile gets
 * the copy removed (if the key still holds this write's copy, by its write id) and `ERR_CONFLICT`, so an object is
 * never placed under a hash of bytes it does not hold.
 */
import type { ObjectCannedACL, S3Client } from '@aws-sdk/client-s3';
import { toBytedropError } from '../error-mapping';
import { BytedropError } from '../errors';
import type { CopyOptions, StoredObject } from '../types';
import { statusOf } from './_s3-client';
import { encodeKey, objectHeaders } from './_s3-params';
import { s3Sdk } from './_s3-sdk';

type Context = (key?: string, error?: unknown) => Record<string, unknown>;

const changed = (fromKey: string, toKey: string, etag: string, cause?: unknown) =>
  new BytedropError(
    'ERR_CONFLICT',
    `cannot copy '${fromKey}' to '${toKey}': it changed since it was read (expected ETag ${etag}); upload it again`,
    cause === undefined ? {} : { cause },
  );

/** The store's `copy`, over its client and bucket. */
export function s3Copy(
  client: S3Client,
  bucket: string,
  acl: ObjectCannedACL | undefined,
  context: Context,
  head: (key: string) => Promise<StoredObject | undefined>,
  remove: (key: string) => Promise<void>,
) {
  return async function copy(fromKey: string, toKey: string, options: CopyOptions): Promise<void> {
    const { sourceEtag } = options;
    try {
      const { CopyObjectCommand } = await s3Sdk();
      await client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: toKey,
          CopySource: `${bucket}/${encodeKey(fromKey)}`,
          // REPLACE, or the copy keeps the temporary object's headers instead of the final ones.
          MetadataDirective: 'REPLACE',
          ...(sourceEtag === undefined ? {} : { CopySourceIfMatch: sourceEtag }),
          ...objectHeaders(options, acl),
        }),
      );
    } catch (error) {
      if (sourceEtag !== undefined && statusOf(error) === 412)
        throw changed(fromKey, toKey, sourceEtag, error);
      throw toBytedropError(error, context(toKey, error));
    }
    if (sourceEtag === undefined) return;
    const source = await head(fromKey);
    // Gone (a cancelled upload's bytes removed after the copy) is not changed: what was copied was there to copy.
    if (source === undefined || source.etag === sourceEtag) return;
    // Our copy may hold the other version: remove it, but never another writer's object at that key.
    const placed = await head(toKey);
    const write = options.meta?.write;
    if (placed !== undefined && write !== undefined && placed.meta?.write === write) await remove(toKey);
    throw changed(fromKey, toKey, sourceEtag);
  };
}
