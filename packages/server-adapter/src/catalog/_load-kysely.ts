/**
 * Internal: Kysely and the catalog's queries, loaded with the first catalog. One after the other, never at once: in
 * the CommonJS build the queries `require('kysely')`, and Node 22+ refuses a `require()` of an ES module that an
 * `import()` is still loading (ERR_REQUIRE_ESM_RACE_CONDITION). Once Kysely is loaded, the require finds it ready.
 */
export async function loadKysely() {
  const kysely = await import('kysely');
  const { createKyselyCatalog } = await import('./_kysely-catalog');
  return {
    Kysely: kysely.Kysely,
    SqliteDialect: kysely.SqliteDialect,
    PostgresDialect: kysely.PostgresDialect,
    createKyselyCatalog,
  };
}
