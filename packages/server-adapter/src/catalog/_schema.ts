/**
 * The catalog's tables as Kysely sees them. Times are milliseconds since the epoch in a BIGINT: one representation
 * in both dialects, compared and paged on without time-zone or precision surprises. PostgreSQL hands BIGINT back as
 * a string (pg does not guess at numbers past 2^53), so rows are read through `toRecord`.
 */
import type { FileRecord } from './types';

export interface FilesTable {
  key: string;
  owner: string | null;
  filename: string;
  size: number | string;
  hash: string | null;
  content_type: string;
  width: number | null;
  height: number | null;
  created_at: number | string;
  request_id: string | null;
  delete_token: string;
  /** The filename lower-cased (`searchName`), what name search matches and its trigram index covers. */
  name_search: string | null;
}

/**
 * Files and bytes per owner, kept by triggers in the transaction of every write to `bytedrop_files` (`_totals.ts`).
 * `owner` is `''` for files without one (NULL cannot be a primary key).
 */
export interface OwnerTotalsTable {
  owner: string;
  files: number | string;
  bytes: number | string;
}

export interface KeysTable {
  name: string;
  key_hash: string;
  prefix: string | null;
  /** Comma-separated scopes. */
  scopes: string;
  quota_bytes: number | string | null;
  quota_files: number | string | null;
  per_hour: number | null;
  per_day: number | null;
  expires_at: number | string | null;
  created_at: number | string;
  revoked_at: number | string | null;
  source: string;
}

/** Uploads in flight (`uploads.ts`). */
export interface UploadsTable {
  id: string;
  kind: string;
  owner: string;
  filename: string;
  upload_length: number | string | null;
  upload_offset: number | string;
  created_at: number | string;
  expires_at: number | string;
}

export interface CatalogDatabase {
  bytedrop_files: FilesTable;
  bytedrop_keys: KeysTable;
  bytedrop_uploads: UploadsTable;
  bytedrop_owner_totals: OwnerTotalsTable;
}

/**
 * A name as search compares it: JavaScript's locale-independent lower case, the same for the query, so a search is
 * case-insensitive beyond ASCII (SQLite's own `lower()` folds ASCII only) and identical in both dialects.
 */
export function searchName(filename: string): string {
  return filename.toLowerCase();
}

/** A row in either dialect → the public record. */
export function toRecord(row: FilesTable): FileRecord {
  return {
    key: row.key,
    owner: row.owner,
    filename: row.filename,
    size: Number(row.size),
    hash: row.hash,
    contentType: row.content_type,
    width: row.width === null ? null : Number(row.width),
    height: row.height === null ? null : Number(row.height),
    createdAt: new Date(Number(row.created_at)),
    requestId: row.request_id,
    deleteToken: row.delete_token === 'issued' ? 'issued' : 'none',
  };
}

/** The public record → a row. */
export function toRow(file: FileRecord): FilesTable {
  return {
    key: file.key,
    owner: file.owner,
    filename: file.filename,
    size: file.size,
    hash: file.hash,
    content_type: file.contentType,
    width: file.width,
    height: file.height,
    created_at: file.createdAt.getTime(),
    request_id: file.requestId,
    delete_token: file.deleteToken,
    name_search: searchName(file.filename),
  };
}
