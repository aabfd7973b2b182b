import { createRequire } from 'node:module';
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

const requireAtBuild = createRequire(import.meta.url);

/**
 * ESM-only dependencies imported by their default export. A CommonJS file `require`s an ES module as its namespace
 * object, but esbuild's Node-mode interop (our sources are `type: module`) takes that whole namespace as the default
 * export, so `mime.getType` is undefined (`import_lite.default.getType is not a function`). The CommonJS build
 * therefore bundles them; the ESM build keeps them external, so apps share one copy.
 */
const BUNDLED_IN_CJS = [/^mime(\/|$)/];

/**
 * Bundled into the Node builds (ESM and CommonJS), for import time: image-size is 26 small ES modules (one per image
 * type), whose resolving and loading was a third of what `import '@bytedrop/core'` took; ms and fastest-levenshtein
 * are CommonJS, which an ES module loads through Node's CommonJS loader and export scanner (the first such file costs
 * several ms). Bundled, they are part of core's own module. None keeps state, so an app's own copy beside core's
 * costs only bytes. The browser build keeps them external, for the app's bundler.
 */
const BUNDLED_IN_NODE = [/^image-size$/, /^ms$/, /^fastest-levenshtein$/];

const externalInEsm: Plugin = {
  name: 'external-in-esm',
  setup(build) {
    if (build.initialOptions.format !== 'esm') return;
    for (const filter of BUNDLED_IN_CJS)
      build.onResolve({ filter }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * Node builds load the AWS SDK on first use (`_load.lazy.ts`), so that importing core does not evaluate it; the
 * source's `_load.ts` imports it statically, which bundlers tree-shake (the browser build, Obsidian).
 */
const lazySdk: Plugin = {
  name: 'lazy-sdk',
  setup(build) {
    build.onResolve({ filter: /\/_load$/ }, (args) => ({
      path: `${args.resolveDir}/${args.path.replace(/_load$/, '_load.lazy.ts')}`,
    }));
  },
};

/**
 * The CLI `require`s the AWS SDK instead of `import`ing it. Its packages are CommonJS (`main` is `dist-cjs/index.js`,
 * one bundled file each, and there is no `exports` map), so both ways load the same files and module instances; but
 * an `import` of a CommonJS file makes Node scan its whole source for export names first (cjs-module-lexer, over
 * client-s3's 268 kB and the files it re-exports), which cost about 300 ms of CPU in every `bytedrop upload` (990 →
 * 680 ms for a 10 KiB file). Only the CLI: an app that bundles core's library builds needs its bundler to see the
 * SDK, and bundlers follow an `import()`, not a `createRequire`.
 */
const SDK_PACKAGES = /^@aws-sdk\/(client-s3|lib-storage|s3-request-presigner)$/;
const sdkThroughRequire: Plugin = {
  name: 'sdk-through-require',
  setup(build) {
    build.onResolve({ filter: SDK_PACKAGES }, (args) => ({
      path: args.path,
      namespace: 'sdk-through-require',
    }));
    build.onLoad({ filter: /.*/, namespace: 'sdk-through-require' }, (args) => {
      // Named exports, listed from the package itself at build time: esbuild cannot see through a runtime require.
      const names = Object.keys(requireAtBuild(args.path)).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
      return {
        contents: [
          `import { createRequire } from 'node:module';`,
          `const sdk = createRequire(import.meta.url)(${JSON.stringify(args.path)});`,
          `export const { ${names.join(', ')} } = sdk;`,
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' },
    format: ['esm', 'cjs'],
    // `pnpm start` only runs the server, so it skips type declarations, the slow half of the build.
    dts: process.env.BYTEDROP_SKIP_DTS !== '1',
    sourcemap: true,
    clean: true,
    target: 'node20',
    noExternal: [...BUNDLED_IN_CJS, ...BUNDLED_IN_NODE],
    // An optional dependency, imported only when conversion is on.
    external: ['sharp'],
    esbuildPlugins: [externalInEsm, lazySdk],
  },
  {
    // What browsers get (package.json `browser` condition): the SDK imported statically, for their bundlers to
    // tree-shake. Its types are the main entry's.
    entry: { 'browser/index': 'src/index.ts' },
    format: ['esm'],
    platform: 'browser',
    sourcemap: true,
    target: 'es2022',
    esbuildPlugins: [externalInEsm],
  },
  {
    // The CLI is ESM only; bin/bytedrop.js (the package's `bin`) loads it.
    entry: { 'node/cli': 'src/node/cli.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    noExternal: [...BUNDLED_IN_NODE, SDK_PACKAGES],
    external: ['sharp'],
    banner: { js: '#!/usr/bin/env node' },
    esbuildPlugins: [lazySdk, sdkThroughRequire],
  },
]);
