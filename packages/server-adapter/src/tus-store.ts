/**
 * Where a tus upload's bytes wait until its last byte arrives (one file per backend: `_tus-s3.ts` for S3, `tus-disk.ts`
 * for the local disk), and the shapes the tus routes share. A backend keeps only bytes in flight and the upload's
 * record: the finished file is written by core's uploader like any other (`_tus-finish.ts`).
 */
import type { UploadResult } from '@bytedrop/core';
import type { TusLocks } from './tus-locks';

/**
 * One tus upload's record: who owns it, what it declared, how far it got, and, once finished, the answer
 * `POST /upload` would have given for it.
 *
 * @example
 * ```ts
 * const upload: TusUpload = { id: 'f3a…', owner: 'alice', offset: 0, length: 52428800, metadata: { filename: 'a.bin' },
 *   created: Date.now(), expires: Date.now() + 3_600_000, parts: [], tailSize: 0 };
 * ```
 */
export interface TusUpload {
  id: string;
  /** The access key's name that created it: only that key may write, read or end it. */
  owner: string;
  /** Bytes received and kept. */
  offset: number;
  /** The declared length; absent while deferred (`Upload-Defer-Length: 1`). */
  length?: number;
  /** `Upload-Metadata`, decoded. */
  metadata: Record<string, string>;
  /** The raw `Upload-Metadata` header, answered back on HEAD. */
  rawMetadata?: string;
  created: number;
  /** Past this (ms since the epoch) the upload is gone: 410, and the sweep removes its bytes. */
  expires: number;
  /** S3 only: the multipart upload of the bytes so far, started with the first full part. */
  uploadId?: string;
  /** S3 only: the parts committed (each exactly the part size), in order. */
  parts: { number: number; etag: string }[];
  /** S3 only: bytes past the last full part, kept in a small object of their own until a part is full. */
  tailSize: number;
  /**
   * S3 only: the part size its parts are cut at, fixed by its first bytes. A server restarted with another part size
   * goes on with this one, since R2 refuses a multipart upload whose parts (but the last) differ in size. Absent in
   * records from before it was kept: those take the server's part size.
   */
  partSize?: number;
  /** The stored file, once the last byte was in and core's uploader placed it (no delete token: made per answer). */
  result?: UploadResult;
  /** `Upload-Concat: partial`: a piece of a later final upload, never a file by itself (no link, no catalog record). */
  partial?: boolean;
  /** `Upload-Concat: final`: the ids of the partial uploads it was assembled from, in order (it has no bytes of its own). */
  final?: string[];
}

/** Checks the bytes of one PATCH before they are kept (the checksum extension). */
export interface ChunkCheck {
  update(chunk: Uint8Array): void;
  /** True when the bytes match the client's `Upload-Checksum`. */
  matches(): Promise<boolean>;
}

/** What `append` did. */
export interface Appended {
  /** The new offset (the old one when nothing was kept). */
  offset: number;
  /** Why reading the body stopped early (the client went away), after what arrived until then was kept. */
  cut?: unknown;
  /** The chunk did not match its checksum: nothing of it was kept. */
  mismatch?: boolean;
}

/**
 * A place for the bytes of tus uploads in flight, and their records. Every method but `load` is called with the
 * upload's lock held (`TusLocks`), so one upload is never written by two requests at once.
 */
export interface TusBackend {
  readonly kind: string;
  /** Records a new upload (no bytes yet). */
  create(upload: TusUpload): Promise<void>;
  /** The upload's record, or `undefined` when there is none (never created, ended, or swept). */
  load(id: string): Promise<TusUpload | undefined>;
  /** Writes the record again (a deferred length learnt, a result recorded). */
  save(upload: TusUpload): Promise<void>;
  /**
   * Appends `body` at `upload.offset`, updating `upload` and its record. With `check`, the bytes are kept only when
   * they match; without, whatever arrived before a cut is kept (so a resume sends at most what was not).
   */
  append(upload: TusUpload, body: AsyncIterable<Uint8Array>, check?: ChunkCheck): Promise<Appended>;
  /** The whole upload's bytes, once `offset === length`; with `etag`, of that version of `stored`'s object only. */
  read(upload: TusUpload, signal?: AbortSignal, etag?: string): AsyncIterable<Uint8Array>;
  /**
   * Where a complete upload's bytes wait as one object of the server's own store, with its ETag: the finish then
   * copies that object inside the storage instead of writing the bytes again. Absent, or `undefined`, they are written.
   */
  stored?(upload: TusUpload): Promise<{ key: string; etag: string } | undefined>;
  /** Removes the bytes in flight (a multipart upload, a partial file); the record stays when `keepRecord`. */
  discard(upload: TusUpload, options?: { keepRecord?: boolean }): Promise<void>;
}

/**
 * Options of the tus endpoint (`HandlerOptions.tus`). With an S3 store everything has a default; the local-disk
 * store needs `backend: createTusDiskBackend(...)` from `@bytedrop/server/node` (the bin sets it).
 *
 * @example
 * ```ts
 * createHandler({ uploader, keys, secret, tus: { locks: createRedisTusLocks({ url: process.env.REDIS_URL! }), expiresMs: 3_600_000 } });
 * ```
 */
export interface TusOptions {
  /** Where bytes in flight wait (default: a multipart upload on the S3 store behind the uploader). */
  backend?: TusBackend;
  /** The upload locks (default: in this process; use Redis locks with several instances). */
  locks?: TusLocks;
  /**
   * How long a request waits while another one holds the upload's lock (default 10 s), e.g. a resume arriving
   * while the server still keeps what the cut request received; then 423, which tus clients retry.
   */
  lockWaitMs?: number;
  /**
   * How long after its creation an unfinished upload expires (default 1 h). Keep it at most the sweep's age
   * (`SWEEP_AFTER_S`), which removes what expired uploads left.
   */
  expiresMs?: number;
  /** S3: the part size of the multipart upload (default the uploader's `partSize`, at least 5 MiB). */
  partSize?: number;
}
