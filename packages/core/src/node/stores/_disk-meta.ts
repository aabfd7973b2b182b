/**
 * The local store's metadata tree: `.bytedrop-meta/<key>.json` beside the objects, holding what S3 keeps in headers
 * (content type, cache-control, disposition, ETag) and Bytedrop's metadata. A separate tree rather than
 * `<key>.meta.json` sidecars, because a sidecar name can collide with a real key (`a.png.meta.json` is a valid key)
 * and a static file server pointed at the directory would serve sidecars as objects.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectMeta } from '../../types';
import { META_DIR } from './_disk-keys';

/** What the tree holds for one object. */
export interface DiskMeta {
  contentType: string;
  cacheControl?: string;
  contentDisposition?: string;
  /** A quoted strong ETag: the MD5 of the bytes, like a single-part S3 PUT. */
  etag: string;
  meta?: ObjectMeta;
}

/** Reads and writes the metadata of keys under `root`. */
export function metaTree(root: string) {
  const pathOf = (key: string): string => `${join(root, META_DIR, ...key.split('/'))}.json`;
  return {
    pathOf,
    async read(key: string): Promise<DiskMeta | undefined> {
      try {
        const parsed = JSON.parse(await readFile(pathOf(key), 'utf8')) as Partial<DiskMeta>;
        return typeof parsed.contentType === 'string' && typeof parsed.etag === 'string'
          ? (parsed as DiskMeta)
          : undefined;
      } catch {
        // A missing or damaged file must not hide the object: callers fall back to generic metadata.
        return undefined;
      }
    },
    /** Writes atomically through `temp` (a path beside the partial writes, on the same filesystem). */
    async write(key: string, meta: DiskMeta, temp: string): Promise<void> {
      await writeFile(temp, JSON.stringify(meta));
      await rename(temp, pathOf(key));
    },
    async remove(key: string): Promise<void> {
      await rm(pathOf(key), { force: true });
    },
  };
}
