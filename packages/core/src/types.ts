/**
 * The shapes every host (CLI, server, Obsidian, VS Code) builds against.
 * Kept in one file so a host can read the whole contract at once.
 */

/** Anything Bytedrop can hash and upload. One-shot streams are read once; Blobs and buffers may be read twice. */
export type BodyInput =
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;

/** Content hash algorithms. SHA-256 is the default; MD5 is there because ByteGo names keys by MD5. */
export type HashAlgorithm = 'sha256' | 'md5';

/** Link formats `formatLink` understands. `custom` uses a template over `{url} {name} {alt} {key} {size}`. */
export type LinkFormat = 'url' | 'markdown' | 'html' | 'custom';

/** Provider presets; each applies that provider's known quirks. */
export type ProviderName = 'aws' | 'r2' | 'b2' | 'minio' | 'spaces' | 'wasabi' | 'cos' | 'oss' | 'custom';

/** Bytes-so-far progress, reported while uploading. `total` is undefined for streams of unknown length. */
export interface UploadProgress {
  loaded: number;
  total?: number;
}

/** Options of one upload. */
export interface UploadOptions {
  /** The file's name as the user knows it (`shot.png`); only its last path segment is used. */
  filename: string;
  /** A type the caller already knows; the sniffed type wins when the bytes say otherwise. */
  contentType?: string;
  /** Size in bytes, when known up front (lets the uploader refuse early and report a total). */
  size?: number;
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
  /** Caller-supplied template variables such as `{note}`, `{doc}`, `{user}`, `{folder}`. */
  vars?: Record<string, string>;
  /** A prefix put before the rendered key (per-key folders on the server, per-note prefixes in Obsidian). */
  keyPrefix?: string;
  /**
   * Media types to accept, exact (`application/pdf`) or by top-level type (`image/*`), see `typeMatches`. Judged on
   * the sniffed type (magic bytes first, then the name), so a renamed file is refused. Any other type fails with
   * `ERR_UNSUPPORTED_TYPE` before anything is hashed or sent. Every type is accepted when absent.
   */
  allowedTypes?: readonly string[];
}

/** What an upload resolves to. */
export interface UploadResult {
  key: string;
  url: string;
  size: number;
  /** Hex digest of the configured algorithm. */
  hash: string;
  contentType: string;
  /** True when an identical object was already stored and no bytes were sent. */
  deduplicated: boolean;
  etag?: string;
  /** The sanitised original filename, handy for link text. */
  filename: string;
}

/** The one-method interface every upload target satisfies (S3, local disk, a Bytedrop server). */
export interface Uploader {
  upload(body: BodyInput, options: UploadOptions): Promise<UploadResult>;
}

/**
 * Bodies that can be read more than once, so they can be hashed at prepare time and sent later.
 *
 * @example
 * ```ts
 * const body: ReplayableBody = await dataTransferFile.data(); // a paste's bytes
 * ```
 */
export type ReplayableBody = Uint8Array | ArrayBuffer | Blob;

/**
 * What a prepared upload may still be given when it is sent: both default to the ones passed to `prepare`.
 *
 * @example
 * ```ts
 * await prepared.upload({ signal: controller.signal, onProgress: (p) => bar.update(p.loaded) });
 * ```
 */
export interface PreparedUploadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
}

/**
 * An upload whose key, URL and type are decided but whose bytes are not sent yet. Every field equals the one the
 * `UploadResult` of `upload()` will carry, so a host can insert the final link before the upload finishes.
 *
 * @example
 * ```ts
 * const prepared = await uploader.prepare(bytes, { filename: 'shot.png' });
 * if (prepared.contentAddressed) insert(formatLink(prepared, 'markdown'));
 * const result = await prepared.upload(); // result.url === prepared.url
 * ```
 */
export interface PreparedUpload {
  readonly key: string;
  readonly url: string;
  readonly size: number;
  readonly hash: string;
  readonly contentType: string;
  readonly filename: string;
  /**
   * True when the key contains the content hash. The URL can then only ever serve these bytes (or nothing yet);
   * any other key may already hold another file until this upload replaces it.
   */
  readonly contentAddressed: boolean;
  /** HEAD (content-addressed keys) and PUT to exactly this key. May be called again to retry. */
  upload(options?: PreparedUploadOptions): Promise<UploadResult>;
}

/**
 * An `Uploader` that can name the object before sending it (S3 and disk stores; not a server, which picks keys).
 *
 * @example
 * ```ts
 * const uploader: Uploader = pickTarget();
 * if (canPrepare(uploader)) await uploader.prepare(bytes, { filename: 'shot.png' });
 * ```
 */
export interface PreparingUploader extends Uploader {
  prepare(body: ReplayableBody, options: UploadOptions): Promise<PreparedUpload>;
}

/** Metadata of a stored object, as a HEAD returns it. */
export interface StoredObject {
  size: number;
  etag?: string;
  contentType?: string;
}

/** Options for writing one object to a store. */
export interface PutOptions {
  contentType: string;
  /** Known length; stores may use it to pick single PUT over multipart. */
  size?: number;
  cacheControl?: string;
  /**
   * The body's SHA-256 as lowercase hex, when the caller has already computed it (the uploader's content hash). An
   * S3 store signs a single PUT with it (`x-amz-content-sha256`) instead of hashing the body a second time; the
   * provider still checks it against the bytes it receives and rejects a mismatch.
   */
  sha256?: string;
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
}

/**
 * A storage backend (one file per backend, one contract test suite for all).
 * `createUploader` runs the pipeline (hash → key → HEAD → PUT) over any store.
 */
export interface ObjectStore {
  readonly kind: string;
  head(key: string, signal?: AbortSignal): Promise<StoredObject | undefined>;
  put(key: string, body: BodyInput, options: PutOptions): Promise<{ etag?: string }>;
  /** Server-side copy, used to move a one-shot stream from a temporary key to its content-addressed key. */
  copy(
    fromKey: string,
    toKey: string,
    options: { contentType: string; cacheControl?: string },
  ): Promise<void>;
  delete(key: string): Promise<void>;
  /** Probes that the storage is reachable and writable (HeadBucket, or a disk check). */
  check(signal?: AbortSignal): Promise<void>;
  /** The public URL of a key, when the store has one. */
  publicUrl(key: string): string;
}
