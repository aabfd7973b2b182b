/**
 * Presigned GET links, for buckets that are not public: the link carries a time-limited signature instead of
 * the bucket being readable by everyone.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { loadPresigner } from './_load';
import { toBytedropError } from './error-mapping';
import { BytedropError } from './errors';
import { readyClient, s3Sdk } from './stores/_s3-sdk';

/**
 * SigV4 presigned URLs live at most 7 days (604800 seconds).
 *
 * @example
 * ```ts
 * await uploader.presign(key, MAX_PRESIGN_SECONDS); // the longest-lived link S3 allows
 * ```
 */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 60 * 60;

/** Extra answers a presigned GET asks of the provider. */
export interface PresignOptions {
  /**
   * `Content-Disposition` the provider answers with (`response-content-disposition`), e.g. core's
   * `attachmentDisposition(name)` to have the link download instead of display.
   */
  contentDisposition?: string;
}

/**
 * Signs a GET of `key` valid for `expiresIn` seconds (default 1 hour, at most 7 days). Nothing is sent: the URL is
 * computed locally from the client's credentials, so it works offline and fails only when it is used.
 *
 * @example
 * ```ts
 * const store = createS3Store(config);
 * const link = await presignGet(store.client, store.bucket, '2024/05/01/shot-1a2b3c4d.png', 600);
 * // 'https://…/shot-1a2b3c4d.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&…&X-Amz-Expires=600&…'
 * await presignGet(store.client, store.bucket, key, 600, { contentDisposition: 'attachment' }); // a download
 * ```
 */
export async function presignGet(
  client: S3Client,
  bucket: string,
  key: string,
  expiresIn = 3600,
  options: PresignOptions = {},
): Promise<string> {
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGN_SECONDS) {
    throw new BytedropError(
      'ERR_INPUT',
      `presign expiresIn ${expiresIn} is out of range: use whole seconds from 1 to ${MAX_PRESIGN_SECONDS} (7 days, the SigV4 limit)`,
    );
  }
  if (key === '') {
    throw new BytedropError('ERR_INPUT', "presign needs an object key: pass the 'key' of an upload result");
  }
  try {
    // Loaded here, not at import: only buckets that are not public ever sign a link.
    const [{ getSignedUrl }, { GetObjectCommand }, signer] = await Promise.all([
      loadPresigner(),
      s3Sdk(),
      readyClient(client),
    ]);
    return await getSignedUrl(
      signer,
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(options.contentDisposition ? { ResponseContentDisposition: options.contentDisposition } : {}),
      }),
      { expiresIn },
    );
  } catch (error) {
    throw toBytedropError(error, { bucket, key });
  }
}
