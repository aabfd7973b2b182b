/**
 * `bytedrop-server keys add|list|revoke|rotate` against the catalog a running server uses (SQLite in the data
 * directory, or PostgreSQL with DATABASE_URL): a key added or revoked by the CLI counts at the server's next request; bad flags exit 1 naming the
 * flag and the fix; a keys-file deployment's keys are in the catalog after a start, and one removed from the file
 * stops working at the next start.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, exited, type Started, start } from './_support/bin';
import { postgresDatabase } from './_support/catalogs';

const run = promisify(execFile);
let running: Started | undefined;
const dirs: string[] = [];

afterEach(async () => {
  if (running) {
    running.child.kill('SIGTERM');
    await exited(running.child);
    running = undefined;
  }
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bytedrop-bin-keys-'));
  dirs.push(dir);
  return dir;
}

/** Runs the bin with `args` on `dir`; exit code, stdout and stderr (a failure does not throw). */
async function keys(dir: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'keys', ...args], {
      cwd: dir,
      env: { ...cleanEnv(), XDG_CONFIG_HOME: dir, BYTEDROP_DATA_DIR: dir, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const upload = (url: string, key: string, name = 'a.txt') =>
  fetch(`${url}/upload/${name}`, {
    method: 'PUT',
    body: 'hello',
    headers: { authorization: `Bearer ${key}` },
  });

describe('bytedrop-server keys', () => {
  it('adds a key the running server accepts at once, and lists it without its secret', async () => {
    const dir = await dataDir();
    running = await start({ BYTEDROP_DATA_DIR: dir, AUTH_KEY: 'operator-key-000001' });
    const added = await keys(dir, [
      'add',
      'ci',
      '--scopes',
      'upload',
      '--prefix',
      'ci/',
      '--quota-bytes',
      '1MB',
    ]);
    expect(added.code).toBe(0);
    expect(added.stderr).toContain("Added access key 'ci'");
    const secret = added.stdout.trim();
    expect(secret).toMatch(/^bd_[\w-]{43}$/);
    const stored = await upload(running.url, secret);
    expect(stored.status).toBe(200);
    expect(((await stored.json()) as { files: { key: string }[] }).files[0]!.key).toMatch(/^ci\//);

    const listed = await keys(dir, ['list']);
    expect(listed.stdout).toMatch(/^ci\tactive\tmanaged\tupload\tci\/\t1000000B\/-/m);
    // AUTH_KEY was mirrored at the start, under its name.
    expect(listed.stdout).toMatch(/\tactive\tconfig\t/);
    expect(listed.stdout).not.toContain(secret);
  });

  it('rotates and revokes a key for the running server’s next request', async () => {
    const dir = await dataDir();
    const secret = (await keys(dir, ['add', 'ci'])).stdout.trim();
    running = await start({ BYTEDROP_DATA_DIR: dir, AUTH_KEY: 'operator-key-000001' });
    const rotated = await keys(dir, ['rotate', 'ci']);
    expect(rotated.stderr).toContain("Access key 'ci' has a new secret");
    expect((await upload(running.url, secret)).status).toBe(401);
    const fresh = rotated.stdout.trim();
    expect((await upload(running.url, fresh, 'b.txt')).status).toBe(200);
    expect((await keys(dir, ['revoke', 'ci'])).code).toBe(0);
    const refused = await upload(running.url, fresh, 'c.txt');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { msg: string }).msg).toContain("access key 'ci' was revoked");
    const json = JSON.parse((await keys(dir, ['list', '--json'])).stdout) as {
      name: string;
      status: string;
    }[];
    expect(json.find((key) => key.name === 'ci')?.status).toBe('revoked');
  });

  it('adds, lists and revokes keys in PostgreSQL with DATABASE_URL, for a running server on the same database', async () => {
    const dir = await dataDir();
    const database = { DATABASE_URL: await postgresDatabase() };
    running = await start({ BYTEDROP_DATA_DIR: dir, AUTH_KEY: 'operator-key-000001', ...database });
    const added = await keys(dir, ['add', 'pg-ci', '--scopes', 'upload'], database);
    expect(added.code).toBe(0);
    const secret = added.stdout.trim();
    expect((await upload(running.url, secret)).status).toBe(200);
    expect((await keys(dir, ['list'], database)).stdout).toMatch(/^pg-ci\tactive\tmanaged\tupload\t/m);
    // Not in the data directory's SQLite: the CLI went where the server's catalog is.
    expect((await keys(dir, ['list'])).stdout).not.toContain('pg-ci');
    expect((await keys(dir, ['revoke', 'pg-ci'], database)).code).toBe(0);
    expect((await upload(running.url, secret, 'b.txt')).status).toBe(401);
  });

  it.each([
    [
      ['add', 'x', '--quota-bytes', '5XB'],
      '--quota-bytes must be a whole number of bytes above 0, or a size like',
    ],
    [
      ['add', 'x', '--scopes', 'upload,root'],
      '--scopes must each be one of upload, delete-own, list-own, admin',
    ],
    [['add', 'x', '--expires', 'yesterday'], '--expires must be a duration like 12h, 30d or 2w'],
    [['add', 'x', '--expires', '2001-01-01'], "--expires '2001-01-01' is in the past"],
    [['add', 'x', '--per-hour', '0'], '--per-hour must be a whole number of uploads above 0'],
    [['add', 'bad name'], '--name must be 1 to 64 letters'],
    [['add'], 'keys add takes one key name'],
    [['add', 'x', '--bogus'], "Unknown option '--bogus'"],
    [['revoke', 'nobody'], "no access key named 'nobody'"],
    [['list', '--prefix', 'a/'], '--prefix is for keys add only'],
    [['frob'], "unknown keys command 'frob'"],
  ])('keys %j exits 1 naming the mistake', async (args, message) => {
    const dir = await dataDir();
    const result = await keys(dir, args);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  });

  it('moves a keys-file deployment over: its keys are mirrored, a removed one stops working at the next start', async () => {
    const dir = await dataDir();
    const file = join(dir, 'keys.json');
    const entries = [
      { name: 'alice', key: 'alice-file-key-0001', prefix: 'alice/', uploadsPerHour: 50 },
      { name: 'bob', key: 'bob-file-key-000002' },
    ];
    await writeFile(file, JSON.stringify(entries));
    running = await start({ BYTEDROP_DATA_DIR: dir, KEYS_FILE: file });
    expect((await upload(running.url, 'bob-file-key-000002')).status).toBe(200);
    expect((await keys(dir, ['list'])).stdout).toMatch(
      /^alice\tactive\tconfig\tupload,delete-own,list-own\talice\/\t-\/-\t50\/h/m,
    );
    running.child.kill('SIGTERM');
    await exited(running.child);

    await writeFile(file, JSON.stringify(entries.slice(0, 1)));
    running = await start({ BYTEDROP_DATA_DIR: dir, KEYS_FILE: file });
    const refused = await upload(running.url, 'bob-file-key-000002', 'b.txt');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { msg: string }).msg).toContain("access key 'bob' was revoked");
    expect((await upload(running.url, 'alice-file-key-0001')).status).toBe(200);
    // A keys-file key is changed in the file, not by the CLI.
    expect((await keys(dir, ['revoke', 'alice'])).stderr).toContain('comes from the keys file');
  });
});
