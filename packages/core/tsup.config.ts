import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' },
    format: ['esm', 'cjs'],
    // `pnpm start` only runs the server, so it skips type declarations, the slow half of the build.
    dts: process.env.BYTEDROP_SKIP_DTS !== '1',
    sourcemap: true,
    clean: true,
    target: 'node20',
  },
  {
    // The CLI is ESM only; it is a leaf that nothing imports.
    entry: { 'node/cli': 'src/node/cli.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
