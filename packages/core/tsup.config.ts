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
 * The CLI's build bundles its dependencies (the AWS SDK, file-type, cacache, ...) instead of loading them from
 * node_modules: a `bytedrop upload` loaded some 300 files of the SDK, each resolved, read and compiled apart, which was
 * most of the process's time (bench section 10). Minified, the whole CLI is about 1.2 MB of JavaScript in a few dozen
 * files. The library builds keep the SDK external, so that apps share one copy. The SDK's CommonJS files `require`
 * Node's builtins, which an ES module bundle can only do through a `require` of its own (the banner's).
 */
const CLI_BANNER = [
  '#!/usr/bin/env node',
  "import { createRequire as __bytedropCreateRequire } from 'node:module';",
  'const require = __bytedropCreateRequire(import.meta.url);',
].join('\n');

/**
 * The CLI `require`s node:http and node:https, which the SDK `import`s (its request handler's `await import('http')`).
 * An `import` of a builtin makes Node build an ES module facade over all of its exports, reading each; on Node 22+
 * http's WebSocket and friends are getters that load undici (fetch's HTTP client) to answer, which cost every
 * `bytedrop upload` there some 20 ms of CPU for a module it never used. Named exports: the builtin's plain values,
 * listed at build time (a getter stays reachable through the default export).
 */
const HTTP_BUILTINS = /^(node:)?https?$/;
const httpThroughRequire: Plugin = {
  name: 'http-through-require',
  setup(build) {
    build.onResolve({ filter: HTTP_BUILTINS }, (args) => ({
      path: `node:${args.path.replace(/^node:/, '')}`,
      namespace: 'http-through-require',
    }));
    build.onLoad({ filter: /.*/, namespace: 'http-through-require' }, (args) => {
      const descriptors = Object.getOwnPropertyDescriptors(requireAtBuild(args.path));
      const names = Object.keys(descriptors).filter(
        (name) => 'value' in descriptors[name]! && /^[A-Za-z_$][\w$]*$/.test(name),
      );
      return {
        contents: [
          // Not `require(…)`: esbuild would resolve that through this plugin again, to this module itself.
          "import { createRequire } from 'node:module';",
          `const builtin = createRequire(import.meta.url)(${JSON.stringify(args.path)});`,
          'export default builtin;',
          `export const { ${names.join(', ')} } = builtin;`,
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
    minify: true,
    // Core names the request behind an error from its command's class (`PutObjectCommand` → "PutObject"), and the
    // SDK's classes keep their names for anyone else who reads them.
    keepNames: true,
    // Every package but sharp, an optional dependency the user installs (and a native one).
    noExternal: [/^(?!sharp$)/],
    external: ['sharp'],
    banner: { js: CLI_BANNER },
    // tsup would turn `node:http` into an external `http` before httpThroughRequire sees it.
    removeNodeProtocol: false,
    esbuildPlugins: [lazySdk, httpThroughRequire],
  },
]);
