/**
 * The storage backends' contract: what a store (S3, the local disk) records with an object, how it is written,
 * copied and swept, and the `ObjectStore` interface itself (one file per backend, one contract test suite for all).
 * Re-exported by `types.ts`.
 */
import type { BodyInput, ResumeOptions, UploadProgress } from './types';

/**
 * What Bytedrop records with every object it writes: S3 user metadata (`x-amz-meta-bytedrop-*`), or the local
 * store's metadata file. An object without it was written by another tool or an older Bytedrop.
 *
 * @example
 * ```ts
 * const meta: ObjectMeta = { hash: 'sha256:9f86d0…', owner: 'alice', write: '3f2a…' };
 * ```
 */
export interface ObjectMeta {
  /** The full content hash, `<algorithm>:<hex>` (`sha256:9f86…`). Dedupe trusts an object only when it matches. */
  hash?: string;
  /** Who uploaded it (`UploadOptions.owner`). */
  owner?: string;
  /** A random id of the write that stored it, so a writer can recognise its own object after a lost answer. */
  write?: string;
  /**
   * The file's name as uploaded (sanitised), so a catalog rebuilt from storage can show it: a key made by a template
   * (`2026/11/shot-1a2b3c.png`) no longer says it.
   */
  filename?: string;
}

/** Metadata of a stored object, as a HEAD returns it. */
export interface StoredObject {
  size: number;
  etag?: string;
  contentType?: string;
  /** The `Cache-Control` it is served with, when it has one. */
  cacheControl?: string;
  /** The `Content-Disposition` it is served with, when it has one. */
  contentDisposition?: string;
  /** Bytedrop's metadata, when the object has any. */
  meta?: ObjectMeta;
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
  /** The whole body's MD5 (base64), sent as `Content-MD5` on a single PUT: the provider refuses other bytes. */
  contentMd5?: string;
  /** Sent as `Content-Disposition` (`attachment; filename=…` for types a browser would run). */
  contentDisposition?: string;
  /** Recorded with the object and returned by `head`. */
  meta?: ObjectMeta;
  /**
   * The object is a temporary one (a one-shot stream waiting for its hash): the store journals it until `delete`,
   * so a crash in between cannot leave it for good.
   */
  temporary?: boolean;
  /**
   * Create only: never replace an object already at the key. The write fails with `ERR_CONFLICT` instead, where the
   * store can tell: an atomic link on disk; on S3 an `If-None-Match: *` where the provider honours it (see
   * `ProviderPreset.conditionalWrites`). The uploader HEADs every key just before writing it, so this only closes the
   * race with a concurrent writer.
   */
  ifAbsent?: boolean;
  /** Resume a journaled multipart upload of the same source (see `UploadOptions.resume`); `hash` names the bytes. */
  resume?: ResumeOptions & { hash: string };
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
}

/**
 * What a write answered.
 *
 * @example
 * ```ts
 * const { etag, exclusive } = await store.put(key, bytes, { contentType: 'image/png', ifAbsent: true });
 * ```
 */
export interface PutResult {
  etag?: string;
  /**
   * True when the store itself refused to replace another object (`ifAbsent`, enforced: an atomic link on disk, an
   * `If-None-Match: *` the provider honours on this kind of write) and the write succeeded: the object at the key is
   * the one just written, so no HEAD is needed to know it.
   */
  exclusive?: boolean;
}

/** Options of `ObjectStore.copy`: the copy gets these instead of the source's headers and metadata. */
export interface CopyOptions {
  contentType: string;
  cacheControl?: string;
  contentDisposition?: string;
  meta?: ObjectMeta;
  /** As `PutOptions.ifAbsent`. */
  ifAbsent?: boolean;
  /** Copy only while the source's ETag is this one (S3 `x-amz-copy-source-if-match`); otherwise `ERR_CONFLICT`. */
  sourceEtag?: string;
}

/**
 * What a sweep found and removed: leftovers of uploads that died (multipart uploads, temporary objects and partial
 * files), older than the sweep's threshold and under Bytedrop's own prefixes only.
 */
export interface SweepReport {
  /** `key (uploadId)` of each multipart upload aborted. */
  abortedUploads: string[];
  /** Keys (or partial file names) deleted. */
  deleted: string[];
}

/**
 * A storage backend (one file per backend, one contract test suite for all).
 * `createUploader` runs the pipeline (hash → key → HEAD → PUT) over any store.
 */
export interface ObjectStore {
  readonly kind: string;
  /** Names the bucket or directory (`s3:https://s3.example.com/notes`, `disk:/srv/data`): journal entries carry it. */
  readonly id: string;
  head(key: string, signal?: AbortSignal): Promise<StoredObject | undefined>;
  put(key: string, body: BodyInput, options: PutOptions): Promise<PutResult>;
  /** Server-side copy, used to move a one-shot stream from a temporary key to its content-addressed key. */
  copy(fromKey: string, toKey: string, options: CopyOptions): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Removes what uploads that died left behind under Bytedrop's own prefixes (`.bytedrop-tmp/`, partial files), when
   * older than `olderThan` ms. Never touches anything else. `prefix` is the temporary prefix to sweep (default
   * `.bytedrop-tmp/`; the server sweeps only its own).
   */
  sweep?(options: { olderThan: number; prefix?: string; signal?: AbortSignal }): Promise<SweepReport>;
  /**
   * Finishes what the journal says a process that died left in this store: aborts its multipart uploads and deletes
   * its temporary objects. Entries of other stores are left for them.
   */
  recover?(): Promise<SweepReport>;
  /** Probes that the storage is reachable and writable (HeadBucket, or a disk check). */
  check(signal?: AbortSignal): Promise<void>;
  /** The public URL of a key, when the store has one. */
  publicUrl(key: string): string;
  /**
   * True when a `put` of `size` bytes with `ifAbsent` is certain to fail with `ERR_CONFLICT`, never to replace an
   * object, when the key is taken. Only then may an upload write before it HEADs (`UploadOptions.putFirst`); a store
   * without this method is HEADed first.
   */
  refusesExisting?(size: number): boolean;
}
