import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineProject({
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
