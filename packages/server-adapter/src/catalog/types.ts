/**
 * The catalog's public shapes: one record per stored file, the listing query and its page, and the `Catalog` every
 * driver (`sqlite.ts`, `postgres.ts`) implements over the same typed query layer (`_kysely-catalog.ts`).
 */

import type { Stats, StatsWindow } from './_stats';
import type { KeyStore } from './keys';
import type { UploadStore } from './uploads';

export type { Stats, StatsWindow } from './_stats';

/**
 * Whether the upload answer carried a delete URL: `issued` when the uploading key owns the object, `none` when the
 * bytes were already another key's (a dedupe hit) or the record was adopted from storage by `catalog rebuild`.
 */
export type DeleteTokenState = 'issued' | 'none';

/**
 * One stored file.
 *
 * @example
 * ```ts
 * const file: FileRecord = {
 *   key: '2026/11/29/shot-9f86d081.png', owner: 'alice', filename: 'shot.png', size: 5120,
 *   hash: 'sha256:9f86d0…', contentType: 'image/png', width: 800, height: 600,
 *   createdAt: new Date(), requestId: 'a1b2…', deleteToken: 'issued',
 * };
 * ```
 */
export interface FileRecord {
  key: string;
  /** The access key name that first stored the bytes; `null` for objects another tool wrote. */
  owner: string | null;
  /** The name the client sent (sanitized); the key's last segment for adopted objects. */
  filename: string;
  size: number;
  /** `<algorithm>:<hex>`, or `null` when storage has no Bytedrop hash for it. */
  hash: string | null;
  contentType: string;
  width: number | null;
  height: number | null;
  createdAt: Date;
  /** `X-Request-Id` of the upload that stored it; `null` when adopted by `catalog rebuild`. */
  requestId: string | null;
  deleteToken: DeleteTokenState;
}

/** Filters of a listing; every field is optional. */
export interface FileQuery {
  /** Only this owner's files; `undefined` lists everyone's (admin). */
  owner?: string;
  /** Keys starting with this (a folder, `2026/11/`). */
  prefix?: string;
  /** Case-insensitive substring of the original filename. */
  q?: string;
  /** `image/png`, or a family `image/*`. */
  type?: string;
  /** Created at or after. */
  from?: Date;
  /** Created before. */
  to?: Date;
}

/** Where the previous page stopped: the last record's time and key (newest first, then key descending). */
export interface PagePosition {
  createdAt: number;
  key: string;
}

/** One page of a listing with the totals of the whole filtered set. */
export interface FilePage {
  files: FileRecord[];
  /** Present when more files follow. */
  next?: PagePosition;
  total: { count: number; bytes: number };
}

/** What one owner (or everyone) stores. */
export interface Usage {
  files: number;
  bytes: number;
  /** Files created since the `since` passed to `usage`. */
  uploadsSince: number;
}

/**
 * A file catalog. Writes are single statements or transactions, so a crash leaves either the old or the new state.
 *
 * @example
 * ```ts
 * import { createSqliteCatalog } from '@bytedrop/server/node';
 * const catalog = await createSqliteCatalog({ file: './data/catalog.sqlite' });
 * const page = await catalog.list({ owner: 'alice', type: 'image/*' }, { limit: 50 });
 * ```
 */
export interface Catalog {
  /** `sqlite` or `postgres`: named in errors and `/health`. */
  readonly dialect: 'sqlite' | 'postgres';
  /** Adds a file; a record already at the key is kept (the first upload's facts win). True when added. */
  record(file: FileRecord): Promise<boolean>;
  /** Adds many files in one transaction, keeping existing records; returns how many were added. */
  recordMany(files: readonly FileRecord[]): Promise<number>;
  get(key: string): Promise<FileRecord | undefined>;
  /** The records of these keys that exist, in no particular order (`POST /api/zip`). */
  getMany(keys: readonly string[]): Promise<FileRecord[]>;
  /** Removes a record; true when there was one. */
  remove(key: string): Promise<boolean>;
  /** Removes the records of these keys in one transaction; returns how many there were. */
  removeMany(keys: readonly string[]): Promise<number>;
  /** Every recorded key (for `catalog rebuild`, to drop records whose object is gone). */
  keys(): Promise<string[]>;
  list(query: FileQuery, page: { limit: number; after?: PagePosition }): Promise<FilePage>;
  usage(owner: string | undefined, since: Date): Promise<Usage>;
  /** The managed access keys (`keys.ts`). */
  readonly accessKeys: KeyStore;
  /** Uploads in flight (`uploads.ts`). */
  readonly uploads: UploadStore;
  /** Uploads and bytes per day, per owner and per type, and the largest files, created in `[from, to)` (admins). */
  stats(window: StatsWindow): Promise<Stats>;
  close(): Promise<void>;
}
