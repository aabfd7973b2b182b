/**
 * The local store's metadata tree: `.bytedrop-meta/<key>.json` beside the objects, holding what S3 keeps in headers
 * (content type, cache-control, disposition, ETag) and Bytedrop's metadata. A separate tree rather than
 * `<key>.meta.json` sidecars, because a sidecar name can collide with a real key (`a.png.meta.json` is a valid key)
 * and a static file server pointed at the directory would serve sidecars as objects.
 */
import type { BigIntStats } from 'node:fs';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectMeta } from '../../types';
import { META_DIR, TMP_DIR } from './_disk-keys';

/** What the tree holds for one object. */
export interface DiskMeta {
  contentType: string;
  cacheControl?: string;
  contentDisposition?: string;
  /** A quoted strong ETag: the MD5 of the bytes, like a single-part S3 PUT. */
  etag: string;
  meta?: ObjectMeta;
}

/**
 * The object file a record was written for. A rename or a link keeps all three, and a later write at the key makes
 * a new file, so a match says the file at the key is still that one.
 */
export interface FileIdentity {
  ino: string;
  size: string;
  mtimeNs: string;
}

/** A record staged in the partial-writes folder before its object is placed: the key and file it belongs to. */
export interface StagedMeta extends DiskMeta {
  key: string;
  file: FileIdentity;
}

/** The identity of a file, from `stat(path, { bigint: true })`. */
export const identityOf = (stats: BigIntStats): FileIdentity => ({
  ino: String(stats.ino),
  size: String(stats.size),
  mtimeNs: String(stats.mtimeNs),
});

/** Whether two identities name the same file. */
export const sameFile = (a: FileIdentity, b: FileIdentity): boolean =>
  a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;

const parse = async (path: string): Promise<Record<string, unknown> | undefined> => {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** Reads a staged record; `undefined` when it is missing or damaged. */
async function readStaged(staged: string): Promise<StagedMeta | undefined> {
  const parsed = await parse(staged);
  const file = parsed?.file as Partial<FileIdentity> | undefined;
  return typeof parsed?.key === 'string' &&
    typeof parsed.contentType === 'string' &&
    typeof parsed.etag === 'string' &&
    typeof file?.ino === 'string' &&
    typeof file.size === 'string' &&
    typeof file.mtimeNs === 'string'
    ? (parsed as unknown as StagedMeta)
    : undefined;
}

/** Reads and writes the metadata of keys under `root`. */
export function metaTree(root: string) {
  const pathOf = (key: string): string => `${join(root, META_DIR, ...key.split('/'))}.json`;
  return {
    pathOf,
    async read(key: string): Promise<DiskMeta | undefined> {
      // A missing or damaged file must not hide the object: callers fall back to generic metadata.
      const parsed = await parse(pathOf(key));
      return typeof parsed?.contentType === 'string' && typeof parsed.etag === 'string'
        ? (parsed as unknown as DiskMeta)
        : undefined;
    },
    /** Writes the record of `key`'s next file to `staged` (in the partial-writes folder, on the same filesystem). */
    async stage(staged: string, record: StagedMeta): Promise<void> {
      await writeFile(staged, JSON.stringify(record));
    },
    readStaged,
    /**
     * The staged record of the file now at `path` (`key`), for an object placed without its metadata in place yet:
     * a commit between its two steps, or one a killed process left for the next sweep to finish.
     */
    async pending(key: string, path: string): Promise<DiskMeta | undefined> {
      const partial = join(root, TMP_DIR);
      const names = await readdir(partial).catch(() => [] as string[]);
      for (const name of names.filter((entry) => entry.endsWith('.json'))) {
        const record = await readStaged(join(partial, name));
        if (record?.key !== key) continue;
        const placed = await stat(path, { bigint: true }).catch(() => undefined);
        if (placed !== undefined && sameFile(identityOf(placed), record.file)) return record;
      }
      return undefined;
    },
    /** Puts a staged record in place as `key`'s metadata, atomically. */
    async finish(staged: string, key: string): Promise<void> {
      await rename(staged, pathOf(key));
    },
    async remove(key: string): Promise<void> {
      await rm(pathOf(key), { force: true });
    },
  };
}
