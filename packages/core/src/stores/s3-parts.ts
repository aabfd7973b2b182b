/**
 * Multipart uploads and small objects by key, for a host that keeps bytes in flight in the bucket itself: a
 * server's tus uploads (parts of equal size, a tail object, a JSON record) and direct uploads it signs parts for.
 * Every S3 call and every reading of S3's answers (404s that mean "gone", the errors that are the client's) is
 * here, so the host holds protocol state only. Failures are `BytedropError`s with the provider's `status` and
 * `s3Code` (`toBytedropError`).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { loadPresigner } from '../_load';
import { toReadableStream } from '../_stream';
import { toBytedropError } from '../error-mapping';
import { BytedropError } from '../errors';
import { readyClient, type S3Sdk, s3Sdk } from './_s3-sdk';

/** One part of a multipart upload. */
export interface S3Part {
  partNumber: number;
  etag: string;
}

/** One part as S3 lists it. */
export interface ListedS3Part extends S3Part {
  size: number;
}

/**
 * The multipart and small-object calls of one bucket (see `createS3Parts`).
 *
 * @example
 * ```ts
 * const parts = createS3Parts(store.client, store.bucket);
 * const uploadId = await parts.create('.bytedrop-tmp/server/tus/ab12');
 * ```
 */
export interface S3Parts {
  readonly bucket: string;
  /** Starts a multipart upload at `key`; resolves to its upload id. */
  create(key: string): Promise<string>;
  /** Sends one part; resolves to its ETag. */
  uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<string>;
  /** A presigned `UploadPart` URL: its signature covers key, upload id and part number, so it fits one part only. */
  partUrl(key: string, uploadId: string, partNumber: number, expiresIn: number): Promise<string>;
  /** Every part uploaded so far (all pages). */
  listParts(key: string, uploadId: string): Promise<ListedS3Part[]>;
  /**
   * Assembles `parts` at `key`. A part list S3 refuses as such (a part never uploaded, a wrong ETag, a part under
   * 5 MiB before the last) is `ERR_INPUT`: the caller's to fix, and the upload stays open for another try.
   */
  complete(key: string, uploadId: string, parts: readonly S3Part[]): Promise<void>;
  /** Ends a multipart upload and frees its parts; one already gone is no failure. */
  abort(key: string, uploadId: string): Promise<void>;
  /** Writes a small object whole (a record, a tail of bytes). */
  put(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  /**
   * The bytes of `key` as they arrive, or `undefined` when there is no such object. With `etag`, only that version
   * (another fails with `status` 412).
   */
  get(
    key: string,
    options?: { signal?: AbortSignal; etag?: string },
  ): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** `get` as a web stream (for a `Response` body or a ZIP entry); cancelling it ends the download. */
  open(key: string, options?: { signal?: AbortSignal }): Promise<ReadableStream<Uint8Array> | undefined>;
  /** The object's size and ETag, or `undefined` when there is none. */
  stat(key: string): Promise<{ size: number; etag: string } | undefined>;
  /** Removes `key`; a key already gone is no failure. */
  remove(key: string): Promise<void>;
}

/** S3's names for a part list that cannot be assembled: the caller's mistake, not storage's. */
const REFUSED_PARTS = /InvalidPart|EntityTooSmall|MalformedXML/;

/**
 * The multipart and small-object calls of `bucket` through `client` (a store's, or one of your own).
 *
 * @example
 * ```ts
 * const parts = createS3Parts(store.client, store.bucket);
 * const uploadId = await parts.create(key);
 * const etag = await parts.uploadPart(key, uploadId, 1, bytes);
 * await parts.complete(key, uploadId, [{ partNumber: 1, etag }]);
 * ```
 */
export function createS3Parts(client: S3Client, bucket: string): S3Parts {
  const send = async <T>(key: string, make: (sdk: typeof S3Sdk) => unknown, signal?: AbortSignal) => {
    const sdk = await s3Sdk();
    try {
      // biome-ignore lint/suspicious/noExplicitAny: every command of the SDK goes through one `send`.
      return (await client.send(make(sdk) as any, signal ? { abortSignal: signal } : {})) as T;
    } catch (error) {
      throw toBytedropError(error, { bucket, key });
    }
  };
  const unlessGone = (error: unknown) => {
    if ((error as BytedropError).status !== 404) throw error;
  };

  const get: S3Parts['get'] = async (key, options = {}) => {
    const command = {
      Bucket: bucket,
      Key: key,
      ...(options.etag === undefined ? {} : { IfMatch: options.etag }),
    };
    try {
      const out = await send<{ Body?: AsyncIterable<Uint8Array> }>(
        key,
        (s3) => new s3.GetObjectCommand(command),
        options.signal,
      );
      return out.Body ?? (async function* () {})();
    } catch (error) {
      unlessGone(error);
      return undefined;
    }
  };

  return {
    bucket,
    async create(key) {
      const out = await send<{ UploadId?: string }>(
        key,
        (s3) => new s3.CreateMultipartUploadCommand({ Bucket: bucket, Key: key }),
      );
      if (!out.UploadId) {
        throw new BytedropError(
          'ERR_PROVIDER',
          `storage started a multipart upload of '${key}' without an id`,
        );
      }
      return out.UploadId;
    },
    async uploadPart(key, uploadId, partNumber, body) {
      const out = await send<{ ETag?: string }>(
        key,
        (s3) =>
          new s3.UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: body,
            ContentLength: body.byteLength,
          }),
      );
      return out.ETag ?? '';
    },
    async partUrl(key, uploadId, partNumber, expiresIn) {
      const [s3, { getSignedUrl }, signer] = await Promise.all([
        s3Sdk(),
        loadPresigner(),
        readyClient(client),
      ]);
      const command = new s3.UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
      });
      return getSignedUrl(signer, command, { expiresIn });
    },
    async listParts(key, uploadId) {
      const parts: ListedS3Part[] = [];
      let marker: string | undefined;
      do {
        const out = await send<{
          Parts?: { PartNumber?: number; Size?: number; ETag?: string }[];
          IsTruncated?: boolean;
          NextPartNumberMarker?: string;
        }>(
          key,
          (s3) =>
            new s3.ListPartsCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              PartNumberMarker: marker,
            }),
        );
        for (const part of out.Parts ?? [])
          parts.push({ partNumber: part.PartNumber ?? 0, size: part.Size ?? 0, etag: part.ETag ?? '' });
        marker = out.IsTruncated ? out.NextPartNumberMarker : undefined;
      } while (marker !== undefined);
      return parts;
    },
    async complete(key, uploadId, parts) {
      try {
        await send(
          key,
          (s3) =>
            new s3.CompleteMultipartUploadCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: {
                Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })),
              },
            }),
        );
      } catch (error) {
        const name = (error as BytedropError).s3Code ?? '';
        if (!REFUSED_PARTS.test(name)) throw error;
        throw new BytedropError(
          'ERR_INPUT',
          `storage refused to assemble the parts of '${key}' (${name}): every listed part must have been uploaded with its ETag, and every part but the last must be at least 5 MiB`,
          { cause: error, status: 400, s3Code: name },
        );
      }
    },
    async abort(key, uploadId) {
      await send(
        key,
        (s3) => new s3.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }),
      ).catch(unlessGone);
    },
    async put(key, body, contentType) {
      await send(
        key,
        (s3) => new s3.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
      );
    },
    get,
    async open(key, options = {}) {
      const body = await get(key, options);
      if (body === undefined) return undefined;
      // The SDK's own conversion where it offers one (Node's socket stream, or the fetch body in browsers).
      const web = (body as { transformToWebStream?: () => ReadableStream<Uint8Array> }).transformToWebStream;
      return web ? web.call(body) : toReadableStream(body);
    },
    async stat(key) {
      try {
        const out = await send<{ ContentLength?: number; ETag?: string }>(
          key,
          (s3) => new s3.HeadObjectCommand({ Bucket: bucket, Key: key }),
        );
        return { size: Number(out.ContentLength ?? 0), etag: String(out.ETag ?? '') };
      } catch (error) {
        unlessGone(error);
        return undefined;
      }
    },
    async remove(key) {
      await send(key, (s3) => new s3.DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(unlessGone);
    },
  };
}
