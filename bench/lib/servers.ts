/**
 * Starts the S3 servers the bench uploads to, each in its own process so its CPU and memory never count
 * as the client's.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkBinaries } from '../../packages/core/test/_setup/rgw/processes.js';

export const SERVER_KINDS = ['sink', 's3rver', 'radosgw'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/** The command that installs radosgw and its cluster daemons (Debian), for skip messages. */
export const RADOSGW_INSTALL = 'apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd';

/** Why a server cannot run here (its binaries are missing), or undefined when it can. */
export function serverMissing(kind: ServerKind): string | undefined {
  if (kind !== 'radosgw') return undefined;
  try {
    checkBinaries();
    return undefined;
  } catch (error) {
    const missing = String(error).match(/need (.*), not found/)?.[1] ?? 'its binaries';
    return `radosgw is not installed (${missing} missing; ${RADOSGW_INSTALL})`;
  }
}

export interface Usage {
  rss: number;
  cpuMs: number;
  /** JS heap in use plus external memory after a forced full GC, from processes started with --expose-gc. */
  liveAfterGc?: number;
}

/** Asks a forked bench server for its RSS and CPU time. */
export function usageOf(child: ChildProcess): Promise<Usage> {
  const reply = nextMessage<Usage>(child, 'usage');
  child.send('usage');
  return reply;
}

export interface S3Target {
  kind: ServerKind;
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** The server's own RSS (bytes) and CPU time (ms) so far, asked over IPC. */
  usage(): Promise<Usage>;
  /**
   * Requests per HTTP method the server received since the last call; those for keys under a peer's prefix
   * (`unchecked/`, core without issue 10's checks; `sdk/` and `sdk-floor/`, the bare SDK: servers/_peers.mjs)
   * counted apart, as `<prefix> <METHOD>`.
   */
  requests(): Promise<Record<string, number>>;
  /**
   * Frees what deleted objects still hold. radosgw (memstore, objects in RAM) deletes every object in the bucket and
   * collects its garbage now; the others hold nothing worth freeing and do nothing.
   */
  reclaim(): Promise<void>;
  stop(): Promise<void>;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Resolves with the first IPC message that has `field`, or rejects when the child exits first. */
export function nextMessage<T>(child: ChildProcess, field: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`no '${field}' message within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: unknown) => {
      if (typeof message === 'object' && message !== null && field in message) {
        done(undefined, (message as Record<string, T>)[field]);
      }
    };
    const onExit = (code: number | null) =>
      done(new Error(`child exited (${code}) before sending '${field}'`));
    function done(error?: Error, value?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value as T);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Stops a forked child by closing its IPC channel (it exits on 'disconnect'), killing it if it lingers. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Environment for every child: without AWS_CA_BUNDLE, which breaks plain-http loopback in the SDK and rclone. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.AWS_CA_BUNDLE;
  return env;
}

interface Started {
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Forks the server and waits until it listens. radosgw makes a key pair per start; s3rver and the sink take any. */
async function launch(kind: ServerKind): Promise<{ child: ChildProcess; started: Started }> {
  const script = { sink: 'sink.mjs', s3rver: 's3rver.ts', radosgw: 'radosgw.ts' }[kind];
  const child = fork(here(`../servers/${script}`), [], {
    env: childEnv(),
    execArgv: script.endsWith('.ts') ? ['--import', 'tsx'] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (kind === 'radosgw') {
    // A cluster start takes 5–15 s, more on a loaded machine; the harness gives up after 120 s.
    return { child, started: await nextMessage<Started>(child, 'target', 180_000) };
  }
  // s3rver's fixed pair; the sink checks none.
  const port = await nextMessage<number>(child, 'port');
  return { child, started: { port, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };
}

export async function startServer(kind: ServerKind): Promise<S3Target> {
  const { child, started } = await launch(kind);
  return {
    kind,
    endpoint: `http://127.0.0.1:${started.port}`,
    bucket: 'bytedrop-bench',
    accessKeyId: started.accessKeyId,
    secretAccessKey: started.secretAccessKey,
    region: 'us-east-1',
    usage: () => usageOf(child),
    requests: async () => {
      const reply = nextMessage<Record<string, number>>(child, 'requests');
      child.send('requests');
      return reply;
    },
    reclaim: async () => {
      if (kind !== 'radosgw') return;
      const reply = nextMessage<number>(child, 'reclaimed', 180_000);
      child.send('reclaim');
      if ((await reply) < 0) throw new Error('radosgw: emptying the bench bucket failed (see its stderr)');
    },
    stop: () => stopChild(child),
  };
}
