/**
 * The bin's catalog: SQLite in the data directory by default, PostgreSQL with DATABASE_URL, adoption of the files
 * an older server left, and `bytedrop-server catalog rebuild`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresCatalog } from '../src/catalog/postgres';
import { BIN, cleanEnv, exited, type Started, start } from './_support/bin';
import { postgresDatabase } from './_support/catalogs';
import { freePort, waitFor } from './_support/net';

const KEY = 'bin-catalog-key-0001';
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

/** A data directory holding one file an older server stored for the `default` key. */
async function oldDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bytedrop-bin-catalog-'));
  dirs.push(dir);
  const store = createLocalDiskStore({ dir: join(dir, 'files'), publicBaseUrl: 'http://x/f' });
  await createUploader({ bucket: 'local-disk' }, { store }).upload(new Blob(['old file']), {
    filename: 'old.txt',
    owner: 'default',
  });
  return dir;
}

const listing = async (url: string) => {
  const response = await fetch(`${url}/api/files`, { headers: { authorization: `Bearer ${KEY}` } });
  return (await response.json()) as {
    total: { count: number };
    files: { filename: string; owner: string }[];
  };
};

const upload = (url: string) =>
  fetch(`${url}/upload/new.txt`, {
    method: 'PUT',
    body: 'new file',
    headers: { authorization: `Bearer ${KEY}` },
  });

describe('bytedrop-server catalog', () => {
  it('rebuilds the SQLite catalog in the data directory from the files there, and says what it did', async () => {
    const dir = await oldDataDir();
    const env = { ...cleanEnv(), BYTEDROP_DATA_DIR: dir, AUTH_KEY: KEY };
    const { stdout } = await run(process.execPath, [BIN, 'catalog', 'rebuild'], { env, cwd: dir });
    expect(stdout).toMatch(
      /catalog \(SQLite at .*catalog\.sqlite\): 1 files in storage, 1 added, 0 already listed, 0 removed/,
    );
    expect(existsSync(join(dir, 'catalog.sqlite'))).toBe(true);
    const again = await run(process.execPath, [BIN, 'catalog', 'rebuild'], { env, cwd: dir });
    expect(again.stdout).toMatch(/1 files in storage, 0 added, 1 already listed/);
  });

  it('adopts an older data directory at start, then lists new uploads beside it', async () => {
    const dir = await oldDataDir();
    running = await start({ BYTEDROP_DATA_DIR: dir, AUTH_KEY: KEY });
    expect(running.stderr()).toMatch(/Catalog: SQLite at /);
    await waitFor('the old file to be adopted', async () => (await listing(running!.url)).total.count === 1);
    expect((await upload(running.url)).status).toBe(200);
    const after = await listing(running.url);
    // Storage keeps the name each file was uploaded as (object metadata): the adopted file gets its own back.
    expect(after.files.map((file) => file.filename).sort()).toEqual(['new.txt', 'old.txt']);
  });

  it('keeps the catalog in PostgreSQL with DATABASE_URL', async () => {
    const url = await postgresDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'bytedrop-bin-pg-'));
    dirs.push(dir);
    running = await start({ BYTEDROP_DATA_DIR: dir, AUTH_KEY: KEY, DATABASE_URL: url });
    expect(running.stderr()).toMatch(/Catalog: postgres:\/\/postgres@127\.0\.0\.1/);
    expect((await upload(running.url)).status).toBe(200);
    const catalog = await createPostgresCatalog({ url });
    expect((await catalog.list({}, { limit: 10 })).files).toMatchObject([
      { owner: 'default', filename: 'new.txt' },
    ]);
    await catalog.close();
    expect(existsSync(join(dir, 'catalog.sqlite'))).toBe(false);
  });

  it('refuses to start on a DATABASE_URL it cannot use, in one line naming the setting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bytedrop-bin-pg-'));
    dirs.push(dir);
    const env = {
      ...cleanEnv(),
      BYTEDROP_DATA_DIR: dir,
      AUTH_KEY: KEY,
      DATABASE_URL: 'mysql://db/x',
      PORT: String(await freePort()),
    };
    const failed = await run(process.execPath, [BIN], { env, cwd: dir }).catch((error) => error);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /^bytedrop-server: ERR_CONFIG: DATABASE_URL 'mysql:\/\/db\/x' is not a PostgreSQL URL/,
    );
  });
});
