import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const core = fileURLToPath(new URL('./src/', import.meta.url));

export default defineProject({
  // Tests that run the real server from source load its upload page as its build does: HTML inlined as text.
  plugins: [
    {
      name: 'html-as-text',
      enforce: 'pre',
      transform(code, id) {
        if (id.endsWith('.html')) return { code: `export default ${JSON.stringify(code)};`, map: null };
      },
    },
  ],
  resolve: {
    // Tests that run a real @bytedrop/server (imported from its source) get core's source too, not a stale dist.
    alias: [
      { find: '@bytedrop/core/node', replacement: `${core}node/index.ts` },
      { find: '@bytedrop/core', replacement: `${core}index.ts` },
    ],
  },
  test: {
    name: 'core',
    include: ['test/**/*.test.ts'],
    // Type tests (`*.test-d.ts`): tsc checks them, so a type that accepts a misspelt config field fails the run.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    globalSetup: ['test/_setup/global.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
