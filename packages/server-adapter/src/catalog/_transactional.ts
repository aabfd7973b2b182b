/**
 * Runs a migration's statements in one transaction in both dialects. Kysely's migrator wraps PostgreSQL's migrations
 * in a transaction already but not SQLite's (its adapter declares no transactional DDL, though SQLite has it): there
 * a crash half-way through a backfill would leave a half-built table that the next start never finishes.
 */
import type { Kysely } from 'kysely';

/**
 * `work` inside a transaction: the migrator's own (PostgreSQL), else a new one.
 *
 * @example
 * ```ts
 * up: (db) => transactional(db, async (trx) => { await trx.schema.createTable('t').addColumn('a', 'text').execute(); }),
 * ```
 */
export async function transactional(
  db: Kysely<unknown>,
  work: (trx: Kysely<unknown>) => Promise<void>,
): Promise<void> {
  if (db.isTransaction) return work(db);
  await db.transaction().execute(work);
}
