import { defineConfig } from 'vitest/config';

// One root runner: each package is a project with its own setup (s3rver, fakes of host APIs).
export default defineConfig({
  test: {
    // Most suites wait on servers (radosgw, PostgreSQL, child processes), not the CPU: four files at a time on CI's
    // two cores ran the server project in 133 s against 226 s with the default two.
    maxWorkers: 4,
    // `.mts` where a package is not `type: module` (the VS Code extension, whose bundle is CommonJS).
    projects: ['packages/*/vitest.config.{ts,mts}'],
  },
});
