/**
 * Internal: a lazy, file-backed Blob. It is Node's own (`fs.openAsBlob`), so it is a `Blob` wherever one is checked:
 * Node 24's FormData refuses look-alikes, and `File`, `Response` and FormData read a Blob's bytes through Node's
 * internals, never its `stream()`. Node's own read goes 64 KiB at a time, each read a fresh buffer and a thread-pool
 * round trip; over a 1 GiB file that made the hash pass wait on reads more than it hashed, and the allocations drove
 * V8 into repeated full GCs (bench sections 1 and 2, `pnpm bench`). So core's reads are put on it: `stream()` in
 * 2 MiB reads, each a fresh buffer because consumers (lib-storage's part buffers) keep them, and a large file hashed
 * in a worker thread (`[OWN_DIGEST]`, `_file-digest.ts`), also while it is read for the upload (`[OWN_HASHING_READ]`,
 * `_file-hashing-read.ts`).
 * Nothing is held in memory, and a file that changed since it was opened fails every read with a `NotReadableError`
 * (Node's reads compare size and mtime, core's size, mtime and inode), so a key can never name a hash of other bytes
 * than the ones stored.
 */
import { Buffer } from 'node:buffer';
import { openAsBlob, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { OWN_DIGEST, OWN_HASHING_READ } from '../_body';
import type { HashAlgorithm } from '../types';
import { digestFileInWorker, WORKER_MIN_BYTES } from './_file-digest';
import { readFileHashing } from './_file-hashing-read';

/**
 * Bytes per read. Measured on a 1 GiB upload to the bench's S3 sink, against rclone with the same parts: 64 KiB
 * (`openAsBlob`) gave 1.56× rclone's wall time and 1.09× its CPU at 149 MB peak RSS; 1 MiB gives 0.91× and 0.76×
 * at 163 MB; 2 MiB 0.84× and 0.70× at 195 MB. Peak RSS grew with the read size because lib-storage joins reads
 * until it holds more than a part, so each part's buffer was a part plus one read (now a part plus `LEAD`).
 */
const CHUNK = 2 * 1024 * 1024;
/**
 * Bytes of the first read. lib-storage cuts a part once it holds more than a part, joining what it holds into one
 * buffer, and keeps the rest for the next part. Reads of 2 MiB from the start made each joined buffer a part plus a
 * read (10 MiB for 8 MiB parts), every one of them held while its part is sent. A short first read shifts the later
 * ones so that, for a part size that is a multiple of CHUNK (the default 8 MiB), each joined buffer is a part plus
 * 64 KiB: about 2 MiB less per part in flight and per part allocated (issue 16).
 */
const LEAD = 64 * 1024;

/** What identifies the file's content as opened: a write or a replacement changes one of these. */
type Snapshot = Pick<Stats, 'size' | 'mtimeMs' | 'ino'>;

function changed(now: Stats, then: Snapshot): boolean {
  return now.size !== then.size || now.mtimeMs !== then.mtimeMs || now.ino !== then.ino;
}

function notReadable(path: string): DOMException {
  return new DOMException(`'${path}' changed after it was opened`, 'NotReadableError');
}

/** Opens the file and checks it is still the one that was stat-ed. */
async function openUnchanged(path: string, snapshot: Snapshot): Promise<FileHandle> {
  const handle = await open(path, 'r');
  if (changed(await handle.stat(), snapshot)) {
    await handle.close();
    throw notReadable(path);
  }
  return handle;
}

/** Clamps a Blob.slice index (negative counts from the end) to [0, size]. */
function clamp(index: number | undefined, size: number, fallback: number): number {
  if (index === undefined) return fallback;
  return index < 0 ? Math.max(size + index, 0) : Math.min(index, size);
}

/** The stream of bytes `start`…`end`: 2 MiB reads, the file checked against `snapshot` at its open and at its end. */
function streamRange(
  path: string,
  snapshot: Snapshot,
  start: number,
  end: number,
): ReadableStream<Uint8Array> {
  let handle: FileHandle | undefined;
  let position = start;
  const close = async () => {
    const open = handle;
    handle = undefined;
    await open?.close();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          handle ??= await openUnchanged(path, snapshot);
          if (position >= end) {
            // Checked again at the end: a write during the read must not pass unnoticed.
            const stale = changed(await handle.stat(), snapshot);
            await close();
            if (stale) controller.error(notReadable(path));
            else controller.close();
            return;
          }
          // A fresh buffer per chunk: consumers (lib-storage's part buffers) keep the chunks they are given. Not
          // zero-filled: the read overwrites it, and only the bytes read are handed on.
          const chunk = Buffer.allocUnsafe(Math.min(position === start ? LEAD : CHUNK, end - position));
          const { bytesRead } = await handle.read(chunk, 0, chunk.byteLength, position);
          if (bytesRead === 0) throw notReadable(path);
          position += bytesRead;
          controller.enqueue(bytesRead === chunk.byteLength ? chunk : chunk.subarray(0, bytesRead));
        } catch (error) {
          await close().catch(() => undefined);
          controller.error(error);
        }
      },
      cancel: close,
    },
    // One chunk read ahead, so the next read overlaps the hashing or sending of this one.
    { highWaterMark: 1 },
  );
}

/**
 * Gives `blob`, Node's Blob over bytes `start`… of the file, core's reads: `stream()` in 2 MiB reads, the worker
 * thread's hash pass and hashing read, and a `slice()` whose Blobs keep them. Everything else (`arrayBuffer`, `text`,
 * `bytes`, and the bytes FormData, `File` and `Response` take from it through Node's internals) is Node's own read,
 * which fails the same way on a changed file.
 */
function withOwnReads(blob: Blob, path: string, snapshot: Snapshot, start: number): Blob {
  const { size } = blob;
  const end = start + size;
  return Object.defineProperties(blob, {
    stream: { value: () => streamRange(path, snapshot, start, end) },
    slice: {
      value: (from?: number, to?: number, contentType?: string): Blob =>
        withOwnReads(
          Blob.prototype.slice.call(blob, from, to, contentType),
          path,
          snapshot,
          start + clamp(from, size, 0),
        ),
    },
    [OWN_DIGEST]: {
      value: (algorithm: HashAlgorithm, signal?: AbortSignal) =>
        size >= WORKER_MIN_BYTES
          ? digestFileInWorker(path, snapshot, { start, end }, algorithm, signal)
          : undefined,
    },
    // The upload's read, checked against the hash as it goes: in a worker too (`_file-hashing-read.ts`).
    [OWN_HASHING_READ]: {
      value: (algorithm: HashAlgorithm) =>
        size >= WORKER_MIN_BYTES ? readFileHashing(path, snapshot, { start, end }, algorithm) : undefined,
    },
  });
}

/**
 * A Blob over the file at `path` as `stats` describe it: a real `Blob` (Node's `fs.openAsBlob`), so FormData, `File`
 * and `Response` take it on every Node, with core's reads. Reads fail with `NotReadableError` once the file changes.
 *
 * @example
 * ```ts
 * const stats = await statFile(path);
 * const { hash } = await hashBody(await openFileBlob(path, stats), 'sha256');
 * ```
 */
export async function openFileBlob(path: string, stats: Snapshot, type = ''): Promise<Blob> {
  const snapshot = { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino };
  return withOwnReads(await openAsBlob(path, { type }), path, snapshot, 0);
}
