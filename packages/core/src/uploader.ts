/**
 * The upload pipeline, the same for every store and every host:
 * filename → sniff (→ allowedTypes) → hash → candidate keys → HEAD → create-only PUT to the first free key, or
 * nothing when a key already holds these bytes.
 * For replayable bodies the first half is `prepare` (no request) and the second half its `upload()`; `upload(body)`
 * is exactly the two in a row. One-shot streams are in `_upload-stream.ts`; the shared parts in `_engine.ts`.
 */
import { throwIfAborted } from './_abort';
import { isReplayable, knownSize } from './_body';
import { conversionSettings, createConversionMemo } from './_convert';
import type { Engine } from './_engine';
import { tooLargeError } from './_stream';
import { prepareReplayable, type Replayable } from './_upload-replayable';
import { uploadStream } from './_upload-stream';
import { md5Hex } from './_verify';
import { type BytedropConfig, parseConfig } from './config';
import type { BytedropConfigInput } from './config-input';
import { BytedropError } from './errors';
import { type SanitizedFilename, sanitizeFilename } from './filename';
import type { ImageConversion } from './image-encoder';
import { TEMP_KEY_PREFIX } from './journal';
import { presignGet } from './presign';
import { createS3Store, type S3Store, type S3StoreOptions } from './stores/s3';
import { CALLER_VARIABLES, compileKeyTemplate } from './template';
import type {
  BodyInput,
  ObjectStore,
  PreparedUpload,
  PreparingUploader,
  ReplayableBody,
  Uploader,
  UploadOptions,
  UploadResult,
} from './types';

export { TEMP_KEY_PREFIX } from './journal';

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
  /**
   * Where long one-shot streams wait for their hash (default `TEMP_KEY_PREFIX`). The server uses a prefix of its
   * own, so its sweeps never touch what another host is uploading.
   */
  tempPrefix?: string;
  /**
   * Convert images before hashing (WebP or AVIF at a quality, a longest-side limit) with an injected encoder:
   * `createSharpEncoder()` from `@bytedrop/core/node`, or `createCanvasEncoder()` in a browser. Off when absent.
   */
  convert?: ImageConversion;
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
 * Creates an uploader for S3 (or any `ObjectStore`). Takes a `BytedropConfigInput` (each field documented there; an
 * unknown one is a type error) and validates it at run time too (`ERR_CONFIG` naming the field and the fix, or the
 * nearest known field for a typo), and compiles the key template once.
 *
 * `upload(body, options)` sanitises the filename (`ERR_FILENAME`), sniffs the type from the first bytes, hashes,
 * renders the key (`keyPrefix` first) and sends a HEAD. An object there whose recorded full hash and size match is
 * reused (`deduplicated: true`, no bytes sent). An object holding other bytes is never replaced: the upload takes the
 * template's next candidate key (a longer hash, or a `-1` suffix; see `KeyTemplate.candidates`). A free key gets a
 * create-only write (`If-None-Match: *` where the provider honours it) through lib-storage, recording the full hash,
 * the owner and a write id as metadata, with `Cache-Control: public, max-age=31536000, immutable` on
 * content-addressed keys and `Content-Disposition: attachment` for types a browser would run.
 *
 * - Blobs and buffers are read twice (hash, then upload); a Blob is streamed both times, never loaded whole, and the
 *   second read is hashed again as it goes: a file that changed in between fails with `ERR_INPUT` before anything
 *   is stored.
 * - One-shot streams are buffered up to `multipartThreshold`; a longer stream is uploaded to a temporary key while
 *   it is hashed, then copied to its key (or dropped when a candidate already holds it).
 * - `contentMd5` (a client's `Content-MD5`) is checked against the bytes; a mismatch is `ERR_CHECKSUM`, nothing stored.
 * - `maxFileSize` is enforced while streaming (`ERR_TOO_LARGE`); `signal` aborts at once (`ERR_ABORTED`).
 *   Either way the multipart upload is aborted and no object or part is left.
 * - `allowedTypes` (e.g. `['image/*', 'application/pdf']`) is checked on the sniffed type before hashing; another type
 *   fails with `ERR_UNSUPPORTED_TYPE` and no request is sent (a long stream is read only up to `multipartThreshold`).
 *
 * `prepare(body, options)` (Blobs and buffers only, `ERR_INPUT` for streams) does the first half without any
 * request: sanitise, sniff, hash and render the key — `{uuid}`, `{rand}` and the date are drawn then, once. It
 * resolves to the first candidate's `key` and `url`, and the `size`, `hash`, `contentType` and `filename`, plus
 * `upload()`, which places it as above: the result's key differs from the prepared one only when that key was taken
 * by other bytes. Its `signal` and `onProgress` default to the ones given to `prepare`.
 *
 * @example
 * ```ts
 * const uploader = createUploader({ endpoint: 'https://<account>.r2.cloudflarestorage.com', bucket: 'notes',
 *   accessKeyId: '…', secretAccessKey: '…', publicBaseUrl: 'https://cdn.example.com' });
 * const result = await uploader.upload(file, { filename: file.name, onProgress: (p) => console.log(p.loaded) });
 * result.url; // 'https://cdn.example.com/2024/05/01/shot-1a2b3c4d5e6f7a8b.png'
 *
 * // The link first, the bytes after (an editor paste that must not wait for the network):
 * const prepared = await uploader.prepare(file, { filename: file.name });
 * editor.insert(formatLink(prepared, 'markdown')); // '![shot.png](https://cdn.example.com/2024/05/01/shot-1a2b3c4d5e6f7a8b.png)'
 * const result = await prepared.upload({ signal: controller.signal });
 * if (result.url !== prepared.url) editor.replace(prepared.url, result.url); // the key was taken by another file
 * ```
 */
export function createUploader(
  config: BytedropConfigInput,
  options: CreateUploaderOptions = {},
): BytedropUploader {
  const parsed = parseConfig(config);
  const template = compileKeyTemplate(parsed.keyTemplate, { variables: CALLER_VARIABLES });
  const store: ObjectStore = options.store ?? createS3Store(parsed, options);
  const engine: Engine = {
    store,
    config: parsed,
    template,
    cacheControl: template.usesHash ? IMMUTABLE_CACHE_CONTROL : undefined,
    tempPrefix: options.tempPrefix ?? TEMP_KEY_PREFIX,
    ...(options.convert === undefined
      ? {}
      : { convert: { settings: conversionSettings(options.convert), memo: createConversionMemo() } }),
  };

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
    if (options.contentMd5 !== undefined && md5Hex(options.contentMd5) === undefined) {
      throw new BytedropError(
        'ERR_INPUT',
        `Content-MD5 '${options.contentMd5}' of '${options.filename}' is not the base64 of a 16-byte MD5 digest: send base64(md5(file)), e.g. \`openssl md5 -binary shot.png | base64\``,
      );
    }
    const { copyFrom } = options;
    if (copyFrom !== undefined && !(copyFrom?.key && copyFrom.etag)) {
      throw new BytedropError(
        'ERR_INPUT',
        `copyFrom of '${options.filename}' needs the object's key and the ETag it was read at: { key: '…', etag: '"…"' }, or leave it out`,
      );
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
    return prepareReplayable(engine, asReplayable(body), options, file);
  }

  async function upload(body: BodyInput, options: UploadOptions): Promise<UploadResult> {
    const file = start(body, options, 'upload');
    return isReplayable(body)
      ? (await prepareReplayable(engine, asReplayable(body), options, file)).upload()
      : uploadStream(engine, body, options, file, async (bytes) =>
          (await prepareReplayable(engine, bytes, options, file)).upload(),
        );
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
