#!/usr/bin/env node
// The `bytedrop` command. The CLI itself is built to dist/; this file exists in the source tree so that package
// managers can link the command at install time, before the first build (pnpm skips a bin whose file is missing).
import module from 'node:module';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

// Node ≥ 22.8 keeps V8's compiled code of the modules loaded from here on, in a cache directory, so that a later
// start reads it instead of compiling the CLI's bundle (the AWS SDK in it) again. Node 20 has no such cache (the
// call is skipped); NODE_DISABLE_COMPILE_CACHE=1 turns it off, and a cache Node cannot write only costs the start.
// A relative XDG_CACHE_HOME (which the XDG spec says to ignore) or an empty HOME would put the cache in the
// user's current directory: the CLI then starts uncached instead.
try {
  const base = process.env.XDG_CACHE_HOME?.trim();
  const cache = base && isAbsolute(base) ? base : join(homedir(), '.cache');
  if (isAbsolute(cache)) module.enableCompileCache?.(join(cache, 'bytedrop', 'compile-cache'));
} catch {
  // No home directory to put the cache in: the CLI starts uncached.
}

import('../dist/node/cli.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/node/cli.js')) {
    console.error('bytedrop: the CLI is not built yet: run `pnpm -r build` in the repository first');
    process.exitCode = 1;
    return;
  }
  throw error;
});
