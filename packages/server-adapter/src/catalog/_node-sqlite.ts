/**
 * Node's own SQLite (`node:sqlite`, Node 22.13+ and 24) shaped as the better-sqlite3 database Kysely's SqliteDialect
 * drives. It needs no native build, so the catalog opens on a Node for which better-sqlite3 was not compiled (the
 * module is built for the Node that ran `pnpm install`; another Node's ABI refuses it).
 */
import type { SqliteDatabase, SqliteStatement } from 'kysely';

type Parameters = ReadonlyArray<unknown>;

/**
 * `node:sqlite`, or undefined on a Node without it. Asked of `process.getBuiltinModule` rather than imported: bundlers
 * that do not know this prefix-only module rewrite `import('node:sqlite')` to `import('sqlite')`, which fails.
 */
function nodeSqlite(): typeof import('node:sqlite') | undefined {
  return process.getBuiltinModule?.('node:sqlite') as typeof import('node:sqlite') | undefined;
}

/** Whether this Node has `node:sqlite`. */
export function nodeSqliteAvailable(): boolean {
  return nodeSqlite() !== undefined;
}

/** Opens `file` with `node:sqlite`; `pragmas` run first (journal mode, busy timeout). */
export function openNodeSqlite(file: string, pragmas: readonly string[]): SqliteDatabase {
  const sqlite = nodeSqlite();
  if (!sqlite) throw new Error('this Node has no node:sqlite');
  const { DatabaseSync } = sqlite;
  const database = new DatabaseSync(file);
  for (const pragma of pragmas) database.exec(`PRAGMA ${pragma}`);
  return {
    close: () => database.close(),
    prepare(sql): SqliteStatement {
      const statement = database.prepare(sql);
      // better-sqlite3's `reader`: the statement returns rows.
      const reader = statement.columns().length > 0;
      const bind = (parameters: Parameters) => parameters as never[];
      return {
        reader,
        all: (parameters: Parameters) => statement.all(...bind(parameters)),
        run: (parameters: Parameters) => statement.run(...bind(parameters)),
        iterate: (parameters: Parameters) => statement.iterate(...bind(parameters)),
      };
    },
  };
}
