/**
 * The S3 object store: any S3-compatible provider through the real AWS SDK. Multipart is lib-storage's job
 * (never re-implemented here); this file adds the provider quirks, abort that really stops requests, error mapping,
 * Bytedrop's metadata, conditional writes, and the journal and sweeps that leave no multipart upload or temporary
 * object behind (`_s3-client.ts`, `_s3-sweep.ts`). One put's write and its failure paths are `_s3-send.ts`.
 */
import type { ObjectCannedACL, S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { throwIfAborted } from '../_abort';
import type { BytedropConfig } from '../config';
import { toBytedropError } from '../error-mapping';
import { createMemoryJournal, TEMP_KEY_PREFIX, type UploadJournal } from '../journal';
import { publicUrl } from '../links';
import { PROVIDERS, type ProviderPreset, type ProviderSettings, resolveProvider } from '../providers';
import type { BodyInput, ObjectStore, PutOptions, PutResult, SweepReport } from '../types';
import { createAbortKeeper, type PendingAbort } from './_s3-aborts';
import { buildClient, DEFAULT_CONNECTION_TIMEOUT, DEFAULT_SOCKET_TIMEOUT, statusOf } from './_s3-client';
import { s3Copy } from './_s3-copy';
import { operationOf } from './_s3-params';

export type { PendingAbort } from './_s3-aborts';

import { s3Reader } from './_s3-read';
import { type ResumeDeps, resumeEarlier } from './_s3-resumable';
import { lazyClient, s3Sdk } from './_s3-sdk';
import { s3Sender } from './_s3-send';
import { recoverFromJournal, sweepPrefix } from './_s3-sweep';

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
  const send = s3Sender({
    ...resumeDeps,
    ready: () => injected ?? lazy.ready(),
    config,
    bucket,
    acl,
    conditional,
    aborts,
    head,
  });

  async function put(key: string, body: BodyInput, options: PutOptions): Promise<PutResult> {
    if (pending.length > 0) await retryAborts();
    throwIfAborted(options.signal, `upload of '${key}'`);
    throwIfAborted(options.resume?.stop, `upload of '${key}'`);
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
    // One PutObject up to multipartThreshold (see `partSize` in `_s3-send.ts`), a multipart upload above.
    refusesExisting: (size) =>
      conditional.enforced && conditional.put && (size <= config.multipartThreshold || conditional.complete),
  };
}
