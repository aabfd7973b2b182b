/**
 * The catalog over Kysely: one typed query layer for SQLite and PostgreSQL (why Kysely: the README's "File catalog
 * and API"). The drivers (`sqlite.ts`, `postgres.ts`) only build the dialect.
 */
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import { durably } from './_durably';
import { migrate } from './_migrations';
import { type CatalogDatabase, type FilesTable, toRecord, toRow } from './_schema';
import { ensureTrigramIndex, nameContains, trigramsPay } from './_search';
import { catalogStats } from './_stats';
import { ownerTotals } from './_totals';
import { createKeyStore } from './keys';
import type { Catalog, FilePage, FileQuery, FileRecord, PagePosition, Usage } from './types';
import { createUploadStore } from './uploads';

type Where = ExpressionBuilder<CatalogDatabase, 'bytedrop_files'>;

/** Rows per INSERT in `recordMany`: under SQLite's 32766 bound parameters and PostgreSQL's 65535 (11 per row). */
const BATCH = 500;
/** Rows one `recordMany` must add before PostgreSQL's statistics are gathered again. */
const ANALYZE_AFTER = 1000;

/** Whether the query narrows more than by owner (the totals must then be counted, not read from the counters). */
function narrowed(query: FileQuery): boolean {
  return Boolean(query.prefix || query.q || query.type || query.from || query.to);
}

/** The query's filters as one condition (the cursor's position is added by `list`). */
function filters(query: FileQuery, dialect: Catalog['dialect'], indexed: boolean) {
  return (eb: Where) => {
    const all = [];
    if (query.owner !== undefined) all.push(eb('owner', '=', query.owner));
    if (query.prefix) {
      // substr, not LIKE: SQLite's LIKE ignores ASCII case, and a folder is case-sensitive.
      all.push(
        eb(eb.fn('substr', ['key', sql.lit(1), sql.lit([...query.prefix].length)]), '=', query.prefix),
      );
    }
    if (query.q) all.push(nameContains(dialect, query.q, indexed));
    if (query.type?.endsWith('/*')) {
      const family = query.type.slice(0, -1);
      all.push(
        dialect === 'postgres'
          ? // A prefix LIKE, which PostgreSQL's statistics estimate (about half the rows for image/*), so it walks the
            // (owner, created_at) index and stops at the page; it guessed a substr() matched a handful of rows and
            // sorted every one of the owner's instead (12 ms against 1 ms at 100,000 files).
            sql<boolean>`content_type LIKE ${`${family.replace(/[\\%_]/g, '\\$&')}%`} ESCAPE '\\'`
          : eb(eb.fn('substr', ['content_type', sql.lit(1), sql.lit(family.length)]), '=', family),
      );
    } else if (query.type) {
      all.push(eb('content_type', '=', query.type));
    }
    if (query.from) all.push(eb('created_at', '>=', query.from.getTime()));
    if (query.to) all.push(eb('created_at', '<', query.to.getTime()));
    return eb.and(all);
  };
}

/** What the catalog reports while it starts: a slower path it must take (PostgreSQL without pg_trgm). */
export type CatalogWarn = (message: string, reason: string) => void;

/**
 * A catalog over a Kysely instance of either dialect; runs the migrations first.
 *
 * @example
 * ```ts
 * const catalog = await createKyselyCatalog(new Kysely({ dialect: new SqliteDialect({ database }) }), 'sqlite');
 * ```
 */
export async function createKyselyCatalog(
  db: Kysely<CatalogDatabase>,
  dialect: Catalog['dialect'],
  warn: CatalogWarn = () => {},
): Promise<Catalog> {
  await migrate(db as Kysely<unknown>, dialect);
  if (dialect === 'postgres') await ensureTrigramIndex(db as Kysely<unknown>, warn);
  const files = () => db.selectFrom('bytedrop_files');

  const list = async (query: FileQuery, page: { limit: number; after?: PagePosition }): Promise<FilePage> => {
    const indexed =
      dialect === 'sqlite' && query.q
        ? await trigramsPay(db as Kysely<unknown>, query.q, (await ownerTotals(db, query.owner)).count)
        : false;
    const where = filters(query, dialect, indexed);
    const { after } = page;
    const [rows, totals] = await Promise.all([
      files()
        .selectAll()
        .where(where)
        // A row comparison, not `created_at < t OR (created_at = t AND key < k)`: the index seeks to the cursor
        // instead of reading (PostgreSQL: fetching from the table) every row of the pages before it.
        .$if(after !== undefined, (q) =>
          q.where((eb) => eb(eb.refTuple('created_at', 'key'), '<', eb.tuple(after!.createdAt, after!.key))),
        )
        .orderBy('created_at', 'desc')
        .orderBy('key', 'desc')
        // One more than asked: whether a next page exists, without a second query.
        .limit(page.limit + 1)
        .execute(),
      // An owner named '' shares the counters' row of files without an owner: counted instead.
      narrowed(query) || query.owner === ''
        ? files()
            .select((eb) => [
              eb.fn.countAll().as('count'),
              eb.fn.sum<number | string | null>('size').as('bytes'),
            ])
            .where(where)
            .executeTakeFirstOrThrow()
        : ownerTotals(db, query.owner),
    ]);
    const records = rows.slice(0, page.limit).map((row) => toRecord(row as FilesTable));
    const last = records.at(-1);
    return {
      files: records,
      ...(rows.length > page.limit && last
        ? { next: { createdAt: last.createdAt.getTime(), key: last.key } }
        : {}),
      total: { count: Number(totals.count), bytes: Number(totals.bytes ?? 0) },
    };
  };

  // The files and bytes from the owners' counters, and only the uploads since `since` counted: a quota check (every
  // upload of a key with a quota, `since` now) read all of the owner's files before (SUM over 10,000 rows).
  const usage = async (owner: string | undefined, since: Date): Promise<Usage> => {
    // An owner named '' shares the counters' row of files without an owner: counted instead.
    const counted = owner === '';
    const [totals, recent] = await Promise.all([
      counted ? undefined : ownerTotals(db, owner),
      files()
        .select((eb) => [
          eb.fn.countAll().as('files'),
          eb.fn.sum<number | string | null>('size').as('bytes'),
          eb.fn
            .sum<number | string | null>(
              eb.case().when('created_at', '>=', since.getTime()).then(1).else(0).end(),
            )
            .as('recent'),
        ])
        .$if(owner !== undefined, (q) => q.where('owner', '=', owner!))
        // The (owner, created_at) and (created_at) indexes: only the recent rows are read.
        .$if(!counted, (q) => q.where('created_at', '>=', since.getTime()))
        .executeTakeFirstOrThrow(),
    ]);
    return {
      files: totals ? totals.count : Number(recent.files),
      bytes: totals ? totals.bytes : Number(recent.bytes ?? 0),
      uploadsSince: Number(recent.recent ?? 0),
    };
  };

  return {
    dialect,
    async record(file) {
      const result = await db
        .insertInto('bytedrop_files')
        .values(toRow(file))
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async recordMany(records) {
      if (records.length === 0) return 0;
      const insert = async (from: Kysely<CatalogDatabase>, at: number) => {
        const result = await from
          .insertInto('bytedrop_files')
          .values(records.slice(at, at + BATCH).map(toRow))
          .onConflict((oc) => oc.column('key').doNothing())
          .executeTakeFirst();
        return Number(result.numInsertedOrUpdatedRows ?? 0);
      };
      // One statement is atomic with its triggers' counters already: an upload's records (one batch) need no
      // BEGIN and COMMIT around it, two queries (PostgreSQL: round trips) of the three.
      const added =
        records.length <= BATCH
          ? await insert(db, 0)
          : await db.transaction().execute(async (trx) => {
              let added = 0;
              for (let i = 0; i < records.length; i += BATCH) added += await insert(trx, i);
              return added;
            });
      // A bulk load (`catalog rebuild`) leaves PostgreSQL without statistics until autovacuum comes by; its planner
      // then misjudges every filtered listing. Gathered now, for the rows just written; the rows are in either way, so a
      // refusal (a role that does not own the table) only leaves it to autovacuum.
      if (dialect === 'postgres' && added >= ANALYZE_AFTER) {
        await sql`ANALYZE bytedrop_files`.execute(db).catch(() => undefined);
      }
      return added;
    },
    async get(key) {
      const row = await files().selectAll().where('key', '=', key).executeTakeFirst();
      return row ? toRecord(row as FilesTable) : undefined;
    },
    async getMany(keys) {
      const found: FileRecord[] = [];
      for (let i = 0; i < keys.length; i += BATCH) {
        const rows = await files()
          .selectAll()
          .where('key', 'in', keys.slice(i, i + BATCH))
          .execute();
        for (const row of rows) found.push(toRecord(row as FilesTable));
      }
      return found;
    },
    async remove(key) {
      const result = await db.deleteFrom('bytedrop_files').where('key', '=', key).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async removeMany(keys) {
      if (keys.length === 0) return 0;
      return db.transaction().execute(async (trx) => {
        let removed = 0;
        for (let i = 0; i < keys.length; i += BATCH) {
          const result = await trx
            .deleteFrom('bytedrop_files')
            .where('key', 'in', keys.slice(i, i + BATCH))
            .executeTakeFirst();
          removed += Number(result.numDeletedRows);
        }
        return removed;
      });
    },
    async keys() {
      const rows = await files().select('key').execute();
      return rows.map((row) => row.key);
    },
    list,
    usage,
    accessKeys: createKeyStore(db, (work) => durably(db, dialect, work)),
    uploads: createUploadStore(db),
    stats: (window) => catalogStats(db, window),
    close: () => db.destroy(),
  };
}
