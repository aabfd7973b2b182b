import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineProject({
  // The server-target test runs the real @bytedrop/server from source; its upload page is an HTML file that its
  // build inlines as text, so load it the same way.
  plugins: [
    {
      name: 'html-as-text',
      enforce: 'pre',
      transform(code, id) {
        if (id.endsWith('.html')) return { code: `export default ${JSON.stringify(code)};`, map: null };
      },
    },
  ],
  test: {
    name: 'obsidian',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
  resolve: {
    // Obsidian cannot run here: a faithful fake stands in for the `obsidian` module, and core is tested from source.
    alias: {
      obsidian: here('./test/fake-obsidian/index.ts'),
      '@bytedrop/core': here('../core/src/index.ts'),
    },
  },
});
