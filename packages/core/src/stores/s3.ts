/**
 * The S3 object store: any S3-compatible provider through the real AWS SDK. Multipart is lib-storage's job
 * (never re-implemented here); this file adds the provider quirks, abort that really stops requests, error mapping,
 * and cleanup of multipart uploads that could not be aborted while the provider was unreachable.
 */
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  type ObjectCannedACL,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { abortedError, throwIfAborted } from '../_abort';
import { isReplayable, toAsyncIterable } from '../_body';
import { randomId } from '../_id';
import { meter, toReadableStream } from '../_stream';
import type { BytedropConfig } from '../config';
import { BytedropError, isBytedropError, toBytedropError } from '../errors';
import { publicUrl } from '../links';
import { type ProviderSettings, resolveProvider } from '../providers';
import type { BodyInput, ObjectStore, PutOptions, StoredObject } from '../types';

/**
 * Options of `createS3Store`.
 *
 * @example
 * ```ts
 * createS3Store(config, { requestHandler: new ObsidianRequestUrlHandler() }); // a host's own smithy HttpHandler
 * createS3Store(config, { clientConfig: { maxAttempts: 2, requestHandler: { requestTimeout: 30_000 } } });
 * ```
 */
export interface S3StoreOptions {
  /** A ready S3Client (lib-storage / Uppy style); the provider settings are then the client's business. */
  client?: S3Client;
  /** A smithy HttpHandler, e.g. one over Obsidian's `requestUrl`, which is not subject to CORS. */
  requestHandler?: S3ClientConfig['requestHandler'];
  /** Extra S3Client settings applied over the provider's (retries, timeouts, a custom logger). */
  clientConfig?: S3ClientConfig;
}

/**
 * A multipart upload whose abort failed; its parts cost storage until it is aborted.
 *
 * @example
 * ```ts
 * store.pendingAborts; // [{ key: '2024/05/01/big-1a2b3c4d.bin', uploadId: 'VXBsb2FkSWQ…' }]
 * ```
 */
export interface PendingAbort {
  key: string;
  uploadId: string;
}

/**
 * The S3 store: an `ObjectStore` plus the client and what it knows about unfinished multipart uploads.
 *
 * @example
 * ```ts
 * const store: S3Store = createS3Store(config);
 * if (store.pendingAborts.length > 0) await store.retryAborts(); // e.g. when the app regains connectivity
 * ```
 */
export interface S3Store extends ObjectStore {
  readonly kind: 's3';
  readonly client: S3Client;
  readonly bucket: string;
  /** The provider settings the client was built from (also when a client was injected). */
  readonly settings: ProviderSettings;
  /** Multipart uploads whose abort failed because the provider was unreachable; retried before every put. */
  readonly pendingAborts: readonly PendingAbort[];
  /** Retries the pending aborts now; resolves to how many are still pending (0 when all parts are gone). */
  retryAborts(): Promise<number>;
}

interface SdkErrorShape {
  name?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: { headers?: Record<string, string | undefined> };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

function nameOf(error: unknown): string | undefined {
  const name = (error as SdkErrorShape | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

/** Keys are percent-encoded segment by segment, the way CopySource expects them. */
function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** What a put adds to the requests lib-storage sends for it. */
interface PutScope {
  signal: AbortSignal | undefined;
  /** The whole body's SHA-256 (hex), for a single PutObject. */
  sha256: string | undefined;
}

/**
 * A view of `client` for one put. Its requests carry `signal`, except two: AbortMultipartUpload must still go out
 * after the signal fired, and CreateMultipartUpload must be allowed to finish (the provider creates the upload
 * whether or not the client still listens, and without its id nothing could abort it). lib-storage sends without
 * an abortSignal, so without this an abort would only stop it between parts and an in-flight single PUT would still
 * create the object.
 *
 * A PutObject carries the whole body (lib-storage sends one only when the body fits in one part), so a known
 * SHA-256 of the body is its SigV4 payload hash: set as `x-amz-content-sha256`, the signer uses it instead of
 * hashing the body again (a second full pass, about 0.6 ms per MiB here; far more with hash-wasm on a phone).
 */
function scopedClient(client: S3Client, scope: PutScope): S3Client {
  const { signal, sha256 } = scope;
  if (signal === undefined && sha256 === undefined) return client;
  const scoped = Object.create(client) as S3Client;
  const send = (command: Parameters<S3Client['send']>[0], options?: { abortSignal?: AbortSignal }) => {
    if (sha256 !== undefined && command instanceof PutObjectCommand) {
      command.middlewareStack.add(
        (next) => (args) => {
          const request = args.request as { headers?: Record<string, string> };
          if (request.headers) request.headers['x-amz-content-sha256'] = sha256;
          return next(args);
        },
        { step: 'build', name: 'bytedropKnownPayloadHash' },
      );
    }
    const keepsSignal =
      signal !== undefined &&
      !(command instanceof AbortMultipartUploadCommand || command instanceof CreateMultipartUploadCommand);
    return client.send(command, keepsSignal ? { ...options, abortSignal: signal } : options);
  };
  scoped.send = send as S3Client['send'];
  return scoped;
}

/** Builds the S3Client a config describes: provider quirks first, then the caller's handler and settings. */
function buildClient(settings: ProviderSettings, options: S3StoreOptions): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    forcePathStyle: settings.forcePathStyle,
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
    requestChecksumCalculation: settings.requestChecksumCalculation,
    responseChecksumValidation: settings.responseChecksumValidation,
    ...(options.requestHandler === undefined ? {} : { requestHandler: options.requestHandler }),
    ...options.clientConfig,
  });
}

/**
 * Creates an `ObjectStore` over S3 or any S3-compatible provider (R2, B2, MinIO, Spaces, Wasabi, COS, OSS).
 *
 * - `put` streams through `@aws-sdk/lib-storage` (single PUT up to `multipartThreshold` or `partSize`, whichever is
 *   larger, multipart above; at most `partSize × queueSize` bytes in memory, or one body up to the threshold), sends `x-amz-acl` only when `acl` is configured, and on failure or abort
 *   aborts the multipart upload so no parts are left. When the provider is unreachable the abort cannot be sent; the
 *   upload is then remembered in `pendingAborts` and aborted before the next put (or by `retryAborts()`). A process
 *   that exits first cannot do that: give the bucket an `AbortIncompleteMultipartUpload` lifecycle rule as a backstop.
 * - `head` answers `undefined` for a missing key. A bodiless 403 (HEAD has no error body) is re-asked with a 1-byte
 *   GET so a wrong secret says `ERR_AUTH` and credentials without `s3:ListBucket` still work.
 * - every SDK failure is a `BytedropError` (see `toBytedropError`).
 *
 * @example
 * ```ts
 * const store = createS3Store(parseConfig({ endpoint: 'http://127.0.0.1:9000', bucket: 'notes', accessKeyId: 'k', secretAccessKey: 's' }));
 * await store.check();
 * await store.put('hello.txt', new TextEncoder().encode('hi'), { contentType: 'text/plain' });
 * store.publicUrl('hello.txt'); // 'http://127.0.0.1:9000/notes/hello.txt'
 * ```
 */
export function createS3Store(config: BytedropConfig, options: S3StoreOptions = {}): S3Store {
  const settings = resolveProvider(config);
  const client = options.client ?? buildClient(settings, options);
  const bucket = settings.bucket;
  const acl = settings.acl as ObjectCannedACL | undefined;
  const context = (key?: string) => ({
    bucket,
    ...(key === undefined ? {} : { key }),
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
  });
  const pending: PendingAbort[] = [];
  let flushing: Promise<number> | undefined;

  /** Aborts one multipart upload. True when it is gone (aborted now, or already by lib-storage). */
  async function abortMultipart(key: string, uploadId: string): Promise<boolean> {
    try {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
      return true;
    } catch (error) {
      return nameOf(error) === 'NoSuchUpload' || statusOf(error) === 404;
    }
  }

  function retryAborts(): Promise<number> {
    // One flush at a time: concurrent puts share it instead of aborting the same upload twice.
    flushing ??= (async () => {
      const batch = pending.splice(0);
      const gone = await Promise.all(batch.map((item) => abortMultipart(item.key, item.uploadId)));
      pending.push(...batch.filter((_, index) => !gone[index]));
      return pending.length;
    })().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  /**
   * Asks again with a 1-byte GET, whose error has a body: tells a wrong secret (ERR_AUTH) or a skewed clock from
   * missing permissions. Resolves to the object, `undefined` when the key does not exist, else throws.
   */
  async function diagnose(key: string, signal: AbortSignal | undefined): Promise<StoredObject | undefined> {
    try {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: 'bytes=0-0' }), {
        abortSignal: signal,
      });
      await out.Body?.transformToByteArray();
      const total = /\/(\d+)$/.exec(out.ContentRange ?? '')?.[1];
      return { size: Number(total ?? out.ContentLength ?? 0), etag: out.ETag, contentType: out.ContentType };
    } catch (error) {
      if (nameOf(error) === 'NoSuchKey') return undefined;
      // A 0-byte object has no byte 0 to range over.
      if (nameOf(error) === 'InvalidRange') return { size: 0 };
      throw toBytedropError(error, context(key));
    }
  }

  async function head(key: string, signal?: AbortSignal): Promise<StoredObject | undefined> {
    try {
      const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), {
        abortSignal: signal,
      });
      return { size: out.ContentLength ?? 0, etag: out.ETag, contentType: out.ContentType };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      if (statusOf(error) === 403) return diagnose(key, signal);
      throw toBytedropError(error, context(key));
    }
  }

  function toUploadBody(
    body: BodyInput,
    options: PutOptions,
    key: string,
  ): Uint8Array | Blob | ReadableStream {
    if (isReplayable(body)) return body instanceof ArrayBuffer ? new Uint8Array(body) : body;
    // Streams go through `meter` so a read stalled on the caller's stream still loses to the signal.
    return toReadableStream(meter(toAsyncIterable(body), { signal: options.signal, filename: key }));
  }

  async function put(key: string, body: BodyInput, options: PutOptions): Promise<{ etag?: string }> {
    if (pending.length > 0) await retryAborts();
    throwIfAborted(options.signal, `upload of '${key}'`);
    const upload = new Upload({
      client: scopedClient(client, { signal: options.signal, sha256: options.sha256 }),
      params: {
        Bucket: bucket,
        Key: key,
        Body: toUploadBody(body, options, key),
        ContentType: options.contentType,
        ...(options.cacheControl === undefined ? {} : { CacheControl: options.cacheControl }),
        ...(acl === undefined ? {} : { ACL: acl }),
      },
      // lib-storage sends one PUT exactly when the body fits in one part, so a body up to multipartThreshold gets a
      // part as large as itself; a larger or unsized body is split into partSize parts.
      partSize:
        options.size !== undefined && options.size <= config.multipartThreshold
          ? Math.max(config.partSize, options.size)
          : config.partSize,
      queueSize: config.queueSize,
      leavePartsOnError: false,
    });
    const { onProgress } = options;
    if (onProgress) {
      upload.on('httpUploadProgress', (progress) => {
        onProgress({ loaded: progress.loaded ?? 0, total: progress.total ?? options.size });
      });
    }
    try {
      const out = await upload.done();
      // radosgw answers CompleteMultipartUpload with an empty ETag: no ETag, rather than '' passing for one.
      return out.ETag ? { etag: out.ETag } : {};
    } catch (error) {
      throw await failed(key, upload.uploadId, error, options.signal);
    }
  }

  /** Makes sure a failed upload left no parts, then says what failed (and what is left, when something is). */
  async function failed(
    key: string,
    uploadId: string | undefined,
    error: unknown,
    signal: AbortSignal | undefined,
  ): Promise<BytedropError> {
    // lib-storage already tried to abort; asking again is cheap (NoSuchUpload) and covers its abort having failed.
    const mapped =
      signal?.aborted && !isBytedropError(error)
        ? abortedError(`upload of '${key}'`, error)
        : toBytedropError(error, context(key));
    if (uploadId === undefined || (await abortMultipart(key, uploadId))) return mapped;
    pending.push({ key, uploadId });
    return new BytedropError(
      mapped.code,
      `${mapped.message}. The unfinished multipart upload ${uploadId} could not be aborted either; Bytedrop aborts it before the next upload through this store (or call retryAborts()). Add an AbortIncompleteMultipartUpload lifecycle rule to the bucket to cover crashes`,
      {
        cause: error,
        ...(mapped.status === undefined ? {} : { status: mapped.status }),
        ...(mapped.s3Code === undefined ? {} : { s3Code: mapped.s3Code }),
      },
    );
  }

  async function copy(
    fromKey: string,
    toKey: string,
    options: { contentType: string; cacheControl?: string },
  ) {
    try {
      await client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: toKey,
          CopySource: `${bucket}/${encodeKey(fromKey)}`,
          // REPLACE, or the copy keeps the temporary object's headers instead of the final ones.
          MetadataDirective: 'REPLACE',
          ContentType: options.contentType,
          ...(options.cacheControl === undefined ? {} : { CacheControl: options.cacheControl }),
          ...(acl === undefined ? {} : { ACL: acl }),
        }),
      );
    } catch (error) {
      throw toBytedropError(error, context(toKey));
    }
  }

  async function remove(key: string): Promise<void> {
    try {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw toBytedropError(error, context(key));
    }
  }

  async function check(signal?: AbortSignal): Promise<void> {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
    } catch (error) {
      // HeadBucket needs s3:ListBucket and its 403 has no body: a probe GET tells bad credentials from a narrow policy.
      if (statusOf(error) === 403) {
        await diagnose(`.bytedrop-check/${randomId()}`, signal);
        return;
      }
      throw toBytedropError(error, context());
    }
  }

  return {
    kind: 's3',
    client,
    bucket,
    settings,
    get pendingAborts() {
      return [...pending];
    },
    retryAborts,
    head,
    put,
    copy,
    delete: remove,
    check,
    publicUrl: (key) => publicUrl(settings.publicBaseUrl, key),
  };
}
