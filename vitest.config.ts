import { defineConfig } from 'vitest/config';

// One root runner: each package is a project with its own setup (s3rver, fakes of host APIs).
export default defineConfig({
  test: {
    // `.mts` where a package is not `type: module` (the VS Code extension, whose bundle is CommonJS).
    projects: ['packages/*/vitest.config.{ts,mts}'],
  },
});
