/**
 * Admin statistics over the catalog, in both dialects: uploads and bytes per UTC day, per owner and per type, and
 * the largest files, all within a time window. Days are `created_at / 86400000`, which is integer division of a
 * BIGINT in SQLite and PostgreSQL alike, so the grouping needs no dialect-specific date functions.
 */
import { type Kysely, sql } from 'kysely';
import { type CatalogDatabase, type FilesTable, toRecord } from './_schema';
import type { FileRecord } from './types';

const DAY_MS = 86_400_000;

/** Which files the statistics count: created at or after `from`, before `to`; `top` rows per ranking. */
export interface StatsWindow {
  from: Date;
  to: Date;
  /** Rows in `owners`, `types` and `largest` (the busiest first). */
  top: number;
}

/** Files and bytes of one group. */
export interface Tally {
  files: number;
  bytes: number;
}

/**
 * The statistics of a window.
 *
 * @example
 * ```ts
 * const stats = await catalog.stats({ from: new Date('2026-11-01'), to: new Date('2026-12-01'), top: 10 });
 * stats.days; // [{ day: '2026-11-01', files: 3, bytes: 5120 }, …]
 * ```
 */
export interface Stats {
  totals: Tally;
  /** Days with at least one upload, oldest first (`YYYY-MM-DD`, UTC). */
  days: (Tally & { day: string })[];
  /** Owners by bytes, largest first; `null` is objects another tool wrote. */
  owners: (Tally & { owner: string | null })[];
  /** Content types by files, most first. */
  types: (Tally & { contentType: string })[];
  /** The largest files, largest first. */
  largest: FileRecord[];
}

const tally = (row: { files: unknown; bytes: unknown }): Tally => ({
  files: Number(row.files),
  bytes: Number(row.bytes ?? 0),
});

/**
 * Runs the statistics queries of `window` (five reads, in parallel).
 *
 * @example
 * ```ts
 * const stats = await catalogStats(db, { from, to, top: 10 });
 * ```
 */
export async function catalogStats(db: Kysely<CatalogDatabase>, window: StatsWindow): Promise<Stats> {
  const inWindow = () =>
    db
      .selectFrom('bytedrop_files')
      .where('created_at', '>=', window.from.getTime())
      .where('created_at', '<', window.to.getTime());
  const counted = [
    sql<number | string>`count(*)`.as('files'),
    sql<number | string | null>`sum(size)`.as('bytes'),
  ] as const;
  const day = sql<number | string>`created_at / ${sql.lit(DAY_MS)}`;
  const [totals, days, owners, types, largest] = await Promise.all([
    inWindow().select(counted).executeTakeFirstOrThrow(),
    inWindow()
      .select([day.as('day'), ...counted])
      .groupBy(day)
      .orderBy(day)
      .execute(),
    inWindow()
      .select(['owner', ...counted])
      .groupBy('owner')
      .orderBy(sql`sum(size)`, 'desc')
      .orderBy('owner')
      .limit(window.top)
      .execute(),
    inWindow()
      .select(['content_type', ...counted])
      .groupBy('content_type')
      .orderBy(sql`count(*)`, 'desc')
      .orderBy('content_type')
      .limit(window.top)
      .execute(),
    inWindow().selectAll().orderBy('size', 'desc').orderBy('key').limit(window.top).execute(),
  ]);
  return {
    totals: tally(totals),
    days: days.map((row) => ({
      day: new Date(Number(row.day) * DAY_MS).toISOString().slice(0, 10),
      ...tally(row),
    })),
    owners: owners.map((row) => ({ owner: row.owner, ...tally(row) })),
    types: types.map((row) => ({ contentType: row.content_type, ...tally(row) })),
    largest: largest.map((row) => toRecord(row as FilesTable)),
  };
}
