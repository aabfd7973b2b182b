import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';
import { pagePlugin } from './page-bundle';

// The page is inlined as a string so the handler works where there is no file system (edge runtimes); its script is
// bundled with tus-js-client first (page-bundle.ts).
const esbuildPlugins = [pagePlugin];

/**
 * Dependencies bundled for start-up time (none keeps state an app shares with the server). standardwebhooks and
 * ipaddr.js are CommonJS, which an ES module loads through Node's CommonJS loader and export scanner, file by file:
 * these five files cost the main entry more than the handler's own code. Kysely ships as some 260 ES modules, whose
 * resolving and loading took most of a SQLite catalog's start; bundled, the catalog's chunk (loaded with the first
 * catalog, `catalog/sqlite.ts`) holds the part of it the catalog uses.
 */
const noExternal = ['standardwebhooks', 'ipaddr.js', /^kysely(\/|$)/];

/**
 * The CommonJS build has no chunks: Kysely bundled there would sit in `node.cjs` (a megabyte that every `require`
 * reads and every `import` from an ES module scans for exports) even though it runs only with a catalog. There it
 * stays a `require` made with the first catalog.
 */
const kyselyExternalInCjs: Plugin = {
  name: 'kysely-external-in-cjs',
  setup(build) {
    if (build.initialOptions.format !== 'cjs') return;
    build.onResolve({ filter: /^kysely(\/|$)/ }, (args) => ({ path: args.path, external: true }));
  },
};

export default defineConfig([
  {
    // ESM + CJS for both entries. srvx ships ESM only: the CJS build `require`s it, which Node >= 20.19 allows.
    entry: { index: 'src/index.ts', node: 'src/node.ts' },
    format: ['esm', 'cjs'],
    // `pnpm start` only runs the server, so it skips type declarations, the slow half of the build.
    // The declarations see core as a user does, through its built .d.ts (`pnpm -r build` builds core first), not
    // through tsconfig's paths to core's source: core's source is type-checked by core's own build, and checking it
    // again here took a third of the server's build.
    dts: process.env.BYTEDROP_SKIP_DTS !== '1' && { compilerOptions: { paths: {} } },
    sourcemap: true,
    clean: true,
    target: 'node20',
    esbuildPlugins: [...esbuildPlugins, kyselyExternalInCjs],
    noExternal,
    // `import.meta.url` in the CommonJS build (`_node-require.ts`).
    shims: true,
  },
  {
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    esbuildPlugins,
    noExternal,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
