/**
 * The upload pipeline, the same for every store and every host:
 * filename → sniff (→ allowedTypes) → hash → key → HEAD (content-addressed keys only) → PUT, or nothing when the
 * object is there.
 * For replayable bodies the first half is `prepare` (no request) and the second half its `upload()`; `upload(body)`
 * is exactly the two in a row, so the key a host showed early is the key that gets written.
 */
import { abortedError, raceAbort, throwIfAborted } from './_abort';
import { assertAllowedType } from './_allowed';
import { isReplayable, knownSize, ownDigest, toAsyncIterable } from './_body';
import { randomId } from './_id';
import { concatBytes, headOf, meter, prepend, sourceError, tooLargeError } from './_stream';
import { type BytedropConfig, parseConfig } from './config';
import { BytedropError, isBytedropError } from './errors';
import { type SanitizedFilename, sanitizeFilename } from './filename';
import { createHasher, hashBody } from './hash';
import { presignGet } from './presign';
import { SNIFF_BYTES, sniffContentType } from './sniff';
import { createS3Store, type S3Store, type S3StoreOptions } from './stores/s3';
import { CALLER_VARIABLES, compileKeyTemplate } from './template';
import type {
  BodyInput,
  ObjectStore,
  PreparedUpload,
  PreparedUploadOptions,
  PreparingUploader,
  ReplayableBody,
  StoredObject,
  Uploader,
  UploadOptions,
  UploadResult,
} from './types';

/**
 * The Cache-Control of content-addressed keys: their content never changes, so caches may keep them forever.
 *
 * @example
 * ```ts
 * const head = await client.send(new HeadObjectCommand({ Bucket: 'notes', Key: result.key }));
 * head.CacheControl === IMMUTABLE_CACHE_CONTROL; // true when the key template uses {hash}
 * ```
 */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/**
 * Where one-shot streams larger than `multipartThreshold` wait while their hash (and so their key) is unknown.
 * Objects here live only for the length of one upload; a lifecycle rule expiring this prefix after a day covers crashes.
 *
 * @example
 * ```ts
 * `${TEMP_KEY_PREFIX}${id}`; // '.bytedrop-tmp/3f2a…'
 * ```
 */
export const TEMP_KEY_PREFIX = '.bytedrop-tmp/';

/**
 * Options of `createUploader`: a ready store, or what to build the S3 store from.
 *
 * @example
 * ```ts
 * createUploader(config, { store: createLocalDiskStore({ dir: './data', publicBaseUrl: 'http://localhost:8000/f' }) });
 * createUploader(config, { clientConfig: { maxAttempts: 5 } });
 * ```
 */
export interface CreateUploaderOptions extends S3StoreOptions {
  /** Any `ObjectStore` (e.g. `createLocalDiskStore`); the S3 store is built from the config when omitted. */
  store?: ObjectStore;
}

/**
 * What `createUploader` returns: the `Uploader` (which can also `prepare`), the validated config and store it uses,
 * and presigned links.
 *
 * @example
 * ```ts
 * const uploader: BytedropUploader = createUploader(config);
 * uploader.config.partSize; // 8388608
 * await uploader.presign('2024/05/01/shot-1a2b3c4d.png', 600);
 * ```
 */
export interface BytedropUploader extends PreparingUploader {
  readonly store: ObjectStore;
  readonly config: BytedropConfig;
  /** A time-limited GET link for a private bucket (S3 stores only). */
  presign(key: string, expiresIn?: number): Promise<string>;
}

type Replayable = Uint8Array | Blob;

interface Sniffed {
  contentType: string;
  ext: string;
}

/** What `prepare` decided: everything of the result except how the PUT went. */
type Plan = Omit<PreparedUpload, 'upload' | 'contentAddressed'>;

/**
 * True when `uploader` can name an object before sending it (`createUploader`'s do; a server's do not, because the
 * server picks the key). Hosts check this before offering the final link at paste time.
 *
 * @example
 * ```ts
 * if (canPrepare(uploader)) {
 *   const prepared = await uploader.prepare(bytes, { filename: 'shot.png' });
 *   insert(formatLink(prepared, 'markdown')); // the final link, before any byte is sent
 *   await prepared.upload();
 * }
 * ```
 */
export function canPrepare(uploader: Uploader): uploader is PreparingUploader {
  return typeof (uploader as Partial<PreparingUploader>).prepare === 'function';
}

function isS3Store(store: ObjectStore): store is S3Store {
  return store.kind === 's3' && 'client' in store && 'bucket' in store;
}

/** ArrayBuffers become views (no copy), so the rest of the pipeline sees two kinds only. */
function asReplayable(body: ReplayableBody): Replayable {
  if (body instanceof Uint8Array) return body;
  if (typeof (body as Blob).stream === 'function') return body as Blob;
  return new Uint8Array(body as ArrayBuffer);
}

/**
 * Creates an uploader for S3 (or any `ObjectStore`). Accepts a raw or partial config and validates it
 * (`ERR_CONFIG`), and compiles the key template once.
 *
 * `upload(body, options)` sanitises the filename (`ERR_FILENAME`), sniffs the type from the first bytes, hashes,
 * renders the key (`keyPrefix` first), and when the key contains the hash sends a HEAD: an object of the same size is
 * not uploaded again (`deduplicated: true`). Otherwise it streams through lib-storage, with
 * `Cache-Control: public, max-age=31536000, immutable` on content-addressed keys.
 *
 * - Blobs and buffers are read twice (hash, then upload); a Blob is streamed both times, never loaded whole.
 * - One-shot streams are buffered up to `multipartThreshold`; a longer stream is uploaded to a temporary key while
 *   it is hashed, then copied to its content-addressed key (or dropped when that key already exists).
 * - `maxFileSize` is enforced while streaming (`ERR_TOO_LARGE`); `signal` aborts at once (`ERR_ABORTED`).
 *   Either way the multipart upload is aborted and no object or part is left.
 * - `allowedTypes` (e.g. `['image/*', 'application/pdf']`) is checked on the sniffed type before hashing; another type
 *   fails with `ERR_UNSUPPORTED_TYPE` and no request is sent (a long stream is read only up to `multipartThreshold`).
 *
 * `prepare(body, options)` (Blobs and buffers only, `ERR_INPUT` for streams) does the first half without any
 * request: sanitise, sniff, hash and render the key — `{uuid}`, `{rand}` and the date are drawn then, once. It
 * resolves to the future result's `key`, `url`, `size`, `hash`, `contentType` and `filename`, plus `upload()`, which
 * sends to exactly that key (HEAD and dedupe for content-addressed keys, then PUT). Its `signal` and `onProgress`
 * default to the ones given to `prepare`. The body must not change in between.
 *
 * @example
 * ```ts
 * const uploader = createUploader({ endpoint: 'https://<account>.r2.cloudflarestorage.com', bucket: 'notes',
 *   accessKeyId: '…', secretAccessKey: '…', publicBaseUrl: 'https://cdn.example.com' });
 * const result = await uploader.upload(file, { filename: file.name, onProgress: (p) => console.log(p.loaded) });
 * result.url; // 'https://cdn.example.com/2024/05/01/shot-1a2b3c4d.png'
 *
 * // The link first, the bytes after (an editor paste that must not wait for the network):
 * const prepared = await uploader.prepare(file, { filename: file.name });
 * editor.insert(formatLink(prepared, 'markdown')); // '![shot.png](https://cdn.example.com/2024/05/01/shot-1a2b3c4d.png)'
 * await prepared.upload({ signal: controller.signal });
 * ```
 */
export function createUploader(config: unknown, options: CreateUploaderOptions = {}): BytedropUploader {
  const parsed = parseConfig(config);
  const template = compileKeyTemplate(parsed.keyTemplate, { variables: CALLER_VARIABLES });
  const store: ObjectStore = options.store ?? createS3Store(parsed, options);
  const cacheControl = template.usesHash ? IMMUTABLE_CACHE_CONTROL : undefined;

  /** The HEAD before a content-addressed PUT. Write-only credentials may not HEAD; dedupe is then skipped. */
  async function existing(key: string, signal: AbortSignal | undefined): Promise<StoredObject | undefined> {
    try {
      return await store.head(key, signal);
    } catch (error) {
      if (isBytedropError(error, 'ERR_FORBIDDEN')) return undefined;
      throw error;
    }
  }

  function plan(
    file: SanitizedFilename,
    sniffed: Sniffed,
    fields: { key: string; size: number; hash: string },
  ): Plan {
    // Same rule as the key template's {ext}: the user's extension unless it is missing or a clipboard name's.
    const ext = file.ext !== '' && !file.clipboard ? file.ext : sniffed.ext || file.ext;
    return {
      ...fields,
      url: store.publicUrl(fields.key),
      contentType: sniffed.contentType,
      filename: ext === '' ? file.name : `${file.name}.${ext}`,
    };
  }

  function renderKey(options: UploadOptions, sniffed: Sniffed, hash?: string): string {
    return template.render({
      filename: options.filename,
      ext: sniffed.ext,
      contentType: sniffed.contentType,
      ...(hash === undefined ? {} : { hash }),
      ...(options.vars === undefined ? {} : { vars: options.vars }),
      ...(options.keyPrefix === undefined ? {} : { prefix: options.keyPrefix }),
    });
  }

  /**
   * The signal fired after the provider had committed the object. A content-addressed object is valid and may be
   * shared with a concurrent upload of the same bytes, so it stays; any other key is removed.
   */
  async function abortAfterPut(key: string, what: string, signal: AbortSignal | undefined): Promise<void> {
    if (!signal?.aborted) return;
    if (!template.usesHash) await store.delete(key).catch(() => undefined);
    throw abortedError(what, signal.reason);
  }

  /** Sniff and hash (streaming, abortable), then render the key once: no request is sent. */
  async function prepareReplayable(
    body: Replayable,
    options: UploadOptions,
    file: SanitizedFilename,
  ): Promise<PreparedUpload> {
    const { signal } = options;
    const what = `upload of '${options.filename}'`;
    // A failed read of the body is about the input, not the storage (also a file Blob's NotReadableError).
    const inputError = (error: unknown): never => {
      throw sourceError(error, options.filename);
    };
    const head =
      body instanceof Uint8Array
        ? body.subarray(0, SNIFF_BYTES)
        : new Uint8Array(
            await raceAbort(body.slice(0, SNIFF_BYTES).arrayBuffer(), signal, what).catch(inputError),
          );
    // Sniffed before hashing: a refused type costs only its first bytes.
    const sniffed = await sniffContentType(head, options.filename, options.contentType);
    throwIfAborted(signal, what);
    assertAllowedType(options.filename, sniffed.contentType, options.allowedTypes);
    const own = ownDigest(body, parsed.hashAlgorithm, signal);
    const { hash, size } = own
      ? await raceAbort(own, signal, what).catch(inputError)
      : await hashBody(
          meter(toAsyncIterable(body), { signal, filename: options.filename }),
          parsed.hashAlgorithm,
        );
    throwIfAborted(signal, what);
    // Rendered here and only here: {uuid}, {rand} and the date are fixed for every later send of this upload.
    const planned = plan(file, sniffed, { key: renderKey(options, sniffed, hash), size, hash });
    return {
      ...planned,
      contentAddressed: template.usesHash,
      upload: (extra: PreparedUploadOptions = {}) =>
        sendReplayable(body, planned, {
          filename: options.filename,
          signal: extra.signal ?? signal,
          onProgress: extra.onProgress ?? options.onProgress,
        }),
    };
  }

  /** HEAD (content-addressed keys only), then PUT from a fresh read, to the key `prepareReplayable` rendered. */
  async function sendReplayable(
    body: Replayable,
    planned: Plan,
    options: Pick<UploadOptions, 'filename' | 'signal' | 'onProgress'>,
  ): Promise<UploadResult> {
    const { signal, onProgress } = options;
    const { key, size } = planned;
    const what = `upload of '${options.filename}'`;
    throwIfAborted(signal, what);
    if (template.usesHash) {
      const found = await existing(key, signal);
      throwIfAborted(signal, what);
      if (found?.size === size) {
        onProgress?.({ loaded: size, total: size });
        return { ...planned, deduplicated: true, etag: found.etag };
      }
    }
    const { etag } = await store.put(key, body, {
      contentType: planned.contentType,
      size,
      ...(parsed.hashAlgorithm === 'sha256' ? { sha256: planned.hash } : {}),
      ...(cacheControl === undefined ? {} : { cacheControl }),
      ...(signal === undefined ? {} : { signal }),
      ...(onProgress === undefined ? {} : { onProgress }),
    });
    await abortAfterPut(key, what, signal);
    return { ...planned, deduplicated: false, etag };
  }

  /**
   * One-shot streams: read up to `multipartThreshold` into memory. A short stream then takes the replayable path;
   * a long one is uploaded while it is hashed — to its final key when the key does not depend on the hash, else to
   * a temporary key that is copied to the content-addressed key (or dropped, when that key already exists).
   */
  async function uploadStream(body: BodyInput, options: UploadOptions, file: SanitizedFilename) {
    const { signal } = options;
    const what = `upload of '${options.filename}'`;
    const source = meter(toAsyncIterable(body), {
      signal,
      maxBytes: parsed.maxFileSize,
      filename: options.filename,
    });
    const buffered: Uint8Array[] = [];
    let bufferedSize = 0;
    while (bufferedSize <= parsed.multipartThreshold) {
      const next = await source.next();
      if (next.done) {
        return (await prepareReplayable(concatBytes(buffered, bufferedSize), options, file)).upload();
      }
      buffered.push(next.value);
      bufferedSize += next.value.byteLength;
    }

    const sniffed = await sniffContentType(
      headOf(buffered, SNIFF_BYTES),
      options.filename,
      options.contentType,
    );
    try {
      assertAllowedType(options.filename, sniffed.contentType, options.allowedTypes);
    } catch (error) {
      // Nothing was sent: release the caller's stream (meter returns it) and drop what was buffered.
      await source.return(undefined);
      throw error;
    }
    const hasher = await createHasher(parsed.hashAlgorithm);
    throwIfAborted(signal, what);
    let size = 0;
    const tapped = meter(prepend(buffered, source), {
      signal,
      filename: options.filename,
      onChunk: (chunk) => {
        hasher.update(chunk);
        size += chunk.byteLength;
      },
    });
    const putOptions = {
      contentType: sniffed.contentType,
      ...(options.size === undefined ? {} : { size: options.size }),
      ...(signal === undefined ? {} : { signal }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    };

    if (!template.usesHash) {
      const key = renderKey(options, sniffed);
      const { etag } = await store.put(key, tapped, putOptions);
      await abortAfterPut(key, what, signal);
      return {
        ...plan(file, sniffed, { key, size, hash: await hasher.digest() }),
        deduplicated: false,
        etag,
      };
    }

    const tempKey = `${TEMP_KEY_PREFIX}${randomId()}`;
    await store.put(tempKey, tapped, putOptions);
    try {
      throwIfAborted(signal, what);
      const hash = await hasher.digest();
      const key = renderKey(options, sniffed, hash);
      const found = await existing(key, signal);
      throwIfAborted(signal, what);
      if (found?.size === size) {
        return { ...plan(file, sniffed, { key, size, hash }), deduplicated: true, etag: found.etag };
      }
      await store.copy(tempKey, key, {
        contentType: sniffed.contentType,
        ...(cacheControl === undefined ? {} : { cacheControl }),
      });
      // A content-addressed copy is valid even if the signal fired meanwhile; the caller still hears ERR_ABORTED.
      throwIfAborted(signal, what);
      return { ...plan(file, sniffed, { key, size, hash }), deduplicated: false };
    } finally {
      // Best effort: the upload's outcome is decided; a temp object left by a failed delete is only storage.
      await store.delete(tempKey).catch(() => undefined);
    }
  }

  /** The checks every upload and prepare starts with; returns the sanitised filename. */
  function start(body: BodyInput, options: UploadOptions, method: 'upload' | 'prepare'): SanitizedFilename {
    if (typeof options !== 'object' || options === null) {
      throw new BytedropError(
        'ERR_INPUT',
        `${method} needs options with a filename: ${method}(body, { filename: 'shot.png' })`,
      );
    }
    throwIfAborted(options.signal, `upload of '${options.filename}'`);
    const file = sanitizeFilename(options.filename);
    const size = knownSize(body) ?? options.size;
    if (parsed.maxFileSize !== undefined && size !== undefined && size > parsed.maxFileSize) {
      throw tooLargeError(options.filename, parsed.maxFileSize, size);
    }
    return file;
  }

  async function prepare(body: ReplayableBody, options: UploadOptions): Promise<PreparedUpload> {
    const file = start(body, options, 'prepare');
    if (!isReplayable(body)) {
      throw new BytedropError(
        'ERR_INPUT',
        'prepare needs a body it can read twice (Uint8Array, ArrayBuffer or Blob), not a one-shot stream, whose key is known only once it is read: call upload(stream, options) instead',
      );
    }
    return prepareReplayable(asReplayable(body), options, file);
  }

  async function upload(body: BodyInput, options: UploadOptions): Promise<UploadResult> {
    const file = start(body, options, 'upload');
    return isReplayable(body)
      ? (await prepareReplayable(asReplayable(body), options, file)).upload()
      : uploadStream(body, options, file);
  }

  return {
    store,
    config: parsed,
    upload,
    prepare,
    presign(key, expiresIn) {
      if (!isS3Store(store)) {
        return Promise.reject(
          new BytedropError(
            'ERR_CONFIG',
            `presign needs an S3 store, but this uploader writes to a '${store.kind}' store: use its public URL instead`,
          ),
        );
      }
      return presignGet(store.client, store.bucket, key, expiresIn);
    },
  };
}
