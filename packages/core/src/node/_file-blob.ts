/**
 * Internal: a lazy, file-backed Blob. `fs.openAsBlob` reads 64 KiB at a time, each read a fresh buffer and a
 * thread-pool round trip; over a 1 GiB file that made the hash pass wait on reads more than it hashed, and the
 * allocations drove V8 into repeated full GCs (bench sections 1 and 2, `pnpm bench`). This one streams
 * in 2 MiB reads, each a fresh buffer because consumers (lib-storage's part buffers) keep them, and hashes a large
 * file itself, in a worker thread (`[OWN_DIGEST]`, `_file-digest.ts`), also while it is read for the upload
 * (`[OWN_HASHING_READ]`, `_file-hashing-read.ts`).
 * Like `openAsBlob`, nothing is held in memory and a file that changed since it was opened fails the read with a
 * `NotReadableError`, so a key can never name a hash of other bytes than the ones stored.
 */
import { Buffer } from 'node:buffer';
import type { Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { OWN_DIGEST, OWN_HASHING_READ } from '../_body';
import type { HashAlgorithm } from '../types';
import { digestFileInWorker, WORKER_MIN_BYTES } from './_file-digest';
import { readFileHashing } from './_file-hashing-read';

/**
 * Bytes per read. Measured on a 1 GiB upload to the bench's S3 sink, against rclone with the same parts: 64 KiB
 * (`openAsBlob`) gave 1.56× rclone's wall time and 1.09× its CPU at 149 MB peak RSS; 1 MiB gives 0.91× and 0.76×
 * at 163 MB; 2 MiB 0.84× and 0.70× at 195 MB. Peak RSS grows with the read size because lib-storage joins reads
 * until it holds more than a part, so each part's buffer is a part plus one read.
 */
const CHUNK = 2 * 1024 * 1024;

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

function fileBlob(path: string, snapshot: Snapshot, start: number, end: number, type: string): Blob {
  const size = end - start;
  const blob = {
    size,
    type,
    // FormData (undici) takes any object tagged as a Blob that can stream, so a server uploader can send it too.
    [Symbol.toStringTag]: 'Blob',
    [OWN_DIGEST]: (algorithm: HashAlgorithm, signal?: AbortSignal) =>
      size >= WORKER_MIN_BYTES
        ? digestFileInWorker(path, snapshot, { start, end }, algorithm, signal)
        : undefined,
    // The upload's read, checked against the hash as it goes: in a worker too (`_file-hashing-read.ts`).
    [OWN_HASHING_READ]: (algorithm: HashAlgorithm) =>
      size >= WORKER_MIN_BYTES ? readFileHashing(path, snapshot, { start, end }, algorithm) : undefined,
    slice(from?: number, to?: number, contentType?: string): Blob {
      const a = clamp(from, size, 0);
      const b = Math.max(a, clamp(to, size, size));
      return fileBlob(path, snapshot, start + a, start + b, contentType ?? '');
    },
    async arrayBuffer(): Promise<ArrayBuffer> {
      const bytes = new Uint8Array(size);
      const handle = await openUnchanged(path, snapshot);
      try {
        for (let offset = 0; offset < size; ) {
          const { bytesRead } = await handle.read(bytes, offset, size - offset, start + offset);
          if (bytesRead === 0) throw notReadable(path);
          offset += bytesRead;
        }
      } finally {
        await handle.close();
      }
      return bytes.buffer;
    },
    stream(): ReadableStream<Uint8Array> {
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
              const chunk = Buffer.allocUnsafe(Math.min(CHUNK, end - position));
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
    },
  };
  return blob as unknown as Blob;
}

/**
 * A Blob over the file at `path` as `stats` describe it. Reads fail with `NotReadableError` once the file changes.
 *
 * @example
 * ```ts
 * const stats = await statFile(path);
 * const { hash } = await hashBody(openFileBlob(path, stats), 'sha256');
 * ```
 */
export function openFileBlob(path: string, stats: Snapshot, type = ''): Blob {
  return fileBlob(path, { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino }, 0, stats.size, type);
}
