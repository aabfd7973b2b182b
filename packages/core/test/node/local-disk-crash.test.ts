/**
 * The local-disk store when the process dies at the worst moment: `bytedrop upload` (no S3 configured, so the local
 * default) SIGKILLed by a preloaded hook just as it puts a file, or that file's metadata, in place. The next sweep
 * (`bytedrop gc`) must leave either the object with its own type, ETag and owner, or nothing at all.
 */
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDiskStore } from '../../src/node/stores/local-disk';
import { buildCli, cleanEnv, coreDir, removeCli, runCli, spawnCli } from '../_support/cli';

// Kills its process, as a power cut or `kill -9` would (no handler runs), when a rename or link is about to put
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

describe('local disk: a write killed at the worst moment', () => {
  let cli: string;
  let work: string;
  let env: Record<string, string | undefined>;
  beforeAll(async () => {
    cli = await buildCli();
    work = await mkdtemp(join(coreDir, 'node_modules/.cache/bytedrop-disk-crash-'));
    await writeFile(join(work, 'hook.cjs'), HOOK);
    env = { ...cleanEnv(work), BYTEDROP_DATA_DIR: join(work, 'data') };
  }, 240_000);
  afterAll(async () => {
    await removeCli(cli);
    if (work) await rm(work, { recursive: true, force: true });
  });

  const data = () => join(work, 'data');
  const store = () => createLocalDiskStore({ dir: data(), publicBaseUrl: 'http://localhost:8000/f' });
  /** Every file under the data folder, relative to it. */
  const files = async (): Promise<string[]> => {
    try {
      return (await readdir(data(), { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) =>
          join(entry.parentPath, entry.name)
            .slice(data().length + 1)
            .split(sep)
            .join('/'),
        )
        .sort();
    } catch {
      return [];
    }
  };
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

  it('a staged record whose file was replaced since is not put in place: the newer metadata stays', async () => {
    await rm(data(), { recursive: true, force: true });
    const disk = store();
    await disk.put('notes/a.txt', new TextEncoder().encode('newer'), { contentType: 'text/plain' });
    // What a write of older bytes at the same key, killed before its metadata, would have staged.
    const partial = join(data(), '.bytedrop-partial');
    await mkdir(partial, { recursive: true });
    const staged = join(partial, 'dead-write.json');
    await writeFile(
      staged,
      JSON.stringify({
        key: 'notes/a.txt',
        contentType: 'application/pdf',
        etag: '"00000000000000000000000000000000"',
        file: { ino: '1', size: '5', mtimeNs: '1' },
      }),
    );
    await utimes(staged, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

    expect((await disk.recover()).deleted).toEqual(['.bytedrop-partial/dead-write.json']);
    expect(await disk.head('notes/a.txt')).toMatchObject({ contentType: 'text/plain' });
    expect(await files()).toEqual(['.bytedrop-meta/notes/a.txt.json', 'notes/a.txt']);
  });
});
