import { defineConfig } from 'tsup';
import { pagePlugin } from './page-bundle';

// The page is inlined as a string so the handler works where there is no file system (edge runtimes); its script is
// bundled with tus-js-client first (page-bundle.ts).
const esbuildPlugins = [pagePlugin];

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
    esbuildPlugins,
    // `import.meta.url` in the CommonJS build (`_node-require.ts`).
    shims: true,
  },
  {
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    esbuildPlugins,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
