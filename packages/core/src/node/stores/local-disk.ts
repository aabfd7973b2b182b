/**
 * A local-disk `ObjectStore`: the embedded default for trying Bytedrop without an S3 account.
 * It keeps the S3 store's contract (head/put/copy/delete/check/publicUrl) so `createUploader` runs the same pipeline
 * over it, and adds `read()` so the server can answer `/f/*` with Range and ETag without knowing the disk layout.
 *
 * Layout under `dir`:
 * - `<key>`: the object's bytes, at the path the key names (so `ls` shows what was uploaded);
 * - `.bytedrop-meta/<key>.json`: content type, cache-control, ETag. A separate tree rather than `<key>.meta.json`
 *   sidecars because a sidecar name can collide with a real key (`a.png.meta.json` is a valid key) and a static file
 *   server pointed at `dir` would serve the sidecars as objects;
 * - `.bytedrop-partial/`: writes in progress. Same filesystem as the objects, so the final `rename` is atomic: a crash or
 *   an abort never leaves a half-written file at a key.
 * Keys whose first segment is one of those two names are refused.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { copyFile, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { throwIfAborted } from '../../_abort';
import { toAsyncIterable } from '../../_body';
import { tooLargeError } from '../../_stream';
import { BytedropError, isBytedropError } from '../../errors';
import { publicUrl } from '../../links';
import type { BodyInput, ObjectStore, PutOptions, StoredObject } from '../../types';
import { TEMP_KEY_PREFIX } from '../../uploader';

const META_DIR = '.bytedrop-meta';
// Not '.bytedrop-tmp': the uploader stages one-shot streams under that key prefix, through this very store.
const TMP_DIR = '.bytedrop-partial';
const RESERVED = new Set([META_DIR, TMP_DIR]);

/** Options of `createLocalDiskStore`. */
export interface LocalDiskStoreOptions {
  /** Directory that holds the objects; created on first write. */
  dir: string;
  /** URL prefix under which `dir` is served, e.g. `http://localhost:8000/f` (the server's `/f/*` route). */
  publicBaseUrl: string;
  /** Largest object accepted by `put`, in bytes; larger bodies fail with `ERR_TOO_LARGE` and leave nothing behind. */
  maxFileSize?: number;
}

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
  /** Last write time, for `Last-Modified`. */
  mtime: Date;
}

/** The local-disk store: an `ObjectStore` plus direct read access for serving files. */
export interface LocalDiskStore extends ObjectStore {
  readonly kind: 'local-disk';
  /** The absolute directory objects live in. */
  readonly dir: string;
  /** The URL prefix `publicUrl` builds on. */
  readonly publicBaseUrl: string;
  /**
   * Opens an object for streaming, optionally a byte range of it; `undefined` when the key does not exist.
   * Throws `ERR_INPUT` for an unsatisfiable range (answer 416) or an unsafe key. Keys under `TEMP_KEY_PREFIX`
   * (uploads being staged) read as missing.
   */
  read(key: string, range?: ReadRange): Promise<LocalObject | undefined>;
  /** The absolute file path of a key (after the same safety checks as every other method). */
  path(key: string): string;
}

interface Meta {
  contentType: string;
  cacheControl?: string;
  etag: string;
}

const FALLBACK_TYPE = 'application/octet-stream';

/**
 * Creates a store that keeps objects as files under `dir`, written atomically, with the same contract as the S3 store.
 *
 * @example
 * ```ts
 * import { createUploader } from '@bytedrop/core';
 * import { createLocalDiskStore } from '@bytedrop/core/node';
 *
 * const store = createLocalDiskStore({ dir: './data', publicBaseUrl: 'http://localhost:8000/f' });
 * const uploader = createUploader({ bucket: 'local', endpoint: 'http://localhost' }, { store });
 * const { url } = await uploader.upload(new Blob(['hi']), { filename: 'hi.txt' });
 * const object = await store.read('2024/05/01/hi-8f434346.txt', { start: 0, end: 0 }); // first byte only
 * ```
 */
export function createLocalDiskStore(options: LocalDiskStoreOptions): LocalDiskStore {
  const root = resolve(options.dir);
  const base = options.publicBaseUrl;

  const pathOf = (key: string): string => {
    const problem = keyProblem(key);
    if (problem !== undefined) throw new BytedropError('ERR_INPUT', `key '${key}' ${problem}`);
    const target = resolve(root, ...key.split('/'));
    // Defence in depth: core renders safe keys, but this store also serves files, so never leave `root`.
    const rel = relative(root, target);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new BytedropError(
        'ERR_INPUT',
        `key '${key}' resolves outside ${root}: use a relative key without '..'`,
      );
    }
    return target;
  };
  const metaPathOf = (key: string): string => `${join(root, META_DIR, ...key.split('/'))}.json`;

  const readMeta = async (key: string): Promise<Meta | undefined> => {
    try {
      const parsed = JSON.parse(await readFile(metaPathOf(key), 'utf8')) as Partial<Meta>;
      return typeof parsed.contentType === 'string' && typeof parsed.etag === 'string'
        ? (parsed as Meta)
        : undefined;
    } catch {
      // A missing or damaged sidecar must not hide the object: fall back to generic metadata.
      return undefined;
    }
  };

  const statFile = async (path: string): Promise<Stats | undefined> => {
    try {
      const stats = await stat(path);
      return stats.isFile() ? stats : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw diskError(error, 'read', path);
    }
  };

  const tempPath = async (): Promise<string> => {
    const dir = join(root, TMP_DIR);
    await mkdir(dir, { recursive: true });
    return join(dir, randomUUID());
  };

  /** Moves a finished temp file and its metadata into place: metadata first, bytes last, so a visible key is complete. */
  const commit = async (key: string, temp: string, meta: Meta): Promise<void> => {
    const target = pathOf(key);
    const metaPath = metaPathOf(key);
    try {
      await mkdir(dirname(metaPath), { recursive: true });
      const metaTemp = `${temp}.json`;
      await writeFile(metaTemp, JSON.stringify(meta));
      await rename(metaTemp, metaPath);
      await mkdir(dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      await rm(`${temp}.json`, { force: true });
      throw diskError(error, 'write', target);
    }
  };

  const fallbackEtag = (stats: Stats): string => `"${stats.size.toString(16)}-${stats.mtimeMs.toString(16)}"`;

  return {
    kind: 'local-disk',
    dir: root,
    publicBaseUrl: base,
    path: pathOf,

    async head(key) {
      const stats = await statFile(pathOf(key));
      if (stats === undefined) return undefined;
      const meta = await readMeta(key);
      const object: StoredObject = { size: stats.size, etag: meta?.etag ?? fallbackEtag(stats) };
      object.contentType = meta?.contentType ?? FALLBACK_TYPE;
      return object;
    },

    async put(key: string, body: BodyInput, putOptions: PutOptions) {
      pathOf(key); // refuse unsafe keys before reading a byte
      const { signal, onProgress } = putOptions;
      const limit = options.maxFileSize;
      if (limit !== undefined && putOptions.size !== undefined && putOptions.size > limit) {
        throw tooLargeError(key, limit, putOptions.size);
      }
      throwIfAborted(signal, `write of '${key}'`);
      const temp = await tempPath();
      const md5 = createHash('md5');
      let loaded = 0;
      const file = await open(temp, 'wx');
      try {
        for await (const chunk of toAsyncIterable(body)) {
          throwIfAborted(signal, `write of '${key}'`);
          loaded += chunk.byteLength;
          if (limit !== undefined && loaded > limit) throw tooLargeError(key, limit);
          md5.update(chunk);
          await file.write(chunk);
          onProgress?.({ loaded, total: putOptions.size });
        }
        throwIfAborted(signal, `write of '${key}'`);
        await file.close();
      } catch (error) {
        await file.close().catch(() => undefined);
        await rm(temp, { force: true });
        throw isBytedropError(error) ? error : diskError(error, 'write', pathOf(key));
      }
      const etag = `"${md5.digest('hex')}"`;
      if (loaded === 0) onProgress?.({ loaded: 0, total: putOptions.size ?? 0 });
      await commit(key, temp, {
        contentType: putOptions.contentType,
        etag,
        ...(putOptions.cacheControl ? { cacheControl: putOptions.cacheControl } : {}),
      });
      return { etag };
    },

    async copy(fromKey, toKey, copyOptions) {
      const source = pathOf(fromKey);
      pathOf(toKey);
      const stats = await statFile(source);
      if (stats === undefined) {
        throw new BytedropError(
          'ERR_NOT_FOUND',
          `cannot copy '${fromKey}' to '${toKey}': '${fromKey}' does not exist in ${root}`,
        );
      }
      const etag = (await readMeta(fromKey))?.etag ?? fallbackEtag(stats);
      const temp = await tempPath();
      try {
        await copyFile(source, temp);
      } catch (error) {
        await rm(temp, { force: true });
        throw diskError(error, 'copy', source);
      }
      await commit(toKey, temp, {
        contentType: copyOptions.contentType,
        etag,
        ...(copyOptions.cacheControl ? { cacheControl: copyOptions.cacheControl } : {}),
      });
    },

    async delete(key) {
      // Like S3, deleting a missing key succeeds.
      const target = pathOf(key);
      try {
        await rm(target, { force: true });
        await rm(metaPathOf(key), { force: true });
      } catch (error) {
        throw diskError(error, 'delete', target);
      }
    },

    async check(signal) {
      throwIfAborted(signal, `check of ${root}`);
      try {
        const probe = await tempPath();
        await writeFile(probe, '');
        await rm(probe, { force: true });
      } catch (error) {
        const code = errno(error);
        if (code === 'ENOTDIR' || code === 'EEXIST') {
          throw new BytedropError(
            'ERR_CONFIG',
            `${root} cannot be the store directory: a file is in the way (${code}); point the store (BYTEDROP_DATA_DIR) at a directory`,
            { cause: error },
          );
        }
        throw diskError(error, 'write', root);
      }
    },

    publicUrl(key) {
      return publicUrl(base, key);
    },

    async read(key, range = {}) {
      const path = pathOf(key);
      // Uploads being staged live there through this very store; they are not published objects, so never read out.
      if (key.startsWith(TEMP_KEY_PREFIX)) return undefined;
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
        const meta = await readMeta(key);
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
          mtime: stats.mtime,
        };
      } catch (error) {
        await handle.close().catch(() => undefined);
        throw isBytedropError(error) ? error : diskError(error, 'read', path);
      }
    },
  };
}

/** Why a key cannot name a file under the store, or `undefined` when it can. */
function keyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key === '') return 'is empty: pass a key like 2024/05/01/shot-1a2b3c4d.png';
  if (key.startsWith('/')) return "starts with '/': keys are relative to the store";
  if (/[\\\0]/.test(key)) return 'contains a backslash or NUL: use forward slashes only';
  const segments = key.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return "has an empty, '.' or '..' segment: keys must not climb out of the store";
  }
  if (RESERVED.has(segments[0] ?? ''))
    return `starts with '${segments[0]}', which the local-disk store reserves`;
  return undefined;
}

function errno(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}

function isMissing(error: unknown): boolean {
  const code = errno(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function isDirectory(error: unknown): boolean {
  return errno(error) === 'EISDIR';
}

function diskError(error: unknown, action: string, path: string): BytedropError {
  const code = errno(error) ?? 'unknown';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new BytedropError(
      'ERR_FORBIDDEN',
      `cannot ${action} ${path} (${code}): give this process write access to the directory or choose another BYTEDROP_DATA_DIR`,
      { cause: error },
    );
  }
  if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
    return new BytedropError(
      'ERR_INPUT',
      `cannot ${action} ${path} (${code}): a file and a folder would share that name; use another key`,
      { cause: error },
    );
  }
  if (code === 'ENOSPC') {
    return new BytedropError(
      'ERR_PROVIDER',
      `cannot ${action} ${path}: the disk is full; free space and retry`,
      {
        cause: error,
      },
    );
  }
  return new BytedropError('ERR_PROVIDER', `cannot ${action} ${path} (${code}): ${String(error)}`, {
    cause: error,
  });
}
