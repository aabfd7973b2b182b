/**
 * The S3 object store: any S3-compatible provider through the real AWS SDK. Multipart is lib-storage's job
 * (never re-implemented here); this file adds the provider quirks, abort that really stops requests, error mapping,
 * Bytedrop's metadata, conditional writes, and the journal and sweeps that leave no multipart upload or temporary
 * object behind (`_s3-client.ts`, `_s3-sweep.ts`).
 */
import type { ObjectCannedACL, S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { throwIfAborted } from '../_abort';
import { isReplayable } from '../_body';
import type { BytedropConfig } from '../config';
import { toBytedropError } from '../error-mapping';
import { BytedropError } from '../errors';
import { createMemoryJournal, TEMP_KEY_PREFIX, type UploadJournal } from '../journal';
import { publicUrl } from '../links';
import { PROVIDERS, type ProviderPreset, type ProviderSettings, resolveProvider } from '../providers';
import type { BodyInput, ObjectStore, PutOptions, PutResult, SweepReport } from '../types';
import { createAbortKeeper, type PendingAbort } from './_s3-aborts';
import {
  buildClient,
  DEFAULT_CONNECTION_TIMEOUT,
  DEFAULT_SOCKET_TIMEOUT,
  scopedClient,
  statusOf,
} from './_s3-client';
import { s3Copy } from './_s3-copy';
import { objectHeaders, operationOf, toUploadBody } from './_s3-params';
import { startPut } from './_s3-put';

export type { PendingAbort } from './_s3-aborts';

import { s3Reader } from './_s3-read';
import {
  freshLog,
  keptOpen,
  mapFailure,
  type ResumeDeps,
  resumableFailure,
  resumeEarlier,
} from './_s3-resumable';
import { lazyClient, s3Sdk } from './_s3-sdk';
import { abortStrays, recoverFromJournal, sweepPrefix } from './_s3-sweep';

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
  /**
   * Where multipart uploads and temporary objects are written down while in flight, so `recover()` can clean up
   * after a crash (default: memory, which covers failures within this process only).
   */
  journal?: UploadJournal;
  /**
   * Which writes the server honours `If-None-Match: *` on, over the provider preset's `conditionalWrites`: for a
   * `custom` server known to refuse a PutObject to a taken key with 412 (radosgw/Ceph do; s3rver ignores the
   * header), `{ enforced: true }` lets uploads with `putFirst` skip the HEAD before their PUT there. Claiming it for
   * a server that ignores the header would let such a write replace an object: test it first (412 on a second
   * create-only PUT of one key).
   */
  conditionalWrites?: Partial<ProviderPreset['conditionalWrites']>;
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
  /**
   * The SDK client. The SDK loads on the store's first request (not when core is imported), so until then this is a
   * stand-in whose `send` loads it and sends through the real client; its other properties (`config`,
   * `middlewareStack`) throw `ERR_CONFIG` until a request was made. An injected `client` is always itself.
   */
  readonly client: S3Client;
  readonly bucket: string;
  /** The provider settings the client was built from (also when a client was injected). */
  readonly settings: ProviderSettings;
  /** Multipart uploads whose abort failed because the provider was unreachable; retried before every put. */
  readonly pendingAborts: readonly PendingAbort[];
  /** Retries the pending aborts now; resolves to how many are still pending (0 when all parts are gone). */
  retryAborts(): Promise<number>;
  sweep(options: { olderThan: number; prefix?: string; signal?: AbortSignal }): Promise<SweepReport>;
  recover(): Promise<SweepReport>;
}

/**
 * Creates an `ObjectStore` over S3 or any S3-compatible provider (R2, B2, MinIO, Spaces, Wasabi, COS, OSS).
 *
 * - `put` sends bytes in memory that fit in one part as one PutObject, and streams anything else through
 *   `@aws-sdk/lib-storage` (single PUT up to `multipartThreshold` or `partSize`, whichever is larger, multipart above;
 *   at most `partSize × queueSize` bytes in memory) (`_s3-put.ts`); it records `meta` as user metadata, sends
 *   `x-amz-acl` only when `acl` is configured, and `If-None-Match: *` for `ifAbsent` where the provider honours it.
 *   On failure or abort it aborts the multipart upload so no parts are left; when the provider is unreachable the
 *   abort waits in `pendingAborts` (retried before the next put, or by `retryAborts()`) and in the journal (retried
 *   by `recover()` at the next start). A put whose answer was lost but whose object is there (recognised by
 *   `meta.write`) succeeds.
 * - every request has a connection timeout and a socket timeout (`connectionTimeout`, `socketTimeout` in the config)
 *   and retries with backoff for about 12 s (`maxAttempts` in the config), so a provider restart fails nothing in
 *   flight.
 * - `head` answers `undefined` for a missing key. A bodiless 403 (HEAD has no error body) is re-asked with a 1-byte
 *   GET so a wrong secret says `ERR_AUTH` and credentials without `s3:ListBucket` still work.
 * - `sweep` and `recover` remove what uploads that died left (see `ObjectStore`).
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
  // Built when the store first talks to S3, so that neither importing core nor creating a store loads the SDK.
  const lazy = lazyClient((sdk) =>
    buildClient(sdk, settings, {
      ...options,
      // The config's maxAttempts (BYTEDROP_MAX_ATTEMPTS); a caller's clientConfig still wins.
      clientConfig: {
        ...(config.maxAttempts === undefined ? {} : { maxAttempts: config.maxAttempts }),
        ...options.clientConfig,
      },
      connectionTimeout: config.connectionTimeout ?? DEFAULT_CONNECTION_TIMEOUT,
      socketTimeout: config.socketTimeout ?? DEFAULT_SOCKET_TIMEOUT,
    }),
  );
  const injected = options.client;
  const client = injected ?? lazy.current();
  const bucket = settings.bucket;
  const id = `s3:${settings.endpoint ?? `aws:${settings.region}`}/${bucket}`;
  const acl = settings.acl as ObjectCannedACL | undefined;
  const conditional = { ...PROVIDERS[settings.provider].conditionalWrites, ...options.conditionalWrites };
  const journal = options.journal ?? createMemoryJournal();
  /** Multipart uploads this store is running now: never strays, whatever else lists them. */
  const active = new Set<string>();
  /** Journal entries of temporary objects this store wrote, closed when they are deleted. */
  const temporary = new Map<string, string>();
  const target = { client, bucket };
  const context = (key?: string, error?: unknown) => ({
    bucket,
    ...(key === undefined ? {} : { key }),
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    ...operationOf(error),
  });
  const { head, check } = s3Reader(client, bucket, context);
  const aborts = createAbortKeeper(target, journal, context);
  const { pending, retryAborts } = aborts;
  const resumeDeps: ResumeDeps = {
    target,
    journal,
    storeId: id,
    active,
    conditional,
    context,
    queueSize: config.queueSize,
  };

  async function put(key: string, body: BodyInput, options: PutOptions): Promise<PutResult> {
    if (pending.length > 0) await retryAborts();
    throwIfAborted(options.signal, `upload of '${key}'`);
    if (options.temporary) {
      temporary.set(key, await journal.add({ kind: 'temp', store: id, key, started: Date.now() }));
    }
    try {
      if (options.resume !== undefined && !options.temporary) {
        const resumed = await resumeEarlier(resumeDeps, key, body, { ...options, resume: options.resume });
        if (resumed) return resumed;
      }
      return await send(key, body, options, options.ifAbsent === true);
    } catch (error) {
      // A temporary object exists only for its upload: a failed one is removed (and its entry closed) at once.
      if (options.temporary) await remove(key).catch(() => undefined);
      throw error;
    }
  }

  async function send(
    key: string,
    body: BodyInput,
    options: PutOptions,
    ifAbsent: boolean,
  ): Promise<PutResult> {
    let entry: string | undefined;
    const [sdk, real] = await Promise.all([s3Sdk(), injected ?? lazy.ready()]);
    // lib-storage sends one PUT exactly when the body fits in one part, so a body up to multipartThreshold gets a
    // part as large as itself; a larger or unsized body is split into partSize parts.
    const partSize =
      options.size !== undefined && options.size <= config.multipartThreshold
        ? Math.max(config.partSize, options.size)
        : config.partSize;
    // A multipart upload of a source a later run can read again is left open when cut, for that run to continue.
    const log = freshLog(journal, options, partSize);
    const scoped = scopedClient(sdk, real, {
      signal: options.signal,
      sha256: options.sha256,
      contentMd5: options.contentMd5,
      ifNoneMatch: { put: ifAbsent && conditional.put, complete: ifAbsent && conditional.complete },
      onCreated: async (uploadId, retriedSince) => {
        const value = {
          kind: 'multipart' as const,
          store: id,
          key,
          uploadId,
          started: Date.now(),
          ...(log ? { resume: log.record } : {}),
        };
        entry = await journal.add(value);
        log?.opened(entry, value);
        active.add(uploadId);
        if (retriedSince !== undefined) await abortStrays(target, key, active, retriedSince).catch(() => []);
      },
      ...(log ? { onPart: log.part } : {}),
    });
    const params = {
      Bucket: bucket,
      Key: key,
      Body: toUploadBody(body, options, key),
      ...objectHeaders(options, acl),
    };
    const upload = await startPut(sdk, scoped, params, {
      partSize,
      queueSize: config.queueSize,
      leavePartsOnError: log !== undefined,
      onProgress: options.onProgress,
      size: options.size,
    });
    try {
      const out = await upload.done();
      await log?.settled();
      log?.close();
      if (upload.uploadId) active.delete(upload.uploadId);
      if (entry !== undefined) await journal.remove(entry);
      // One PUT, or a multipart upload completed: each is create-only where the provider honours it for that request.
      const exclusive =
        ifAbsent && conditional.enforced && (upload.uploadId ? conditional.complete : conditional.put);
      // radosgw answers CompleteMultipartUpload with an empty ETag: no ETag, rather than '' passing for one.
      return out.ETag ? { etag: out.ETag, exclusive } : { exclusive };
    } catch (error) {
      if (upload.uploadId) active.delete(upload.uploadId);
      await log?.settled();
      log?.close();
      if (log && upload.uploadId && entry !== undefined) {
        const cut = mapFailure(resumeDeps, key, error, options.signal);
        if (resumableFailure(cut, options.signal)) {
          const landed = await landedAnyway(key, options, cut);
          if (!landed) throw keptOpen(cut, upload.uploadId);
          await journal.remove(entry);
          return landed;
        }
      }
      const mapped = await aborts.failed(key, upload.uploadId, error, options.signal, entry);
      if (ifAbsent && conditional.put && statusOf(error) === 501 && isReplayable(body)) {
        // A provider that does not implement If-None-Match: a HEAD just before the plain PUT is the guard there (the
        // uploader's own may not have been sent: `putFirst`).
        if ((await head(key)) !== undefined) {
          throw new BytedropError(
            'ERR_CONFLICT',
            `an object already exists at '${key}' in bucket '${bucket}' and was not replaced`,
            { cause: mapped },
          );
        }
        return send(key, body, options, false);
      }
      const landed = await landedAnyway(key, options, mapped);
      if (landed) return landed;
      throw mapped;
    }
  }

  /** The object of a put whose answer was lost after the provider stored it (a Complete cut off on the way back). */
  async function landedAnyway(
    key: string,
    options: PutOptions,
    mapped: { code: string },
  ): Promise<PutResult | undefined> {
    const write = options.meta?.write;
    if (write === undefined || options.signal?.aborted || mapped.code === 'ERR_CONFLICT') return undefined;
    const found = await head(key).catch(() => undefined);
    // Our own write, seen by this HEAD: as good as an exclusive one.
    return found?.meta?.write === write ? { etag: found.etag, exclusive: true } : undefined;
  }

  async function remove(key: string): Promise<void> {
    try {
      const { DeleteObjectCommand } = await s3Sdk();
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (statusOf(error) !== 404) throw toBytedropError(error, context(key, error));
    }
    const entry = temporary.get(key);
    if (entry !== undefined) {
      temporary.delete(key);
      await journal.remove(entry);
    }
  }

  const copy = s3Copy(client, bucket, acl, context, head, remove);

  async function recover(): Promise<SweepReport> {
    await retryAborts();
    return recoverFromJournal(target, journal, id);
  }

  return {
    kind: 's3',
    id,
    get client() {
      return injected ?? lazy.current();
    },
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
    sweep: (sweepOptions) => sweepPrefix(target, { prefix: TEMP_KEY_PREFIX, ...sweepOptions }),
    recover,
    publicUrl: (key) => publicUrl(settings.publicBaseUrl, key),
    // One PutObject up to multipartThreshold (see `partSize` above), a multipart upload above.
    refusesExisting: (size) =>
      conditional.enforced && conditional.put && (size <= config.multipartThreshold || conditional.complete),
  };
}
