/**
 * `catalog rebuild`: reads the store into the catalog, so storage stays the source of truth for bytes. An S3 bucket
 * is listed with ListObjectsV2 (core's `listObjects`), the local store's directory is walked; each object's HEAD
 * gives its size, type and Bytedrop metadata (`x-amz-meta-bytedrop-*`, or the local `.bytedrop-meta` tree). Records
 * already there are kept (they know more: the original name, dimensions, the request); records whose object is gone
 * are removed. Bytedrop's own folders (`.bytedrop-tmp/`, `.bytedrop-meta/`, partial writes) are never files.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { listObjects, type ObjectStore, type S3Store } from '@bytedrop/core';
import type { LocalDiskStore } from '@bytedrop/core/node';
import { isThumbnailKey } from '../thumbnails';
import type { Catalog, FileRecord } from './types';

/** What a rebuild found and changed. */
export interface RebuildReport {
  /** Objects in storage (Bytedrop's own folders excluded). */
  objects: number;
  added: number;
  /** Records kept because they were there already. */
  kept: number;
  /** Records removed because their object is gone. */
  removed: number;
}

/** HEADs in flight at once: enough to hide latency, few enough not to be throttled. */
const CONCURRENCY = 8;
const FALLBACK_TYPE = 'application/octet-stream';

interface Listed {
  key: string;
  modified: Date;
}

// Thumbnails (`<key>.thumb-320.webp`) belong to their image: never files of their own.
const isOwnFolder = (key: string) => key.startsWith('.bytedrop-') || isThumbnailKey(key);

async function listDisk(store: LocalDiskStore): Promise<Listed[]> {
  const entries = await readdir(store.dir, { recursive: true, withFileTypes: true }).catch((error) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(store.dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((key) => !isOwnFolder(key));
  return Promise.all(files.map(async (key) => ({ key, modified: (await stat(store.path(key))).mtime })));
}

async function listStore(store: ObjectStore): Promise<Listed[]> {
  if (store.kind === 'local-disk') return listDisk(store as LocalDiskStore);
  if (store.kind === 's3') {
    const { client, bucket } = store as S3Store;
    const objects = await listObjects(client, bucket, '');
    return objects
      .filter((object) => !isOwnFolder(object.key))
      .map((object) => ({ key: object.key, modified: object.lastModified ?? new Date() }));
  }
  throw new Error(`catalog rebuild cannot list a '${store.kind}' store: only S3 and the local disk`);
}

/** Runs `task` over `items`, `CONCURRENCY` at a time. */
async function pooled<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return results;
}

/**
 * Brings the catalog in line with what the store holds.
 *
 * @example
 * ```ts
 * import { createSqliteCatalog, rebuildCatalog } from '@bytedrop/server/node';
 * const report = await rebuildCatalog(uploader.store, await createSqliteCatalog({ file: './data/catalog.sqlite' }));
 * // { objects: 120, added: 3, kept: 117, removed: 0 }
 * ```
 */
export async function rebuildCatalog(store: ObjectStore, catalog: Catalog): Promise<RebuildReport> {
  // Records first, then the listing: a file uploaded in between is listed and already recorded (kept), never a
  // record without its object in the listing (which would be removed while the server runs beside).
  const known = new Set(await catalog.keys());
  const listed = await listStore(store);
  const missing = listed.filter((object) => !known.has(object.key));
  const records = await pooled(missing, async ({ key, modified }): Promise<FileRecord | undefined> => {
    const head = await store.head(key);
    // Deleted between the listing and the HEAD: nothing to adopt.
    if (!head) return undefined;
    return {
      key,
      owner: head.meta?.owner ?? null,
      // The name it was uploaded as (object metadata); an older object, or one another tool put: its key's last part.
      filename: head.meta?.filename ?? key.split('/').at(-1)!,
      size: head.size,
      hash: head.meta?.hash ?? null,
      contentType: head.contentType ?? FALLBACK_TYPE,
      width: null,
      height: null,
      createdAt: modified,
      requestId: null,
      deleteToken: 'none',
    };
  });
  const added = await catalog.recordMany(records.filter((record) => record !== undefined));
  const present = new Set(listed.map((object) => object.key));
  const removed = await catalog.removeMany([...known].filter((key) => !present.has(key)));
  return { objects: listed.length, added, kept: listed.length - missing.length, removed };
}
