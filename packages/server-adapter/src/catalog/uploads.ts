/**
 * Uploads in flight in the catalog: one row per tus upload (its partials too) and per direct S3 upload while bytes
 * are still arriving, with who owns it, what it is called, how far it got and when it expires. The bytes and the
 * upload's own record stay where they wait (`tus-store.ts`, the signing store), which is the source of truth; the
 * row is what several instances, `GET /api/uploads` and the expiry sweep see. Written as a whole each time (an
 * upsert), so a row missed during a catalog outage comes back with the next chunk.
 */
import type { Kysely } from 'kysely';
import type { CatalogDatabase, UploadsTable } from './_schema';

/**
 * `tus`: a tus upload; `tus-partial`: a piece of a later tus final upload (`Upload-Concat: partial`); `s3`: a direct
 * multipart upload to S3 (Uppy, `/s3/multipart`), whose offset is what its parts add up to when last listed.
 */
export type UploadKind = 'tus' | 'tus-partial' | 's3';

const KINDS: readonly string[] = ['tus', 'tus-partial', 's3'];

/**
 * One upload in flight.
 *
 * @example
 * ```ts
 * const upload: UploadRecord = {
 *   id: 'f3a9…', kind: 'tus', owner: 'alice', filename: 'video.mp4', length: 52428800, offset: 8388608,
 *   createdAt: new Date(), expiresAt: new Date(Date.now() + 3_600_000),
 * };
 * ```
 */
export interface UploadRecord {
  id: string;
  kind: UploadKind;
  owner: string;
  filename: string;
  /** The declared length; `null` while deferred. */
  length: number | null;
  /** Bytes received and kept. */
  offset: number;
  createdAt: Date;
  expiresAt: Date;
}

/** The catalog's uploads in flight. */
export interface UploadStore {
  /** Writes the row whole (added, or replaced with the new offset and length). */
  put(upload: UploadRecord): Promise<void>;
  get(id: string): Promise<UploadRecord | undefined>;
  /** Removes the row; true when there was one. */
  remove(id: string): Promise<boolean>;
  /** One owner's uploads (everyone's with `undefined`), newest first. */
  list(owner: string | undefined, limit: number): Promise<UploadRecord[]>;
  /** Uploads whose expiry is before `now`, oldest first. */
  expired(now: Date, limit: number): Promise<UploadRecord[]>;
}

function toUpload(row: UploadsTable): UploadRecord {
  return {
    id: row.id,
    kind: (KINDS.includes(row.kind) ? row.kind : 'tus') as UploadKind,
    owner: row.owner,
    filename: row.filename,
    length: row.upload_length === null ? null : Number(row.upload_length),
    offset: Number(row.upload_offset),
    createdAt: new Date(Number(row.created_at)),
    expiresAt: new Date(Number(row.expires_at)),
  };
}

/**
 * The uploads table over the catalog's Kysely instance.
 *
 * @example
 * ```ts
 * const uploads = createUploadStore(db);
 * await uploads.put({ id, kind: 'tus', owner: 'alice', filename: 'a.bin', length: 10, offset: 0, createdAt, expiresAt });
 * ```
 */
export function createUploadStore(db: Kysely<CatalogDatabase>): UploadStore {
  const rows = () => db.selectFrom('bytedrop_uploads').selectAll();
  return {
    async put(upload) {
      const row: UploadsTable = {
        id: upload.id,
        kind: upload.kind,
        owner: upload.owner,
        filename: upload.filename,
        upload_length: upload.length,
        upload_offset: upload.offset,
        created_at: upload.createdAt.getTime(),
        expires_at: upload.expiresAt.getTime(),
      };
      await db
        .insertInto('bytedrop_uploads')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            upload_length: row.upload_length,
            upload_offset: row.upload_offset,
            expires_at: row.expires_at,
          }),
        )
        .execute();
    },
    async get(id) {
      const row = await rows().where('id', '=', id).executeTakeFirst();
      return row ? toUpload(row) : undefined;
    },
    async remove(id) {
      const result = await db.deleteFrom('bytedrop_uploads').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async list(owner, limit) {
      const found = await rows()
        .$if(owner !== undefined, (q) => q.where('owner', '=', owner!))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return found.map(toUpload);
    },
    async expired(now, limit) {
      const found = await rows()
        .where('expires_at', '<', now.getTime())
        .orderBy('expires_at', 'asc')
        .limit(limit)
        .execute();
      return found.map(toUpload);
    },
  };
}
