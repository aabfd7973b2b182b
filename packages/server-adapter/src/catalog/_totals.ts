/**
 * Files and bytes per owner, so a listing without filters (an owner's first page, an admin's) has its totals from a
 * row per owner instead of reading every file. Triggers keep `bytedrop_owner_totals` in the same transaction as each
 * insert, delete or change of owner or size, whoever writes (uploads, deletes, `catalog rebuild`, another tool): a
 * write that rolls back or dies takes its counts with it, and concurrent writers queue on the owner's row. In
 * PostgreSQL the triggers run once per statement over its transition table, a row per owner, in owner order (a batch
 * of 500 rows updates each owner once, and two batches lock owners in the same order: no deadlock).
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { CatalogDatabase } from './_schema';
import { transactional } from './_transactional';
import type { Catalog } from './types';

/** Adds `files` and `bytes` per owner (`''` for none), in owner order; `select` yields (owner, files, bytes). */
const addPostgres = (select: string) => `
  insert into bytedrop_owner_totals as t (owner, files, bytes)
    select owner, sum(files), sum(bytes) from (${select}) as d group by owner order by owner
  on conflict (owner) do update set files = t.files + excluded.files, bytes = t.bytes + excluded.bytes`;
const ADDED = `select coalesce(owner, '') as owner, 1 as files, size as bytes from added`;
const REMOVED = `select coalesce(owner, '') as owner, -1 as files, -size as bytes from removed`;

const POSTGRES = [
  ...(
    [
      ['added', 'insert', 'new table as added', ADDED],
      ['removed', 'delete', 'old table as removed', REMOVED],
      ['changed', 'update', 'old table as removed new table as added', `${REMOVED} union all ${ADDED}`],
    ] as const
  ).flatMap(([name, event, tables, select]) => [
    `create function bytedrop_owner_totals_${name}() returns trigger language plpgsql as $$
     begin ${addPostgres(select)}; return null; end $$`,
    `create trigger bytedrop_files_totals_${event} after ${event} on bytedrop_files
       referencing ${tables} for each statement execute function bytedrop_owner_totals_${name}()`,
  ]),
  // Nothing here truncates, but an operator might: the counts follow.
  `create function bytedrop_owner_totals_truncated() returns trigger language plpgsql as $$
   begin delete from bytedrop_owner_totals; return null; end $$`,
  `create trigger bytedrop_files_totals_truncate after truncate on bytedrop_files
     for each statement execute function bytedrop_owner_totals_truncated()`,
];

const ADD_SQLITE = `insert into bytedrop_owner_totals (owner, files, bytes) values (coalesce(new.owner, ''), 1, new.size)
  on conflict (owner) do update set files = files + 1, bytes = bytes + excluded.bytes;`;
const REMOVE_SQLITE = `update bytedrop_owner_totals set files = files - 1, bytes = bytes - old.size
  where owner = coalesce(old.owner, '');`;

// SQLite has row triggers only; its writes are serialised, so counting row by row is exact.
const SQLITE = [
  `create trigger bytedrop_files_totals_insert after insert on bytedrop_files begin ${ADD_SQLITE} end`,
  `create trigger bytedrop_files_totals_delete after delete on bytedrop_files begin ${REMOVE_SQLITE} end`,
  `create trigger bytedrop_files_totals_update after update of owner, size on bytedrop_files
     begin ${REMOVE_SQLITE} ${ADD_SQLITE} end`,
];

/**
 * Migration 0006: the per-owner counts, their triggers, and the counts of the rows already there.
 *
 * @example
 * ```ts
 * const migrations = { '0006_owner_totals_counters': ownerTotalsMigration('postgres') };
 * ```
 */
export function ownerTotalsMigration(dialect: Catalog['dialect']): Migration {
  return {
    up: (db) =>
      transactional(db, async (trx) => {
        // Writers of an older instance wait until the triggers and the counts commit together: none is missed.
        if (dialect === 'postgres')
          await sql`lock table bytedrop_files in share row exclusive mode`.execute(trx);
        await trx.schema
          .createTable('bytedrop_owner_totals')
          .addColumn('owner', 'text', (c) => c.primaryKey())
          .addColumn('files', 'bigint', (c) => c.notNull())
          .addColumn('bytes', 'bigint', (c) => c.notNull())
          .execute();
        for (const statement of dialect === 'postgres' ? POSTGRES : SQLITE)
          await sql.raw(statement).execute(trx);
        await sql`insert into bytedrop_owner_totals (owner, files, bytes)
          select coalesce(owner, ''), count(*), coalesce(sum(size), 0) from bytedrop_files
          group by coalesce(owner, '')`.execute(trx);
      }),
  };
}

/**
 * The count and bytes of one owner's files, or everyone's, from the counters.
 *
 * @example
 * ```ts
 * const { count, bytes } = await ownerTotals(db, 'alice');
 * ```
 */
export async function ownerTotals(
  db: Kysely<CatalogDatabase>,
  owner: string | undefined,
): Promise<{ count: number; bytes: number }> {
  const row = await db
    .selectFrom('bytedrop_owner_totals')
    .select((eb) => [
      eb.fn.sum<number | string | null>('files').as('count'),
      eb.fn.sum<number | string | null>('bytes').as('bytes'),
    ])
    .$if(owner !== undefined, (q) => q.where('owner', '=', owner!))
    .executeTakeFirstOrThrow();
  return { count: Number(row.count ?? 0), bytes: Number(row.bytes ?? 0) };
}
