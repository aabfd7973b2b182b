/**
 * Prepared statements kept per SQL text. Kysely's SqliteDialect prepares every query it runs afresh (parse and plan
 * in SQLite, a new native statement object to collect later), so an upload's few queries cost more in preparing
 * than in running. The SQL of one query shape is the same text every time (the values are parameters), so the
 * statement is prepared once and run again. SqliteDialect holds its one connection per query or transaction (a
 * stream included), so no statement is ever run twice at once.
 */
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { LRUCache } from 'lru-cache';

/**
 * Query shapes kept. The catalog has a few dozen; batches (`IN (...)` of up to 500 keys, multi-row inserts) make
 * one shape per size, so the oldest shapes go once this many are kept.
 */
const KEPT = 256;

/**
 * `database` preparing each SQL text once.
 *
 * @example
 * ```ts
 * const dialect = new SqliteDialect({ database: cachingStatements(new Database(file)) });
 * ```
 */
export function cachingStatements(database: SqliteDatabase): SqliteDatabase {
  const kept = new LRUCache<string, SqliteStatement>({ max: KEPT });
  return {
    close: () => {
      kept.clear();
      return database.close();
    },
    prepare(sql) {
      let statement = kept.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        kept.set(sql, statement);
      }
      return statement;
    },
  };
}
