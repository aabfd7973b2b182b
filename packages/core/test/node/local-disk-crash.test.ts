/**
 * The local-disk store when the process dies at the worst moment: `bytedrop upload` (no S3 configured, so the local
 * default) SIGKILLed by a preloaded hook just as it puts a file, or that file's metadata, in place. The next sweep
 * (`bytedrop gc`) must leave either the object with its own type, ETag and owner, or nothing at all.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityOf, metaTree } from '../../src/node/stores/_disk-meta';
import { createLocalDiskStore } from '../../src/node/stores/local-disk';
import { buildCli, cleanEnv, coreDir, journalFiles, removeCli, runCli, spawnCli } from '../_support/cli';

// Kills its process, as `kill -9` would (no handler runs), when a rename or link is about to put
// something at a path that matches BYTEDROP_TEST_CRASH_AT.
const HOOK = `
const fs = require('node:fs/promises');
const at = new RegExp(process.env.BYTEDROP_TEST_CRASH_AT);
for (const name of ['rename', 'link']) {
  const original = fs[name];
  fs[name] = (from, to) => (at.test(String(to)) ? process.kill(process.pid, 'SIGKILL') : original(from, to));
}
require('node:module').syncBuiltinESMExports();
`;
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const escaped = (text: string) => text.replace(/[.\\]/g, '\\$&');
/** The object itself: a path in the data folder outside the store's own folders. */
const AT_OBJECT = `data${escaped(sep)}(?!\\.bytedrop-)[^${escaped(sep)}].*shot`;
/** Its metadata record. */
const AT_META = `${escaped(`${sep}.bytedrop-meta${sep}`)}.*shot`;
/** The metadata record of `key`. */
const atMetaOf = (key: string) => `${escaped(`${sep}${join('.bytedrop-meta', ...key.split('/'))}.json`)}$`;

describe('local disk: a write killed at the worst moment', () => {
  let cli: string;
  let work: string;
  let env: Record<string, string | undefined>;
  beforeAll(async () => {
    cli = await buildCli();
    work = await mkdtemp(join(coreDir, 'node_modules/.cache/bytedrop-disk-crash-'));
    await writeFile(join(work, 'hook.cjs'), HOOK);
    // The built store (the CLI's dist), overwriting a key: no create-only link, a rename over the old file.
    await writeFile(
      join(work, 'overwrite.mjs'),
      `import { createLocalDiskStore } from ${JSON.stringify(pathToFileURL(join(dirname(cli), 'index.js')).href)};
const store = createLocalDiskStore({ dir: process.argv[2], publicBaseUrl: 'http://localhost/f' });
await store.put('notes/a.txt', new TextEncoder().encode('new bytes'), { contentType: 'text/markdown' });
`,
    );
    env = { ...cleanEnv(work), BYTEDROP_DATA_DIR: join(work, 'data') };
  }, 240_000);
  afterAll(async () => {
    await removeCli(cli);
    if (work) await rm(work, { recursive: true, force: true });
  });

  const data = () => join(work, 'data');
  const store = () => createLocalDiskStore({ dir: data(), publicBaseUrl: 'http://localhost:8000/f' });
  /** Every file under the data folder, relative to it, with '/' between segments. */
  const files = async (): Promise<string[]> =>
    (await journalFiles(data())).map((path) => path.split(sep).join('/')).sort();
  /** `bytedrop upload shot.png`, killed where `at` says. */
  const killedUpload = async (at: string) => {
    await writeFile(join(work, 'shot.png'), PNG);
    const run = spawnCli(cli, ['upload', 'shot.png'], {
      cwd: work,
      env: { ...env, NODE_OPTIONS: `--require ${join(work, 'hook.cjs')}`, BYTEDROP_TEST_CRASH_AT: at },
    });
    expect(await run.exited, run.stderr).toBe('SIGKILL');
  };
  const gc = async () => {
    const outcome = await runCli(cli, ['gc', '--older-than', '0'], { cwd: work, env });
    expect(outcome.code, outcome.stderr).toBe(0);
  };

  it('killed after placing the file, before its metadata: the file reads with its staged metadata, the sweep puts that in place, and a retry links it', async () => {
    await rm(data(), { recursive: true, force: true });
    await killedUpload(AT_META);
    const [key, ...others] = (await files()).filter((path) => !path.startsWith('.bytedrop-'));
    expect(others).toEqual([]);
    expect(key).toMatch(/shot/);
    expect(await files()).not.toContain(`.bytedrop-meta/${key}.json`);
    // Until then the staged record stands in: what a `catalog rebuild` or a retry reads of the file is already right.
    expect(await store().head(key!)).toMatchObject({ contentType: 'image/png' });

    await gc();
    expect((await files()).filter((path) => path.startsWith('.bytedrop-partial/'))).toEqual([]);
    expect(await files()).toContain(`.bytedrop-meta/${key}.json`);
    const head = await store().head(key!);
    expect(head).toMatchObject({ contentType: 'image/png', size: PNG.length });
    expect(head?.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(head?.meta?.hash).toBeDefined();

    const retry = await runCli(cli, ['upload', 'shot.png'], { cwd: work, env });
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toContain(key);
    expect((await store().read(key!))?.contentType).toBe('image/png');
  });

  it('killed as it places the file: the sweep leaves nothing, and a retry stores it', async () => {
    await rm(data(), { recursive: true, force: true });
    await killedUpload(AT_OBJECT);
    expect((await files()).filter((path) => !path.startsWith('.bytedrop-partial/'))).toEqual([]);
    await gc();
    expect(await files()).toEqual([]);

    const retry = await runCli(cli, ['upload', 'shot.png'], { cwd: work, env });
    expect(retry.code, retry.stderr).toBe(0);
    const key = (await files()).find((path) => !path.startsWith('.bytedrop-'));
    expect(await store().head(key!)).toMatchObject({ contentType: 'image/png' });
  });

  it('a staged record whose file was replaced since is neither read nor put in place: the newer metadata stays', async () => {
    await rm(data(), { recursive: true, force: true });
    const disk = store();
    const text = (value: string) => new TextEncoder().encode(value);
    await disk.put('notes/a.txt', text('older'), { contentType: 'application/pdf' });
    // What the write of those older bytes would have left had it been killed before its metadata: its record, naming
    // the file it placed. Then newer bytes replace that file.
    const staged = metaTree(data()).stagedPath('notes/a.txt');
    const placed = await stat(disk.path('notes/a.txt'), { bigint: true });
    await writeFile(
      staged,
      JSON.stringify({
        key: 'notes/a.txt',
        contentType: 'application/pdf',
        etag: '"0"',
        file: identityOf(placed),
      }),
    );
    await disk.put('notes/a.txt', text('newer'), { contentType: 'text/plain' });
    expect(await disk.head('notes/a.txt')).toMatchObject({ contentType: 'text/plain' });
    await utimes(staged, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

    expect((await disk.recover()).deleted).toEqual([relative(data(), staged).split(sep).join('/')]);
    expect(await disk.head('notes/a.txt')).toMatchObject({ contentType: 'text/plain' });
    expect(await files()).toEqual(['.bytedrop-meta/notes/a.txt.json', 'notes/a.txt']);
  });

  it('an overwrite killed before its metadata: the new bytes never read with the old metadata, before or after the sweep', async () => {
    await rm(data(), { recursive: true, force: true });
    await store().put('notes/a.txt', new TextEncoder().encode('old'), { contentType: 'text/plain' });
    const overwrite = spawnCli(join(work, 'overwrite.mjs'), [data()], {
      cwd: work,
      env: {
        ...env,
        NODE_OPTIONS: `--require ${join(work, 'hook.cjs')}`,
        BYTEDROP_TEST_CRASH_AT: atMetaOf('notes/a.txt'),
      },
    });
    expect(await overwrite.exited, overwrite.stderr).toBe('SIGKILL');
    const expected = {
      contentType: 'text/markdown',
      etag: `"${createHash('md5').update('new bytes').digest('hex')}"`,
    };
    expect(await store().head('notes/a.txt')).toMatchObject(expected);
    const served = await store().read('notes/a.txt');
    await served?.stream.cancel();
    expect(served).toMatchObject(expected);

    await gc();
    expect(await store().head('notes/a.txt')).toMatchObject(expected);
    expect(await files()).toEqual(['.bytedrop-meta/notes/a.txt.json', 'notes/a.txt']);
  });

  it('a write that fails after placing its file keeps the metadata it staged, for reads and the next sweep', async () => {
    await rm(data(), { recursive: true, force: true });
    // A folder where the record goes: the file is placed, then its record cannot be.
    await mkdir(join(data(), '.bytedrop-meta/notes/b.txt.json'), { recursive: true });
    const disk = store();
    await expect(
      disk.put('notes/b.txt', new TextEncoder().encode('b'), { contentType: 'text/csv', ifAbsent: true }),
    ).rejects.toMatchObject({ code: 'ERR_INPUT' });
    expect(await disk.head('notes/b.txt')).toMatchObject({ contentType: 'text/csv' });
    // A sweep that cannot put it in place either keeps it (the only copy), and sweeps on.
    await gc();
    expect(await disk.head('notes/b.txt')).toMatchObject({ contentType: 'text/csv' });

    await rm(join(data(), '.bytedrop-meta/notes/b.txt.json'), { recursive: true });
    await gc();
    expect(await files()).toEqual(['.bytedrop-meta/notes/b.txt.json', 'notes/b.txt']);
    expect(await store().head('notes/b.txt')).toMatchObject({ contentType: 'text/csv' });
  });
});
