import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadedModules } from '../../core/test/_support/loaded-modules';

const dist = (path: string) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));

// Every server start, and every test that spawns the bin, pays its imports. What only some deployments use (pretty
// logs, log files, Prometheus, Redis, PostgreSQL, JWTs) and what only a first request or a catalog needs (the AWS
// SDK, the multipart parser, hash-wasm's WebAssembly, Kysely and the SQLite driver, srvx) load when used.
const LAZY =
  /node_modules\/(@aws-sdk|@smithy|pino|pino-pretty|pino-roll|prom-client|ioredis|pg|kysely|better-sqlite3|busboy|hash-wasm|jose|srvx|rate-limiter-flexible)\//;
const lazyIn = (loaded: string[]) => [...new Set(loaded.filter((path) => LAZY.test(path)))];

describe('importing the server loads only what every server uses', () => {
  it.each(['index.js', 'index.cjs', 'node.js', 'node.cjs'])('dist/%s', async (entry) => {
    const loaded = await loadedModules(dist(entry));
    expect(lazyIn(loaded)).toEqual([]);
    // Proves the probe sees what an import loads, external and bundled: valibot (an ES module every route's
    // parameters use) and image-size (bundled into core's own module) are there.
    expect(loaded.some((path) => path.includes('node_modules/valibot/'))).toBe(true);
    expect(loaded.some((path) => path.includes('node_modules/image-size/'))).toBe(true);
  });

  it.each(['node.js', 'node.cjs'])(
    'dist/%s: Kysely and the SQLite driver load with the first catalog',
    async (entry) => {
      const loaded = await loadedModules(
        dist(entry),
        "const catalog = await entry.createSqliteCatalog({ file: ':memory:' }); await catalog.close();",
      );
      expect(lazyIn(loaded)).toEqual(
        expect.arrayContaining([
          expect.stringContaining('node_modules/kysely/'),
          expect.stringContaining('node_modules/better-sqlite3/'),
        ]),
      );
    },
  );
});
