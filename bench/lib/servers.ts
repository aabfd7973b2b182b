/**
 * Starts the S3 servers the bench uploads to, each in its own process so its CPU and memory never count
 * as the client's.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type ServerKind = 's3rver' | 'sink';

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
  /** Requests per HTTP method the server received since the last call. */
  requests(): Promise<Record<string, number>>;
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

export async function startServer(kind: ServerKind): Promise<S3Target> {
  const child =
    kind === 'sink'
      ? fork(here('../servers/sink.mjs'), [], {
          env: childEnv(),
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        })
      : fork(here('../servers/s3rver.ts'), [], {
          env: childEnv(),
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
  const port = await nextMessage<number>(child, 'port');
  return {
    kind,
    endpoint: `http://127.0.0.1:${port}`,
    bucket: 'bytedrop-bench',
    // s3rver's fixed pair; the sink checks none.
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
    usage: () => usageOf(child),
    requests: async () => {
      const reply = nextMessage<Record<string, number>>(child, 'requests');
      child.send('requests');
      return reply;
    },
    stop: () => stopChild(child),
  };
}
