/**
 * A local-disk `ObjectStore`: the embedded default for trying Bytedrop without an S3 account.
 * It keeps the S3 store's contract (head/put/copy/delete/check/sweep/recover/publicUrl) so `createUploader` runs the
 * same pipeline over it, and adds `read()` so the server can answer `/f/*` with Range and ETag without knowing the
 * disk layout.
 *
 * Layout under `dir`:
 * - `<key>`: the object's bytes, at the path the key names (so `ls` shows what was uploaded);
 * - `.bytedrop-meta/<key>.json`: headers and Bytedrop's metadata (`_disk-meta.ts`);
 * - `.bytedrop-partial/`: writes in progress, and the metadata records staged before their files are placed. Same
 *   filesystem as the objects, so the final rename (or, for a create-only write, link) is atomic: a crash or an
 *   abort never leaves a half-written file at a key, and a file placed by a write killed before its metadata reads
 *   with the record it staged until a sweep puts that in place.
 * Keys whose first segment is one of those two names are refused (`_disk-keys.ts`).
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { copyFile, open, rm, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { throwIfAborted } from '../../_abort';
import { toAsyncIterable } from '../../_body';
import { tooLargeError } from '../../_stream';
import { BytedropError, isBytedropError } from '../../errors';
import { createMemoryJournal, TEMP_KEY_PREFIX, type UploadJournal } from '../../journal';
import { publicUrl } from '../../links';
import type { BodyInput, CopyOptions, ObjectStore, PutOptions, StoredObject, SweepReport } from '../../types';
import { diskError, errno, isMissing } from './_disk-errors';
import { type DiskMeta, metaTree, statExact } from './_disk-meta';
import { diskPlacer } from './_disk-place';
import { fallbackEtag, type LocalObject, openObject, type ReadRange } from './_disk-read';
import { sweepDisk, sweepPartials } from './_disk-sweep';

export type { LocalObject, ReadRange } from './_disk-read';

/** Options of `createLocalDiskStore`. */
export interface LocalDiskStoreOptions {
  /** Directory that holds the objects; created on first write. */
  dir: string;
  /** URL prefix under which `dir` is served, e.g. `http://localhost:8000/f` (the server's `/f/*` route). */
  publicBaseUrl: string;
  /** Largest object accepted by `put`, in bytes; larger bodies fail with `ERR_TOO_LARGE` and leave nothing behind. */
  maxFileSize?: number;
  /** Where temporary objects are written down while in flight, for `recover()` (default: memory). */
  journal?: UploadJournal;
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
   * Throws `ERR_INPUT` for an unsatisfiable range (answer 416) or an unsafe key (the store's own folders included).
   * Keys under `TEMP_KEY_PREFIX` (uploads being staged) read as missing.
   */
  read(key: string, range?: ReadRange): Promise<LocalObject | undefined>;
  /** The absolute file path of a key (after the same safety checks as every other method). */
  path(key: string): string;
  /**
   * Besides the journal's temporary objects, removes every partial write older than this store: one process per
   * directory, so those were left by a process that died. A write killed after placing its file but before its
   * metadata gets its metadata put in place first.
   */
  recover(): Promise<SweepReport>;
  sweep(options: { olderThan: number; prefix?: string; signal?: AbortSignal }): Promise<SweepReport>;
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
  const id = `disk:${root}`;
  const created = Date.now();
  const meta = metaTree(root);
  const journal = options.journal ?? createMemoryJournal();
  /** Journal entries of temporary objects written here, closed when they are deleted. */
  const temporary = new Map<string, string>();

  const { pathOf, tempPath, commit, finishCommit } = diskPlacer(root, meta);

  const statFile = async (path: string): Promise<Stats | undefined> => {
    try {
      const stats = await stat(path);
      return stats.isFile() ? stats : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw diskError(error, 'read', path);
    }
  };

  /** The metadata of the file now at `key` (`_disk-meta.ts`: a record in the tree, or one staged for it). */
  const metaOf = async (key: string): Promise<DiskMeta | undefined> => {
    const placed = await statExact(pathOf(key));
    return placed === undefined ? undefined : meta.current(key, placed);
  };

  const remember = async (key: string, temporaryObject: boolean | undefined) => {
    if (temporaryObject)
      temporary.set(key, await journal.add({ kind: 'temp', store: id, key, started: Date.now() }));
  };

  const remove = async (key: string): Promise<void> => {
    // Like S3, deleting a missing key succeeds.
    const target = pathOf(key);
    try {
      await rm(target, { force: true });
      await meta.remove(key);
    } catch (error) {
      throw diskError(error, 'delete', target);
    }
    const entry = temporary.get(key);
    if (entry !== undefined) {
      temporary.delete(key);
      await journal.remove(entry);
    }
  };

  const headers = (putOptions: PutOptions | CopyOptions, etag: string): DiskMeta => ({
    contentType: putOptions.contentType,
    etag,
    ...(putOptions.cacheControl ? { cacheControl: putOptions.cacheControl } : {}),
    ...(putOptions.contentDisposition ? { contentDisposition: putOptions.contentDisposition } : {}),
    ...(putOptions.meta ? { meta: putOptions.meta } : {}),
  });

  return {
    kind: 'local-disk',
    id,
    dir: root,
    publicBaseUrl: base,
    path: pathOf,

    async head(key) {
      const stats = await statFile(pathOf(key));
      if (stats === undefined) return undefined;
      const found = await metaOf(key);
      const object: StoredObject = {
        size: stats.size,
        etag: found?.etag ?? fallbackEtag(stats),
        contentType: found?.contentType ?? FALLBACK_TYPE,
      };
      if (found?.cacheControl) object.cacheControl = found.cacheControl;
      if (found?.contentDisposition) object.contentDisposition = found.contentDisposition;
      if (found?.meta) object.meta = found.meta;
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
      const digest = md5.digest();
      if (putOptions.contentMd5 !== undefined && digest.toString('base64') !== putOptions.contentMd5) {
        await rm(temp, { force: true });
        throw new BytedropError(
          'ERR_CHECKSUM',
          `the bytes written for '${key}' do not match their Content-MD5 ${putOptions.contentMd5}: nothing was stored; retry the upload`,
        );
      }
      const etag = `"${digest.toString('hex')}"`;
      if (loaded === 0) onProgress?.({ loaded: 0, total: putOptions.size ?? 0 });
      await remember(key, putOptions.temporary);
      await commit(key, temp, headers(putOptions, etag), putOptions.ifAbsent === true);
      // A create-only commit is an atomic link that fails when the key exists.
      return { etag, exclusive: putOptions.ifAbsent === true };
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
      const etag = (await metaOf(fromKey))?.etag ?? fallbackEtag(stats);
      if (copyOptions.sourceEtag !== undefined && copyOptions.sourceEtag !== etag) {
        throw new BytedropError(
          'ERR_CONFLICT',
          `cannot copy '${fromKey}' to '${toKey}': it changed since it was read (ETag ${etag}, expected ${copyOptions.sourceEtag}); upload it again`,
        );
      }
      const temp = await tempPath();
      try {
        await copyFile(source, temp);
      } catch (error) {
        await rm(temp, { force: true });
        throw diskError(error, 'copy', source);
      }
      await commit(toKey, temp, headers(copyOptions, etag), copyOptions.ifAbsent === true);
    },

    delete: remove,

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

    sweep: ({ olderThan, prefix = TEMP_KEY_PREFIX }) =>
      sweepDisk(root, { prefix, cutoff: Date.now() - olderThan, remove, finishCommit }),

    async recover() {
      const report: SweepReport = {
        abortedUploads: [],
        deleted: await sweepPartials(root, created, finishCommit),
      };
      for (const entry of await journal.entries()) {
        if (entry.store !== id || entry.kind !== 'temp') continue;
        await remove(entry.key);
        await journal.remove(entry.id);
        report.deleted.push(entry.key);
      }
      return report;
    },

    publicUrl(key) {
      return publicUrl(base, key);
    },

    // A create-only commit is a link(2), which fails on a taken path whatever the size: putFirst always applies.
    refusesExisting: () => true,

    async read(key, range = {}) {
      const path = pathOf(key);
      // Uploads being staged live there through this very store; they are not published objects, so never read out.
      if (key.startsWith(TEMP_KEY_PREFIX)) return undefined;
      return openObject(path, key, range, (placed) => meta.current(key, placed));
    },
  };
}
