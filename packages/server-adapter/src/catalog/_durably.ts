/**
 * Writes whose commit must be on disk when they return, whatever the catalog's SQLite syncs otherwise: the uploads'
 * records commit with `synchronous = NORMAL` (sqlite.ts: storage can rebuild them), but access keys are in the
 * catalog only, and a revocation or a rotation undone by a power cut would let a withdrawn secret in again.
 */
import { type Kysely, sql } from 'kysely';
import type { CatalogDatabase } from './_schema';
import type { Catalog } from './types';

/** SQLite's `synchronous` levels: 2 is FULL (the WAL synced at each commit). */
const FULL = 2;

/**
 * Runs `work` on a connection of its own that syncs each commit; PostgreSQL's commits always do.
 *
 * @example
 * ```ts
 * await durably(db, 'sqlite', (db) => db.updateTable('bytedrop_keys').set({ revoked_at: 1 }).execute());
 * ```
 */
export async function durably<T>(
  db: Kysely<CatalogDatabase>,
  dialect: Catalog['dialect'],
  work: (db: Kysely<CatalogDatabase>) => Promise<T>,
): Promise<T> {
  if (dialect !== 'sqlite') return work(db);
  // SqliteDialect has one connection: held here, no upload's commit runs at FULL meanwhile nor one of these at NORMAL.
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(connection);
    const level = Number(rows[0]?.synchronous ?? FULL);
    if (level >= FULL) return work(connection);
    await sql`pragma synchronous = full`.execute(connection);
    try {
      return await work(connection);
    } finally {
      await sql.raw(`pragma synchronous = ${level}`).execute(connection);
    }
  });
}
