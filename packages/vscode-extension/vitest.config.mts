import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// `vscode` is the in-memory fake (VS Code cannot run here); core is tested from source, so it needs no build.
export default defineProject({
  // The server tests run the real @bytedrop/server from source; its build inlines its upload page as text.
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
    name: 'vscode',
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/_setup/env.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
  resolve: {
    // The `/node` alias comes first: '@bytedrop/core' would otherwise match it as a prefix.
    alias: [
      { find: /^vscode$/, replacement: here('./test/_fake/vscode.ts') },
      { find: /^@bytedrop\/core\/node$/, replacement: here('../core/src/node/index.ts') },
      { find: /^@bytedrop\/core$/, replacement: here('../core/src/index.ts') },
    ],
  },
});
