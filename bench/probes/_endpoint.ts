/**
 * The probes' Bytedrop server: `servers/endpoint.mjs` forked on `target` with one access key, its config `extra`
 * on top of the bench's; PROBE_PROFILE=<dir> makes it write a CPU profile there (node --cpu-prof) when it stops.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { bench } from '../lib/context.js';
import { bytedropConfig } from '../lib/s3.js';
import { childEnv } from '../lib/servers.js';

type Target = Parameters<typeof bytedropConfig>[0];

/** Forks the server; it sends `{ port }` once it listens (`nextMessage(child, 'port')`). */
export function forkEndpoint(
  target: Target,
  accessKey: string,
  sizeMiB: number,
  extra: Record<string, unknown> = {},
): ChildProcess {
  return fork(
    bench('servers/endpoint.mjs'),
    [JSON.stringify(bytedropConfig(target, extra)), accessKey, String(sizeMiB)],
    {
      env: childEnv(),
      execArgv: process.env.PROBE_PROFILE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROBE_PROFILE}`]
        : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
}
