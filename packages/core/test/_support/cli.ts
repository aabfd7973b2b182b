/**
 * Helpers for tests of the `bytedrop` CLI as users run it: the BUILT dist/node/cli.js in a child process, with a
 * clean environment, and its output collected.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const coreDir = resolve(import.meta.dirname, '../..');
const repoDir = resolve(coreDir, '../..');

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** The newest modification time among core's sources and build inputs. */
async function newestSource(): Promise<number> {
  const files = (await readdir(join(coreDir, 'src'), { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
  files.push(join(coreDir, 'package.json'), join(coreDir, 'tsup.config.ts'));
  const times = await Promise.all(files.map(async (file) => (await stat(file)).mtimeMs));
  return Math.max(...times);
}

/** True when dist/node/cli.js is newer than every source (`pnpm test` builds first: no second build then). */
async function upToDate(): Promise<boolean> {
  try {
    return (await stat(join(coreDir, 'dist/node/cli.js'))).mtimeMs > (await newestSource());
  } catch {
    return false;
  }
}

/**
 * Builds core unless dist is up to date (retrying while other helpers' files are mid-edit), then copies the built
 * dist (cli.js loads its commands from chunks beside it) next to core's node_modules so a concurrent
 * `tsup --clean` elsewhere cannot delete it under a running test. Returns the copy's cli.js.
 */
export async function buildCli(): Promise<string> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      if (!(await upToDate())) await run('pnpm', ['--filter', '@bytedrop/core', 'build'], { cwd: repoDir });
      const dir = join(coreDir, 'node_modules/.cache');
      await mkdir(dir, { recursive: true });
      const target = await mkdtemp(join(dir, 'bytedrop-cli-test-'));
      await cp(join(coreDir, 'dist'), join(target, 'dist'), { recursive: true });
      return join(target, 'dist/node/cli.js');
    } catch (error) {
      lastError = error;
      await new Promise((done) => setTimeout(done, 5000));
    }
  }
  throw lastError;
}

/** Removes the copy `buildCli` made. */
export async function removeCli(cli: string | undefined): Promise<void> {
  if (cli) await rm(resolve(cli, '../../..'), { recursive: true, force: true });
}

/**
 * The test process's environment without S3, Bytedrop, AWS (the CA bundle breaks plain-http loopback) and XDG
 * settings, with HOME set to `home`: no config file, journal or data of the user's is ever read.
 */
export function cleanEnv(home: string): Record<string, string | undefined> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(S3_|BYTEDROP_|PUBLIC_DOMAIN$|AWS_|XDG_(CONFIG|STATE|CACHE)_HOME$|PORT$)/.test(name),
    ),
  );
  return { ...env, HOME: home };
}

/** The environment that points the CLI at a bucket (its public URL at the endpoint, path style). */
export function s3EnvOf(s3: {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}): Record<string, string> {
  return {
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY: s3.accessKeyId,
    S3_SECRET_KEY: s3.secretAccessKey,
    PUBLIC_DOMAIN: `${s3.endpoint}/${s3.bucket}`,
  };
}

/** The files under a journal directory (every process's), relative to it; none when it does not exist. */
export async function journalFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
  } catch {
    return [];
  }
}

/** Runs the CLI to completion; a non-zero exit is an outcome, not a throw. */
export async function runCli(
  cli: string,
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], options);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** A CLI process started in the background: its output so far, and its end. */
export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  readonly stdout: string;
  readonly stderr: string;
  /** Settles once its output is all read: the exit code, or the signal's name when a signal killed it. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** Settles once stderr holds `text` (an event, not a poll); rejects, with all it said, if it exits first. */
  said(text: string): Promise<void>;
}

export function spawnCli(
  cli: string,
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): RunningCli {
  const child = spawn(process.execPath, [cli, ...args], options);
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => {
    output.stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output.stderr += chunk;
  });
  const exited = new Promise<number | NodeJS.Signals | null>((done) =>
    child.once('close', (code, signal) => done(code ?? signal)),
  );
  return {
    child,
    get stdout() {
      return output.stdout;
    },
    get stderr() {
      return output.stderr;
    },
    exited,
    said: (text) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!output.stderr.includes(text)) return;
          child.stderr.off('data', check);
          resolve();
        };
        child.stderr.on('data', check);
        check();
        exited.then(() => reject(new Error(`the CLI exited without saying '${text}': ${output.stderr}`)));
      }),
  };
}
