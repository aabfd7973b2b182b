import { defineConfig } from 'vitest/config';

// One root runner: each package is a project with its own setup (s3rver, fakes of host APIs).
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts'],
  },
});
