/**
 * The clients of the large upload (section 2), each a process of its own so its CPU and peak RSS are its own:
 * Bytedrop's CLI and library, core without issue 10's checks (the peer for what they cost), rclone and lib-storage.
 */
import { BUILT, bench, built } from './context.js';
import { run } from './measure.js';
import type { S3Target } from './servers.js';

export interface Invocation {
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** The key the object lands under, known before (rclone, lib-storage) or read from the output (Bytedrop). */
  key(stdout: string): string;
}

export interface UploadClient {
  name: string;
  /** Why the client cannot run here, or undefined when it can. */
  missing(): Promise<string | undefined>;
  invoke(target: S3Target, run: number, file: string): Invocation;
}

/** Per-server files the clients read or write: the Bytedrop config, and where journals and CLI state go. */
export interface ClientPaths {
  config(target: S3Target): string;
  /** A directory of the run (deleted with it), so no journal or state lands in the user's home. */
  state(target: S3Target): string;
}

export const CLIENT = {
  cli: 'Bytedrop CLI',
  library: 'Bytedrop library',
  unchecked: 'core without the checks',
  rclone: 'rclone',
  libStorage: 'lib-storage (defaults)',
} as const;

export const rcloneMissing = async (): Promise<string | undefined> =>
  run('rclone', ['version'], { timeoutMs: 10_000 }).then(
    () => undefined,
    () => 'rclone is not installed (apt-get install -y rclone)',
  );

/** Bytedrop's default part size and queue size, read from its own config parser so rclone gets the same. */
export async function bytedropParts(): Promise<{ size: number; queue: number }> {
  if (!built('core')) return { size: 8 * 2 ** 20, queue: 4 };
  const core = (await import(BUILT.core)) as {
    parseConfig(input: unknown): { partSize: number; queueSize: number };
  };
  const config = core.parseConfig({ provider: 'custom', endpoint: 'http://127.0.0.1:1', bucket: 'b' });
  return { size: config.partSize, queue: config.queueSize };
}

const keyFromUrl = (target: S3Target) => (stdout: string) => {
  const url = stdout.trim().split('\n').pop() ?? '';
  const prefix = `${target.endpoint}/${target.bucket}/`;
  if (!url.startsWith(prefix))
    throw new Error(`the CLI printed '${stdout.trim()}', not a URL under ${prefix}`);
  return url.slice(prefix.length).split('/').map(decodeURIComponent).join('/');
};

const jsonKey = (stdout: string) => (JSON.parse(stdout) as { key: string }).key;
const coreMissing = async () => (built('coreNode') ? undefined : 'packages/core/dist/node is missing');

export function uploadClients(paths: ClientPaths, parts: { size: number; queue: number }): UploadClient[] {
  return [
    {
      name: CLIENT.cli,
      missing: async () => (built('cli') ? undefined : 'packages/core/dist/node/cli.js is missing'),
      invoke: (target, _run, file) => ({
        command: 'node',
        args: [BUILT.cli, 'upload', file, '--config', paths.config(target), '--format', 'url'],
        // The CLI keeps its journal in the user's state directory: the run's own here.
        env: { XDG_STATE_HOME: paths.state(target) },
        key: keyFromUrl(target),
      }),
    },
    {
      name: CLIENT.library,
      missing: coreMissing,
      invoke: (target, _run, file) => ({
        command: 'node',
        args: [
          bench('clients/bytedrop-library.mjs'),
          paths.config(target),
          file,
          `${paths.state(target)}/journal`,
        ],
        key: jsonKey,
      }),
    },
    {
      name: CLIENT.unchecked,
      missing: coreMissing,
      invoke: (target, _run, file) => ({
        command: 'node',
        args: [bench('clients/unchecked-file.mjs'), paths.config(target), file],
        key: jsonKey,
      }),
    },
    {
      name: CLIENT.rclone,
      missing: rcloneMissing,
      invoke: (target, index, file) => {
        const key = `rclone/${index}.bin`;
        return {
          command: 'rclone',
          args: [
            'copyto',
            file,
            `:s3:${target.bucket}/${key}`,
            '--config=/dev/null',
            '--s3-provider=Other',
            `--s3-endpoint=${target.endpoint}`,
            `--s3-access-key-id=${target.accessKeyId}`,
            `--s3-secret-access-key=${target.secretAccessKey}`,
            `--s3-region=${target.region}`,
            '--s3-force-path-style=true',
            `--s3-chunk-size=${parts.size}B`,
            `--s3-upload-cutoff=${parts.size}B`,
            `--s3-upload-concurrency=${parts.queue}`,
            '--s3-no-check-bucket',
            '-q',
          ],
          key: () => key,
        };
      },
    },
    {
      name: CLIENT.libStorage,
      missing: async () => undefined,
      invoke: (target, index, file) => {
        const key = `lib-storage/${index}.bin`;
        return {
          command: 'node',
          args: [bench('clients/lib-storage.mjs'), target.endpoint, target.bucket, key, file],
          key: () => key,
        };
      },
    },
  ];
}
