#!/usr/bin/env node
// The `bytedrop` command. The CLI itself is built to dist/; this file exists in the source tree so that package
// managers can link the command at install time, before the first build (pnpm skips a bin whose file is missing).
import('../dist/node/cli.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/node/cli.js')) {
    console.error('bytedrop: the CLI is not built yet: run `pnpm -r build` in the repository first');
    process.exitCode = 1;
    return;
  }
  throw error;
});
