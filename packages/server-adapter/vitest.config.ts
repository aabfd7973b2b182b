import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { bundlePage } from './page-bundle.ts';

const core = fileURLToPath(new URL('../core/src/', import.meta.url));

export default defineProject({
  // The page is one static HTML file; tsup inlines it as text with its script bundled, so the tests load it the same way.
  plugins: [
    {
      name: 'html-as-text',
      enforce: 'pre',
      async transform(code, id) {
        if (!id.endsWith('.html')) return;
        return { code: `export default ${JSON.stringify(await bundlePage(code, id))};`, map: null };
      },
    },
  ],
  resolve: {
    // Test against core's source so no build is needed and nothing races on dist (`/node` first: prefix match).
    alias: [
      { find: '@bytedrop/core/node', replacement: `${core}node/index.ts` },
      { find: '@bytedrop/core', replacement: `${core}index.ts` },
    ],
  },
  test: {
    name: 'server',
    include: ['test/**/*.test.ts'],
    globalSetup: ['../core/test/_setup/global.ts', './test/_setup/postgres.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Browser tests poll the page for a state it reaches on its own; a loaded CI machine may take seconds to get there.
    expect: { poll: { timeout: 15_000 } },
  },
});
