/**
 * Measures one child process: wall time from the parent's clock, and user CPU, system CPU and peak RSS from
 * the kernel's rusage as GNU time reports it (`/usr/bin/time`, Debian package `time`). Without GNU time only
 * the wall time is known, and the CPU and RSS columns say so.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_DIR } from './context.js';
import { childEnv } from './servers.js';

export const GNU_TIME = '/usr/bin/time';
export const hasGnuTime = existsSync(GNU_TIME);

export interface ProcessSample {
  wallS: number;
  /** user + system CPU seconds of the process and its waited-for children; NaN without GNU time. */
  cpuS: number;
  userS: number;
  sysS: number;
  /** Peak resident set size in MB (10^6 bytes); NaN without GNU time. */
  rssMB: number;
  stdout: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs `command args…` to completion; rejects with its stderr when it exits non-zero or times out. */
export async function runMeasured(
  command: string,
  args: string[],
  options: RunOptions = {},
): Promise<ProcessSample> {
  const dir = await mkdtemp(join(RUN_DIR, 'time-'));
  const timeFile = join(dir, 'rusage');
  const argv = hasGnuTime ? ['-f', '%U %S %M', '-o', timeFile, command, ...args] : args;
  const started = process.hrtime.bigint();
  try {
    const { stdout } = await run(hasGnuTime ? GNU_TIME : command, argv, options);
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    if (!hasGnuTime)
      return { wallS, cpuS: Number.NaN, userS: Number.NaN, sysS: Number.NaN, rssMB: Number.NaN, stdout };
    // The last line holds the figures; GNU time puts a "Command exited…" line above them on failure.
    const line = (await readFile(timeFile, 'utf8')).trim().split('\n').pop() ?? '';
    const [user = Number.NaN, sys = Number.NaN, maxKiB = Number.NaN] = line.split(' ').map(Number);
    return { wallS, cpuS: user + sys, userS: user, sysS: sys, rssMB: (maxKiB * 1024) / 1e6, stdout };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Spawns and collects stdout; stderr is kept for the error message. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout });
      else {
        const shown = [command, ...args].join(' ');
        reject(new Error(`'${shown}' failed (${signal ?? `exit ${code}`}): ${stderr.trim().slice(-2000)}`));
      }
    });
  });
}
