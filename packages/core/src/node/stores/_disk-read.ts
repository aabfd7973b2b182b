/**
 * Opening a stored file for serving, whole or a byte range of it, with the metadata that goes in the headers.
 */
import type { BigIntStats, Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { BytedropError, isBytedropError } from '../../errors';
import { diskError, isDirectory, isMissing } from './_disk-errors';
import type { DiskMeta } from './_disk-meta';

/** A byte range to read; both ends inclusive, as in an HTTP `Range: bytes=start-end` header. */
export interface ReadRange {
  start?: number;
  end?: number;
}

/** An object opened for reading by `LocalDiskStore.read`. */
export interface LocalObject {
  /** The requested range's bytes (the whole object without a range). Cancel it if you do not read it. */
  stream: ReadableStream<Uint8Array>;
  /** Size of the whole object in bytes (not of the range), for `Content-Range` and `Content-Length`. */
  size: number;
  /** First and last byte offsets the stream covers (inclusive); `end` is `-1` for an empty object. */
  start: number;
  end: number;
  contentType: string;
  /** A quoted strong ETag (the MD5 of the bytes, like a single-part S3 PUT). */
  etag: string;
  cacheControl?: string;
  /** `attachment; filename=…` when the object was stored as a download (types a browser would run). */
  contentDisposition?: string;
  /** Last write time, for `Last-Modified`. */
  mtime: Date;
}

const FALLBACK_TYPE = 'application/octet-stream';

/** An ETag for an object without metadata: size and write time, like many static file servers. */
export function fallbackEtag(stats: Stats): string {
  return `"${stats.size.toString(16)}-${stats.mtimeMs.toString(16)}"`;
}

/** Opens `path` (the file of `key`); `undefined` when there is no file. */
export async function openObject(
  path: string,
  key: string,
  range: ReadRange,
  readMeta: (placed: BigIntStats) => Promise<DiskMeta | undefined>,
): Promise<LocalObject | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isMissing(error) || isDirectory(error)) return undefined;
    throw diskError(error, 'read', path);
  }
  try {
    // Stat the open handle, not the path: a concurrent rename then cannot pair new bytes with old metadata.
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close();
      return undefined;
    }
    const size = stats.size;
    const start = range.start ?? 0;
    const end = Math.min(range.end ?? size - 1, size - 1);
    const badEnd = range.end !== undefined && (!Number.isInteger(range.end) || range.end < 0);
    if (
      !Number.isInteger(start) ||
      start < 0 ||
      badEnd ||
      (size > 0 && start > end) ||
      (size === 0 && start > 0)
    ) {
      throw new BytedropError(
        'ERR_INPUT',
        `range ${range.start ?? ''}-${range.end ?? ''} of '${key}' cannot be satisfied: the object has ${size} bytes (answer 416)`,
      );
    }
    // The metadata of the file this handle has open, by its identity (a record names the file it was written for).
    const meta = await readMeta(await handle.stat({ bigint: true }));
    let stream: ReadableStream<Uint8Array>;
    if (size === 0) {
      // createReadStream cannot express an empty range (end < start), so hand out an empty stream.
      await handle.close();
      stream = new ReadableStream({ start: (controller) => controller.close() });
    } else {
      // The stream owns the descriptor from here and closes it when done or cancelled.
      stream = Readable.toWeb(handle.createReadStream({ start, end })) as ReadableStream<Uint8Array>;
    }
    return {
      stream,
      size,
      start,
      end: size === 0 ? -1 : end,
      contentType: meta?.contentType ?? FALLBACK_TYPE,
      etag: meta?.etag ?? fallbackEtag(stats),
      ...(meta?.cacheControl ? { cacheControl: meta.cacheControl } : {}),
      ...(meta?.contentDisposition ? { contentDisposition: meta.contentDisposition } : {}),
      mtime: stats.mtime,
    };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw isBytedropError(error) ? error : diskError(error, 'read', path);
  }
}
