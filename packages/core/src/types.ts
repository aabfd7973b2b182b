/**
 * The shapes every host (CLI, server, Obsidian, VS Code) builds against: bodies, upload options and results,
 * uploaders. The storage backends' contract (`ObjectStore` and what it reads and writes) is `store-types.ts`,
 * re-exported here, so the whole contract is still imported from one place.
 */
import type { ConversionSkipped, ConvertedFrom, ConvertOption } from './image-encoder';
import type { MetadataKept, MetadataKind } from './images';

export type {
  CopyOptions,
  ObjectMeta,
  ObjectStore,
  PutOptions,
  PutResult,
  StoredObject,
  SweepReport,
} from './store-types';

/** Anything Bytedrop can hash and upload. One-shot streams are read once; Blobs and buffers may be read twice. */
export type BodyInput =
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;

/** Content hash algorithms. SHA-256 is the default; MD5 is there because ByteGo names keys by MD5. */
export type HashAlgorithm = 'sha256' | 'md5';

/** Link formats `formatLink` understands. `custom` uses a template over `{url} {name} {alt} {key} {size} {width} {height}`. */
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
  /**
   * Makes a multipart upload of this body resumable across runs (a file on disk): when it is cut (abort, network
   * loss, the process killed) the upload stays open and journaled, and the next upload of the same source with the
   * same bytes sends only the parts missing. Needs a store with a persistent journal (the CLI's).
   */
  resume?: ResumeOptions;
  /** A prefix put before the rendered key (per-key folders on the server, per-note prefixes in Obsidian). */
  keyPrefix?: string;
  /**
   * Media types to accept, exact (`application/pdf`) or by top-level type (`image/*`), see `typeMatches`. Judged on
   * the sniffed type (magic bytes first, then the name), so a renamed file is refused. Any other type fails with
   * `ERR_UNSUPPORTED_TYPE` before anything is hashed or sent. Every type is accepted when absent.
   */
  allowedTypes?: readonly string[];
  /**
   * Who uploads (the server passes the access key's name). Recorded with the object; an object that is reused later
   * (deduplicated) keeps its first owner, which `UploadResult.owner` reports.
   */
  owner?: string;
  /**
   * The body's MD5 as a client declared it (a `Content-MD5` header: base64 of the 16-byte digest). The bytes are
   * checked against it while they stream, and a mismatch fails with `ERR_CHECKSUM` before anything is stored.
   */
  contentMd5?: string;
  /**
   * The body is the content of this object in the uploader's own store, read at this `etag` (a server finishing an
   * upload that was assembled in storage). The bytes are still read, sniffed and hashed here; a long body that is
   * stored as it came is then placed by a copy inside the storage of that very version (which fails with
   * `ERR_CONFLICT` if the object changed since) instead of being written again. The object stays: it is the caller's.
   */
  copyFrom?: { key: string; etag: string };
  /**
   * Send the create-only write before any HEAD, for bodies already in hand that go out in one write (bytes, Blobs,
   * and streams up to `multipartThreshold`). A fresh upload is then one request instead of two; a key already taken
   * answers with a conflict (S3: `412` to `If-None-Match: *`), and only then is it HEADed and its full-hash identity
   * compared exactly as without this option: the same bytes are reused (`deduplicated`), other bytes send the upload
   * on to the next candidate key, never over them. The price: a re-upload of bytes already stored sends them again
   * before it learns so, which is why editors pasting over a phone's connection leave this off (the default) and the
   * server, which has received the body anyway, turns it on.
   *
   * Takes effect only where the store is certain to refuse a write to a taken key (`ObjectStore.refusesExisting`):
   * the local-disk store always (an atomic link); S3 where the provider enforces `If-None-Match: *` on that kind of
   * write (AWS, R2, MinIO; see `ProviderPreset.conditionalWrites`, or `S3StoreOptions.conditionalWrites` for a
   * custom server). Elsewhere (B2, `custom` by default, streams over `multipartThreshold`, which are copied from a
   * temporary key) the HEAD stays first, as it must: a write that may replace an object cannot ask the question.
   *
   * @example
   * ```ts
   * await uploader.upload(bytes, { filename: 'shot.png', putFirst: true }); // one PutObject when the key is free
   * ```
   */
  putFirst?: boolean;
  /**
   * This upload only: strip image metadata (true) or keep it (false), whatever the config's `stripMetadata` says
   * (the server's per-request `keep-metadata`).
   */
  stripMetadata?: boolean;
  /**
   * This upload only: `false` skips the uploader's image conversion, an object overrides its settings (the server's
   * per-request `convert`). Without an uploader `convert` option there is nothing to override.
   */
  convert?: ConvertOption;
  /**
   * Where a resumable upload keeps its place across a reload (a Bytedrop server's tus uploads, see
   * `createServerUploader`'s `tusThreshold`; other uploaders ignore it): `url` is an upload under way to continue,
   * `save` is awaited with the upload's URL as soon as the server made it, before any byte is sent.
   * `finishPendingUpload` fills it from the journal entry.
   */
  resumable?: ResumableUpload;
}

/**
 * The place of a resumable upload, kept by the caller (an editor's journal entry).
 *
 * @example
 * ```ts
 * const resumable: ResumableUpload = { url: entry.resumeUrl, save: (url) => journal.update({ ...entry, resumeUrl: url }) };
 * ```
 */
export interface ResumableUpload {
  /** The upload to continue, as `save` was given it; absent for a new upload. */
  url?: string;
  save(url: string): Promise<void>;
}

/**
 * What an upload learnt about an image (`image/*` only): what stripping removed, or why it kept the metadata, and the
 * size from the header.
 *
 * @example
 * ```ts
 * const facts: ImageFacts = { stripped: ['gps', 'exif'], width: 3024, height: 4032 };
 * ```
 */
export interface ImageFacts {
  /** The metadata removed before hashing, so `hash` and `size` are the stored bytes'; `[]` when there was none. */
  stripped?: MetadataKind[];
  /** Why the image was stored with its metadata (see `MetadataKept`); absent when it was stripped. */
  metadataKept?: MetadataKept;
  /** Width in pixels as displayed (EXIF orientation applied), when the header says. */
  width?: number;
  /** Height in pixels as displayed, when the header says. */
  height?: number;
  /** 2 for a 144 DPI image (a Retina screenshot): links show it at half its pixels (`formatLink`'s `hidpi`). */
  pixelRatio?: number;
  /** Set when the image was converted (`createUploader`'s `convert`): its type and size before. */
  converted?: ConvertedFrom;
  /** Why an image was stored unconverted although conversion was on (hosts show it as a warning). */
  conversionSkipped?: ConversionSkipped;
}

/** What an upload resolves to. */
export interface UploadResult extends ImageFacts {
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
  /** The owner recorded with the stored object (`UploadOptions.owner` of its first upload), when there is one. */
  owner?: string;
  /**
   * True when this upload itself proved that `key` holds exactly these bytes: a create-only write the store
   * enforced (`PutResult.exclusive`), or a HEAD that found the same full hash and size (`deduplicated`). A host's
   * verifying HEAD (`verifyUpload`) adds nothing then. False after a write another writer could have raced (a
   * provider without conditional writes, a stream's server-side copy).
   */
  verified?: boolean;
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
export interface PreparedUpload extends Readonly<ImageFacts> {
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
  /**
   * HEAD, then PUT to this key, or reuse the object there when it holds these very bytes. When the key is taken by
   * other bytes, the upload moves to the next free key of the template (a longer hash, or a numbered suffix), so the
   * result's `key` and `url` can differ from these: a host that showed the link early must use the result's.
   * May be called again to retry.
   */
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

/**
 * What makes an interrupted upload resumable: the source's identity across runs and what must not have changed.
 *
 * @example
 * ```ts
 * const resume: ResumeOptions = { source: '/home/me/big.iso', version: '41943040:1717236000000', onNotice: console.error };
 * await uploader.upload(await openFile('/home/me/big.iso'), { filename: 'big.iso', resume });
 * ```
 */
export interface ResumeOptions {
  /** The source across runs, e.g. a file's absolute path. */
  source: string;
  /** What changes when the source does, e.g. a file's size and mtime: an earlier upload of another version restarts. */
  version: string;
  /** Abort an earlier interrupted upload of this source and start over (`--no-resume`). */
  restart?: boolean;
  /** Told, in a sentence, what became of an earlier interrupted upload of this source (resumed, or why not). */
  onNotice?: (message: string) => void;
  /**
   * Stops the upload between parts (the CLI's first Ctrl-C): once it fires, no new part starts, the parts in flight
   * finish and are written down, and the upload fails with `ERR_ABORTED`, kept open for the next run to continue
   * without sending any of them again. Before the first part it stops at once, like `signal`; `signal` still stops
   * everything at once, parts in flight too. A body that fits in one request is sent whole.
   */
  stop?: AbortSignal;
}
