/** What every section gets: run counts, the shared 1 GiB file, and where the built packages are. */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Machine } from './machine.js';
import type { ServerKind } from './servers.js';

/** Every temporary file of a run lives under this directory, so one `rm` cleans up, also after Ctrl-C. */
export const RUN_DIR = join(tmpdir(), `bytedrop-bench-${process.pid}`);

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const root = (path: string) => `${ROOT}${path}`;
export const bench = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export interface BenchContext {
  machine: Machine;
  /** Measured runs per figure (≥ 5) and warm-ups before them. */
  runs: number;
  warmups: number;
  /** The shared file of random bytes, in RUN_DIR, read once so it sits in the page cache. */
  bigFile: string;
  bigFileSize: number;
  /** A small file of random bytes for warm-up uploads. */
  warmFile: string;
  warmFileSize: number;
  /** A smoke run (`--quick`): smaller inputs and counts, figures not comparable with a full run. */
  quick: boolean;
  /** The S3 servers to run against (`--servers`; all by default): rows against the others are left out. */
  servers: readonly ServerKind[];
  log(message: string): void;
}

/** The built entry points the bench imports; a missing one skips only what needs it. */
export const BUILT = {
  core: root('packages/core/dist/index.js'),
  /** What browsers resolve `@bytedrop/core` to (its `browser` export condition). */
  coreBrowser: root('packages/core/dist/browser/index.js'),
  coreNode: root('packages/core/dist/node/index.js'),
  cli: root('packages/core/dist/node/cli.js'),
  server: root('packages/server-adapter/dist/index.js'),
  serverNode: root('packages/server-adapter/dist/node.js'),
  obsidian: root('packages/obsidian-plugin/main.js'),
  vsix: root('packages/vscode-extension/bytedrop.vsix'),
} as const;

export const built = (entry: keyof typeof BUILT): boolean => existsSync(BUILT[entry]);
