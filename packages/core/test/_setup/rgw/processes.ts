/**
 * Child processes of the test cluster. Daemons are started through `setpriv --pdeathsig SIGKILL`, so the kernel
 * kills them when the process that started them dies, even by SIGKILL or a crash, when no teardown code runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** A failure of the radosgw harness; `code` tells a missing install from a failed start. */
export class RadosgwError extends Error {
  override name = 'RadosgwError';
  constructor(
    readonly code: 'ERR_RGW_MISSING' | 'ERR_RGW_START' | 'ERR_RGW_BUCKET',
    message: string,
  ) {
    super(message);
  }
}

/** Every binary the start needs, and the package that ships it. */
const BINARIES: Record<string, string> = {
  'ceph-mon': 'ceph-mon',
  'ceph-osd': 'ceph-osd',
  radosgw: 'radosgw',
  'radosgw-admin': 'radosgw (ceph-common)',
  ceph: 'radosgw (ceph-common)',
  'ceph-authtool': 'radosgw (ceph-common)',
  monmaptool: 'ceph-mon (ceph-base)',
  setpriv: 'util-linux',
};

function onPath(name: string, path: string): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Fails (never skips) when a binary is missing, naming the command that installs it. */
export function checkBinaries(path = process.env.PATH ?? ''): void {
  const missing = Object.keys(BINARIES).filter((name) => !onPath(name, path));
  if (missing.length === 0) return;
  throw new RadosgwError(
    'ERR_RGW_MISSING',
    `radosgw tests need ${missing.map((name) => `${name} (${BINARIES[name]})`).join(', ')}, not found on PATH: ` +
      'run `apt-get install --no-install-recommends radosgw ceph-mon ceph-osd` (bash .ci/run does it)',
  );
}

/** The environment of every child: no CEPH_ARGS or CEPH_CONF from the caller's shell may redirect it. */
export function childEnv(path = process.env.PATH ?? ''): NodeJS.ProcessEnv {
  const { CEPH_ARGS: _args, CEPH_CONF: _conf, ...env } = process.env;
  return { ...env, PATH: path };
}

/**
 * Runs a command to completion and resolves to its stdout; a non-zero exit rejects with its stderr.
 * `input` is written to stdin.
 */
export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => {
      if (status === 0) resolve(out.trim());
      else
        reject(
          new RadosgwError(
            'ERR_RGW_START',
            `${command} ${args.join(' ')} exited ${status}: ${err.slice(-2000)}`,
          ),
        );
    });
    // A child that exits before it reads its input closes the pipe (EPIPE): its exit status and stderr say why,
    // so the write error is not an error of its own (unhandled, it would crash the test worker). Without input,
    // stdin is closed at once and nothing is written.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

export interface Daemon {
  name: string;
  process: ChildProcess;
  /** Settles when the process has exited (for any reason). */
  exited: Promise<void>;
}

/** Starts a daemon in the foreground (`-f`), stdout and stderr appended to `logFile`. */
export function startDaemon(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
): Daemon {
  const log = openSync(logFile, 'a');
  const child = spawn('setpriv', ['--pdeathsig', 'SIGKILL', '--', command, ...args], {
    env,
    stdio: ['ignore', log, log],
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  return { name, process: child, exited };
}

/**
 * SIGKILL, not SIGTERM: a memstore OSD that shuts down cleanly first writes every object to disk, which is wasted
 * work for a cluster that is thrown away.
 */
export async function killDaemons(daemons: Daemon[]): Promise<void> {
  for (const daemon of daemons) if (daemon.process.exitCode === null) daemon.process.kill('SIGKILL');
  await Promise.all(daemons.map((daemon) => daemon.exited));
}

/** Rejects as soon as one of the daemons exits: a daemon that dies during the start never comes back. */
export function anyExit(daemons: Daemon[]): Promise<never> {
  return Promise.race(
    daemons.map((daemon) =>
      daemon.exited.then(() => {
        throw new RadosgwError('ERR_RGW_START', `${daemon.name} exited (status ${daemon.process.exitCode})`);
      }),
    ),
  );
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A random free port below Linux's ephemeral range (32768+), so the kernel never hands it to an outgoing connection
 * while the daemon starts; at least 65 away from `taken`, so the OSD's port window overlaps none of them.
 */
export async function freePort(taken: number[]): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.some((t) => Math.abs(t - port) <= 64)) continue;
    if (await portIsFree(port)) return port;
  }
}

/** The last lines of each log, for an error message that says why the start failed. */
export async function logTails(files: string[], lines = 12): Promise<string> {
  const tails = await Promise.all(
    files.map(async (file) => {
      const text = await readFile(file, 'utf8').catch(() => '');
      return text ? `--- ${file}\n${text.trimEnd().split('\n').slice(-lines).join('\n')}` : '';
    }),
  );
  return tails.filter(Boolean).join('\n');
}
