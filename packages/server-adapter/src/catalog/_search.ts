/**
 * Name search (`q`): a case-insensitive substring of the original filename, with `%`, `_` and `\` plain characters.
 * Every row keeps its name lower-cased in `name_search` (`searchName`, written by `toRow`), and a trigram index over
 * it finds the matches without reading every row: SQLite's FTS5 `trigram` tokenizer (an external-content table over
 * `bytedrop_files`, kept in step by triggers), PostgreSQL's `pg_trgm` GIN index. A query of fewer than three
 * characters has no trigram, and one that most names match is cheaper to answer by reading the names (`trigramsPay`):
 * both read the names, as every query did before.
 *
 * PostgreSQL lets only some roles run CREATE EXTENSION. Without pg_trgm the catalog still starts and searches (by
 * reading every name), warns once at each start with the statement to run, and adds the index at the first start
 * after someone did.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { searchName } from './_schema';
import { transactional } from './_transactional';
import type { Catalog } from './types';

/** A trigram is three characters: shorter queries cannot use the index. */
const TRIGRAM = 3;
/** Rows per UPDATE when the migration fills `name_search` in. */
const BACKFILL_BATCH = 1000;
const TRGM_INDEX = 'bytedrop_files_name_trgm';

/** `%` and `_` are LIKE wildcards; the escape character itself must be doubled too. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** An FTS5 string (a phrase: the trigrams in a row, which is a substring): double quotes doubled, nothing else special. */
function phrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * SQLite: whether the FTS5 table should answer `q` among `scope` files (the owner's, or everyone's). Its matches are
 * looked up row by row, so a substring most names share (`png`) costs more through the index than reading the names
 * of the scope (100,000 matches: 150 ms against 33 ms); counting the matches, stopped at half the scope, tells
 * cheaply (counting reads only the index, about a tenth of the lookups' cost).
 *
 * @example
 * ```ts
 * const indexed = await trigramsPay(db, 'holiday', 10_000); // true: 103 matches
 * ```
 */
export async function trigramsPay(db: Kysely<unknown>, q: string, scope: number): Promise<boolean> {
  const name = searchName(q);
  if ([...name].length < TRIGRAM) return false;
  const enough = Math.ceil(scope / 2);
  const { rows } = await sql<{ matches: number }>`select count(*) as matches from (select 1
    from bytedrop_files_search where bytedrop_files_search match ${phrase(name)} limit ${enough})`.execute(
    db,
  );
  return Number(rows[0]?.matches) < enough;
}

/**
 * The condition "the name contains `q`" in `dialect`; `indexed` (SQLite): from the FTS5 table (`trigramsPay`).
 *
 * @example
 * ```ts
 * db.selectFrom('bytedrop_files').selectAll().where(nameContains('sqlite', 'holiday', true));
 * ```
 */
export function nameContains(dialect: Catalog['dialect'], q: string, indexed: boolean): RawBuilder<boolean> {
  const name = searchName(q);
  // pg_trgm answers LIKE from the index and rechecks each candidate; its planner knows when to read the rows instead.
  if (dialect === 'postgres') return sql<boolean>`name_search like ${`%${likeEscape(name)}%`} escape '\\'`;
  const contains = sql<boolean>`instr(name_search, ${name}) > 0`;
  if (!indexed) return contains;
  // The phrase is exact already; `instr` again costs nothing per match and keeps a stale index entry out.
  return sql<boolean>`rowid in (select rowid from bytedrop_files_search where bytedrop_files_search match ${phrase(name)}) and ${contains}`;
}

/** Fills `name_search` in for the rows written before it existed, in key order, a batch per statement. */
async function backfill(db: Kysely<unknown>): Promise<void> {
  let after = '';
  for (;;) {
    const { rows } = await sql<{ key: string; filename: string }>`
      select key, filename from bytedrop_files where key > ${after} order by key limit ${BACKFILL_BATCH}`.execute(
      db,
    );
    if (rows.length === 0) return;
    const values = sql.join(rows.map((row) => sql`(${row.key}, ${searchName(row.filename)})`));
    await sql`update bytedrop_files set name_search = v.column2 from (values ${values}) as v
      where bytedrop_files.key = v.column1`.execute(db);
    after = rows.at(-1)!.key;
  }
}

const SQLITE_INDEX = [
  `create virtual table bytedrop_files_search using fts5(
     name_search, content = 'bytedrop_files', tokenize = 'trigram case_sensitive 1')`,
  // External content: the index holds only trigrams, so every write to a name must be mirrored, the old value too.
  `create trigger bytedrop_files_search_insert after insert on bytedrop_files begin
     insert into bytedrop_files_search (rowid, name_search) values (new.rowid, new.name_search);
   end`,
  `create trigger bytedrop_files_search_delete after delete on bytedrop_files begin
     insert into bytedrop_files_search (bytedrop_files_search, rowid, name_search)
       values ('delete', old.rowid, old.name_search);
   end`,
  `create trigger bytedrop_files_search_update after update of name_search on bytedrop_files begin
     insert into bytedrop_files_search (bytedrop_files_search, rowid, name_search)
       values ('delete', old.rowid, old.name_search);
     insert into bytedrop_files_search (rowid, name_search) values (new.rowid, new.name_search);
   end`,
  // The rows already there (an upgraded catalog), read from the content table.
  `insert into bytedrop_files_search (bytedrop_files_search) values ('rebuild')`,
];

/** Why PostgreSQL refused pg_trgm or its index, or undefined once the index exists. */
async function createTrigramIndex(db: Kysely<unknown>): Promise<string | undefined> {
  // Inside the migrator's transaction a failed statement would abort everything after it: a savepoint contains it.
  const contained = db.isTransaction;
  if (contained) await sql`savepoint bytedrop_trgm`.execute(db);
  try {
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`create index if not exists ${sql.id(TRGM_INDEX)} on bytedrop_files
      using gin (name_search gin_trgm_ops)`.execute(db);
    if (contained) await sql`release savepoint bytedrop_trgm`.execute(db);
    return undefined;
  } catch (error) {
    if (contained) await sql`rollback to savepoint bytedrop_trgm`.execute(db);
    // Another instance starting at the same time may have made it.
    return (await hasTrigramIndex(db)) ? undefined : (error as Error).message;
  }
}

async function hasTrigramIndex(db: Kysely<unknown>): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select to_regclass(${TRGM_INDEX}) is not null as found`.execute(db);
  return rows[0]?.found === true;
}

/**
 * Migration 0005: the lower-cased name of every row, and its trigram index.
 *
 * @example
 * ```ts
 * const migrations = { '0005_name_search': nameSearchMigration('sqlite') };
 * ```
 */
export function nameSearchMigration(dialect: Catalog['dialect']): Migration {
  return {
    up: (db) =>
      transactional(db, async (trx) => {
        await trx.schema.alterTable('bytedrop_files').addColumn('name_search', 'text').execute();
        await backfill(trx);
        if (dialect === 'postgres') {
          // Refused: `ensureTrigramIndex` says so at start and adds it once the extension is there.
          await createTrigramIndex(trx);
          return;
        }
        for (const statement of SQLITE_INDEX) await sql.raw(statement).execute(trx);
      }),
  };
}

/**
 * PostgreSQL, at every start: the trigram index, when it is missing and can be made now; else one warning naming the
 * statement an administrator runs. Search works either way.
 *
 * @example
 * ```ts
 * await ensureTrigramIndex(db, (message, reason) => logger.warn({ reason }, message));
 * ```
 */
export async function ensureTrigramIndex(
  db: Kysely<unknown>,
  warn: (message: string, reason: string) => void,
): Promise<void> {
  if (await hasTrigramIndex(db)) return;
  const refused = await createTrigramIndex(db);
  if (refused === undefined) return;
  const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(db);
  warn(
    `catalog: name search (q) reads every file's name because the pg_trgm extension is missing and this role may not create it: run \`CREATE EXTENSION pg_trgm;\` as a superuser in database "${rows[0]?.name}" (if PostgreSQL says it is not available, install its contrib modules first), then restart the server, which adds the index itself`,
    refused,
  );
}
