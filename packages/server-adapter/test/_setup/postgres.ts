/**
 * Vitest global setup of the server: a throwaway PostgreSQL cluster for the catalog's contract tests, provided as
 * `inject('postgres')` (a URL of the `postgres` database; test files create a database of their own).
 * initdb builds it in a temporary directory, the server listens on a random loopback port with fsync off (the
 * cluster dies with the run). PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 * A missing PostgreSQL fails the run with the install to do, never a skip. `startPostgres` also gives a test a cluster
 * of its own to stop and start again (a real outage).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: string;
  }
}

const ROOT = '/usr/lib/postgresql';
const START_TIMEOUT_MS = 60_000;

/** The newest installed version's bin directory. */
function binDir(): string {
  const versions = existsSync(ROOT)
    ? readdirSync(ROOT)
        .filter((name) => existsSync(join(ROOT, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      `PostgreSQL is not installed (no ${ROOT}/*/bin/initdb): apt-get install postgresql (the catalog's contract tests run against a real server)`,
    );
  }
  return join(ROOT, versions[0]!, 'bin');
}

/** As root: the `postgres` user's ids, to run the server as (it refuses root). */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function waitReady(url: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`postgres exited with ${server.exitCode} at start`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

/** A running throwaway cluster: the `postgres` database's URL, and `dispose` to stop it and delete its files. */
export interface PostgresHarness {
  url: string;
  dispose(): Promise<void>;
}

/** A cluster a test may stop and start again (an outage of the real server, then its recovery). */
export interface PostgresCluster extends PostgresHarness {
  /** Fast shutdown (SIGINT: sessions are ended, a checkpoint written); resolves once the server has exited. */
  stop(): Promise<void>;
  /** Starts the server again on the same data directory and port; resolves once it takes connections. */
  start(): Promise<void>;
}

/** Starts a cluster of its own (the bench uses it too; a test that stops it uses `stop` and `start`). */
export async function startPostgres(): Promise<PostgresCluster> {
  const bin = binDir();
  const user = runAs();
  const dir = await mkdtemp(join(tmpdir(), 'bytedrop-pg-'));
  if (user) await chown(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  const port = 20_000 + Math.floor(Math.random() * 12_000);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let server: ChildProcess | undefined;
  let exited = Promise.resolve();
  let log = '';
  const stop = async () => {
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
    await exited;
  };
  const start = async () => {
    const launched = spawn(
      join(bin, 'postgres'),
      ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
      { ...ids, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server = launched;
    launched.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
    });
    exited = new Promise<void>((resolve) => launched.once('exit', () => resolve()));
    try {
      await waitReady(url, launched);
    } catch (error) {
      await stop();
      throw new Error(`PostgreSQL did not start (${(error as Error).message}):\n${log}`);
    }
  };
  const dispose = async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  };
  // An initdb or a start that fails leaves no cluster to dispose of: its folder goes here, or it stays in /tmp.
  try {
    execFileSync(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
      {
        ...ids,
        stdio: 'pipe',
      },
    );
    await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { url, stop, start, dispose };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { url, dispose } = await startPostgres();
  project.provide('postgres', url);
  return dispose;
}
