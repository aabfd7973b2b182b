/**
 * The shared catalog: PostgreSQL through `pg`, for several server instances behind a load balancer. Connections
 * fail fast (an outage answers 503 within seconds instead of holding uploads), and the migrator's advisory lock
 * lets instances start together.
 */

import { BytedropError } from '@bytedrop/core';
import type { Logger } from '../types';
import { loadKysely } from './_load-kysely';
import type { CatalogDatabase } from './_schema';
import type { Catalog } from './types';

/** Options of `createPostgresCatalog`. */
export interface PostgresCatalogOptions {
  /** `postgres://user:password@host:5432/database` (`DATABASE_URL`). */
  url: string;
  /** Most connections this instance opens (default 10). */
  maxConnections?: number;
  /** How long to wait for a connection or a statement before the request gets 503 (default 5000 ms). */
  timeoutMs?: number;
  /**
   * Where start-up warnings go (a missing pg_trgm extension: name search then reads every row); default
   * `process.emitWarning`.
   */
  logger?: Pick<Logger, 'warn'>;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

/**
 * Connects to PostgreSQL and brings the catalog to the latest migration.
 *
 * @example
 * ```ts
 * import { createPostgresCatalog } from '@bytedrop/server/node';
 * const catalog = await createPostgresCatalog({ url: process.env.DATABASE_URL! });
 * ```
 */
export async function createPostgresCatalog(options: PostgresCatalogOptions): Promise<Catalog> {
  if (!/^postgres(ql)?:\/\//.test(options.url)) {
    throw new BytedropError(
      'ERR_CONFIG',
      `DATABASE_URL '${redactUrl(options.url)}' is not a PostgreSQL URL: write postgres://user:password@host:5432/database`,
    );
  }
  // pg, Kysely and the catalog's queries load with the first catalog, not with `@bytedrop/server/node`. Kysely
  // first, then the queries (`loadKysely`).
  const [{ default: pg }, { Kysely, PostgresDialect, createKyselyCatalog }] = await Promise.all([
    import('pg'),
    loadKysely(),
  ]);
  const timeoutMs = options.timeoutMs ?? 5000;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  // An idle connection that the server drops (a restart) is an event, not an uncaught exception.
  pool.on('error', () => {});
  // The same bound on the server: a statement the client gave up on (an INSERT behind someone's lock) would otherwise
  // go on waiting in PostgreSQL, holding its pool connection, and commit later behind the 503 its request got. Set
  // on each new connection, ahead of its first query, rather than as pg's `statement_timeout` option: that one is a
  // startup parameter, which PgBouncer and the poolers built on it refuse, and the catalog would not start behind them.
  // Where the SET itself is refused, the client's `query_timeout` still bounds every wait.
  pool.on('connect', (client) => {
    client.query(`SET statement_timeout = ${Math.ceil(timeoutMs)}`).catch(() => {});
  });
  const db = new Kysely<CatalogDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    return await createKyselyCatalog(db, 'postgres', (message, reason) => {
      if (options.logger) options.logger.warn({ code: 'ERR_CATALOG_NO_TRIGRAM', reason }, message);
      else process.emitWarning(`${message} (${reason})`, { code: 'ERR_CATALOG_NO_TRIGRAM' });
    });
  } catch (error) {
    await db.destroy();
    throw new BytedropError(
      'ERR_NETWORK',
      `the catalog at ${redactUrl(options.url)} is not usable (${(error as Error).message}): check DATABASE_URL and that PostgreSQL is running`,
      { cause: error },
    );
  }
}
