/**
 * A crash during the catalog's writes: the real bin on its SQLite catalog takes a burst of concurrent uploads and is
 * killed (SIGKILL: no shutdown, no checkpoint) while they are in flight. The catalog records commit with
 * `synchronous = NORMAL` (sqlite.ts): a commit is in the WAL before its request is answered, so a crash of the
 * process (not of the machine) loses none. Checked on the file itself before any restart, so nothing adopted or
 * rebuilt can stand in for a lost record: it opens whole (`PRAGMA integrity_check`), and every upload answered 200
 * has its row. The rest are at worst stored but unlisted: `catalog rebuild` lists exactly those, and sending them
 * again to the restarted server is answered 200 and listed.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { BIN, cleanEnv, exited, heldUpload, type Started, start } from './_support/bin';
import { rawSqlite } from './_support/catalogs';
import { requireBuiltBin } from './_support/require';

const KEY = 'bin-crash-test-key-01';
const KiB = 1024;
/** Uploads sent at once; the server is killed once this many of them are answered 200. */
const BURST = 96;
const KILL_AFTER = 2;
const run = promisify(execFile);

let dir: string;
const running: Started[] = [];
beforeAll(() => void requireBuiltBin());
afterEach(async () => {
  for (const server of running.splice(0)) {
    server.child.kill('SIGKILL');
    await exited(server.child);
  }
  await rm(dir, { recursive: true, force: true });
});

const put = (url: string, name: string, bytes: Uint8Array<ArrayBuffer>) =>
  fetch(`${url}/upload/${name}`, {
    method: 'PUT',
    body: bytes,
    headers: { authorization: `Bearer ${KEY}` },
  });

/** The filenames the catalog file lists, and its integrity check, read with no server running. */
function underneath(file: string): { integrity: unknown[]; names: string[] } {
  const db = rawSqlite(file);
  try {
    const integrity = db.prepare('pragma integrity_check').all([]) as { integrity_check: string }[];
    const rows = db.prepare('select filename from bytedrop_files').all([]) as { filename: string }[];
    return { integrity: integrity.map((row) => row.integrity_check), names: rows.map((row) => row.filename) };
  } finally {
    db.close();
  }
}

it('keeps every record answered 200 through a SIGKILL mid-burst; the rest are at worst stored but unlisted', async () => {
  dir = await mkdtemp(join(tmpdir(), 'bytedrop-crash-'));
  const env = { BYTEDROP_DATA_DIR: dir, AUTH_KEY: KEY };
  const server = await start(env);
  running.push(server);

  // Two uploads held half-sent: certainly in flight at the kill, whatever the burst did by then.
  const held = await Promise.all([0, 1].map(() => heldUpload(server.url, KEY, 512 * KiB, 64 * KiB)));
  const files = Array.from({ length: BURST }, (_, index) => ({
    name: `burst-${String(index).padStart(3, '0')}.bin`,
    bytes: randomBytes(256 * KiB),
  }));
  const answered: string[] = [];
  const outcomes = await Promise.all(
    files.map(async ({ name, bytes }) => {
      try {
        const response = await put(server.url, name, bytes);
        await response.body?.cancel();
        if (response.status !== 200) return response.status;
        answered.push(name);
        // Killed from the answer that makes KILL_AFTER: the others are being read, stored or recorded.
        if (answered.length === KILL_AFTER) server.child.kill('SIGKILL');
        return 200;
      } catch {
        return 'cut';
      }
    }),
  );
  await exited(server.child);
  running.splice(0);
  for (const upload of held) upload.destroy();
  expect(answered.length).toBeGreaterThanOrEqual(KILL_AFTER);
  // How many of the burst were still being read, stored or recorded at the kill depends on how far the server got
  // before the client saw its answers (on a loaded CI machine, sometimes all of them were answered): not asserted.
  // The two held uploads are in flight at the kill whatever the burst did.
  // Nothing but 200 or a cut connection: no upload was refused.
  expect(outcomes.filter((outcome) => outcome !== 200 && outcome !== 'cut')).toEqual([]);

  const file = join(dir, 'catalog.sqlite');
  const before = underneath(file);
  expect(before.integrity).toEqual(['ok']);
  expect(before.names).toEqual(expect.arrayContaining(answered));

  // What the crash left stored without its record is exactly what a rebuild adds; nothing listed goes.
  const rebuilt = await run(process.execPath, [BIN, 'catalog', 'rebuild'], {
    env: { ...cleanEnv(), ...env },
    cwd: dir,
  });
  const report = /(\d+) files in storage, (\d+) added, (\d+) already listed, (\d+) removed/.exec(
    rebuilt.stdout,
  );
  expect(report, rebuilt.stdout).not.toBeNull();
  const [stored, added, listed, removed] = report!.slice(1).map(Number) as [number, number, number, number];
  expect({ listed, removed, added }).toEqual({
    listed: before.names.length,
    removed: 0,
    added: stored - before.names.length,
  });
  const after = underneath(file);
  expect(after.integrity).toEqual(['ok']);
  const unanswered = files.filter(({ name }) => !answered.includes(name));
  // Anything rebuilt is one of the uploads that never had its 200, by its own name: an object the kill caught between
  // placing its file and its metadata reads with the metadata it staged first (core's disk store).
  const rebuiltNames = after.names.filter((name) => !before.names.includes(name));
  expect(unanswered.map(({ name }) => name)).toEqual(expect.arrayContaining(rebuiltNames));

  // The restarted server takes the rest again and lists the whole burst.
  const restarted = await start(env);
  running.push(restarted);
  for (const { name, bytes } of unanswered) expect((await put(restarted.url, name, bytes)).status).toBe(200);
  const listing = await fetch(`${restarted.url}/api/files?limit=100`, {
    headers: { authorization: `Bearer ${KEY}` },
  });
  const { files: all } = (await listing.json()) as { files: { filename: string }[] };
  expect(all.map((entry) => entry.filename).sort()).toEqual(files.map(({ name }) => name));
});
