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
  };
}
