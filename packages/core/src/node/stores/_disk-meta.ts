/**
 * The local store's metadata tree: `.bytedrop-meta/<key>.json` beside the objects, holding what S3 keeps in headers
 * (content type, cache-control, disposition, ETag) and Bytedrop's metadata. A separate tree rather than
 * `<key>.meta.json` sidecars, because a sidecar name can collide with a real key (`a.png.meta.json` is a valid key)
 * and a static file server pointed at the directory would serve sidecars as objects.
 *
 * A record is staged in the partial-writes folder before its file is placed, naming the key and the file, then
 * renamed into the tree (`_disk-place.ts`). Until then, or until a sweep finishes the commit of a killed process,
 * the staged record is the file's metadata (`current`).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectMeta } from '../../types';
import { META_DIR, TMP_DIR } from './_disk-keys';

/**
 * The object file a record was written for. A rename or a link keeps all three, and a later write at the key makes
 * a new file, so a match says the file at the key is still that one.
 */
export interface FileIdentity {
  ino: string;
  size: string;
  mtimeNs: string;
}

/** What the tree holds for one object. */
export interface DiskMeta {
  contentType: string;
  cacheControl?: string;
  contentDisposition?: string;
  /** A quoted strong ETag: the MD5 of the bytes, like a single-part S3 PUT. */
  etag: string;
  meta?: ObjectMeta;
  /** The file it was written for; absent from records written before files were named in them. */
  file?: FileIdentity;
}

/** A record staged before its file is placed: the key and the file it belongs to. */
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

/** The file at `path` as `stat` with bigint gives it, or `undefined` when there is none. */
export const statExact = (path: string): Promise<BigIntStats | undefined> =>
  stat(path, { bigint: true }).catch(() => undefined);

async function parse(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const isMeta = (parsed: Record<string, unknown> | undefined): parsed is Record<string, unknown> =>
  typeof parsed?.contentType === 'string' && typeof parsed.etag === 'string';

/** Reads a staged record; `undefined` when it is missing or damaged. */
export async function readStaged(staged: string): Promise<StagedMeta | undefined> {
  const parsed = await parse(staged);
  const file = parsed?.file as Partial<FileIdentity> | undefined;
  return isMeta(parsed) &&
    typeof parsed.key === 'string' &&
    typeof file?.ino === 'string' &&
    typeof file.size === 'string' &&
    typeof file.mtimeNs === 'string'
    ? (parsed as unknown as StagedMeta)
    : undefined;
}

// Staged records are named after their key's digest, so a read looks only at its own key's (usually none).
const keyTag = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 16);

/** Reads and writes the metadata of keys under `root`. */
export function metaTree(root: string) {
  const partial = join(root, TMP_DIR);
  const pathOf = (key: string): string => `${join(root, META_DIR, ...key.split('/'))}.json`;
  const read = async (key: string): Promise<DiskMeta | undefined> => {
    const parsed = await parse(pathOf(key));
    return isMeta(parsed) ? (parsed as unknown as DiskMeta) : undefined;
  };
  const forFile = (record: DiskMeta | undefined, placed: BigIntStats) =>
    record !== undefined && (record.file === undefined || sameFile(record.file, identityOf(placed)))
      ? record
      : undefined;

  /** The staged record of `key` written for the file `placed`, if any. */
  const pending = async (key: string, placed: BigIntStats): Promise<StagedMeta | undefined> => {
    const tag = `${keyTag(key)}.`;
    const names = await readdir(partial).catch(() => [] as string[]);
    for (const name of names.filter((entry) => entry.startsWith(tag) && entry.endsWith('.json'))) {
      const record = await readStaged(join(partial, name));
      if (record?.key === key && sameFile(record.file, identityOf(placed))) return record;
    }
    return undefined;
  };

  return {
    pathOf,
    /** `key`'s record in the tree, whichever file it names. */
    read,
    /** A new path to stage `key`'s next record at (in the partial-writes folder, on the objects' filesystem). */
    stagedPath: (key: string): string => join(partial, `${keyTag(key)}.${randomUUID()}.json`),
    async stage(staged: string, record: StagedMeta): Promise<void> {
      await writeFile(staged, JSON.stringify(record));
    },
    /**
     * The metadata of the file `placed` at `key`. Its record in the tree, unless that names another file (the one the
     * key held before an overwrite) and a record staged for this one exists: a commit between its two steps, or one
     * a killed process left for the next sweep. The tree is read again after the staged records, since a commit may
     * have moved its record from one to the other in between; a record naming another file is still the best there
     * is when nothing else is (a directory restored from a backup has new inodes). A missing or damaged record must
     * not hide the object: `undefined`, and callers fall back to generic metadata.
     */
    async current(key: string, placed: BigIntStats): Promise<DiskMeta | undefined> {
      return forFile(await read(key), placed) ?? (await pending(key, placed)) ?? (await read(key));
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
