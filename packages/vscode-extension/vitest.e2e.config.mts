import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

// The real-editor test: code-server (VS Code 1.139) in Debian's Chromium; it builds and installs the .vsix once a run.
// Needs `sh packages/vscode-extension/e2e/install.sh` first (see README.md).
export default defineProject({
  // So `vitest run --config packages/vscode-extension/vitest.e2e.config.mts` works from the repository root too.
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    name: 'vscode-e2e',
    include: ['e2e/**/*.e2e.test.ts'],
    // Builds and installs the .vsix once for the run.
    globalSetup: ['e2e/_setup/global.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // One editor at a time: the machine has two cores.
    fileParallelism: false,
  },
});
