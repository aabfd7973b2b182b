/**
 * The local-disk store keeps the integrity contract too: create-only writes that never replace, Bytedrop's metadata,
 * and nothing left behind by a killed process (partial writes, temporary objects), with the journal on disk.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileJournal } from '../../src/node/file-journal';
import { createLocalDiskStore } from '../../src/node/stores/local-disk';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bytedrop-local-leftovers-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const text = (value: string) => new TextEncoder().encode(value);
const open = (journal = createFileJournal(join(dir, 'journal'))) =>
  createLocalDiskStore({ dir: join(dir, 'files'), publicBaseUrl: 'http://localhost/f', journal });

describe('local disk: writes that never replace', () => {
  it('a create-only put or copy onto a taken key is ERR_CONFLICT and leaves the object as it was', async () => {
    const store = open();
    await store.put('a.txt', text('first'), { contentType: 'text/plain', ifAbsent: true });
    await expect(
      store.put('a.txt', text('second'), { contentType: 'text/plain', ifAbsent: true }),
    ).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    await store.put('b.txt', text('other'), { contentType: 'text/plain' });
    await expect(
      store.copy('b.txt', 'a.txt', { contentType: 'text/plain', ifAbsent: true }),
    ).rejects.toMatchObject({
      code: 'ERR_CONFLICT',
    });
    expect(await readFile(store.path('a.txt'), 'utf8')).toBe('first');
    // Nothing half-done is left in the partial folder by the refused writes.
    expect(await readdir(join(dir, 'files', '.bytedrop-partial'))).toEqual([]);
  });

  it('records Bytedrop metadata and serves a stored disposition back', async () => {
    const store = open();
    const meta = { hash: 'sha256:abc', owner: 'Zoë', write: 'w1' };
    await store.put('page.html', text('<p>'), {
      contentType: 'text/html; charset=utf-8',
      contentDisposition: 'attachment; filename="page.html"',
      meta,
    });
    expect((await store.head('page.html'))?.meta).toEqual(meta);
    const served = await store.read('page.html');
    await served?.stream.cancel();
    expect(served).toMatchObject({
      contentType: 'text/html; charset=utf-8',
      contentDisposition: 'attachment; filename="page.html"',
    });
  });

  it('a Content-MD5 that does not match the bytes is ERR_CHECKSUM and nothing is stored', async () => {
    const store = open();
    await expect(
      store.put('x.bin', text('abc'), {
        contentType: 'application/octet-stream',
        contentMd5: '1B2M2Y8AsgTpgAmY7PhCfg==',
      }),
    ).rejects.toMatchObject({ code: 'ERR_CHECKSUM' });
    expect(await store.head('x.bin')).toBeUndefined();
  });
});

describe('local disk: nothing left behind', () => {
  it('recover() in a new process deletes the partial writes and journaled temporary objects of the dead one', async () => {
    const journal = createFileJournal(join(dir, 'journal'));
    const dead = open(journal);
    await dead.put('.bytedrop-tmp/t1', text('staged'), {
      contentType: 'application/octet-stream',
      temporary: true,
    });
    // A write the dead process was in the middle of, from before the new one started.
    const partial = join(dir, 'files', '.bytedrop-partial', 'half-written');
    await mkdir(join(dir, 'files', '.bytedrop-partial'), { recursive: true });
    await writeFile(partial, 'half');
    await utimes(partial, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

    const report = await open(createFileJournal(join(dir, 'journal'))).recover();
    expect(report.deleted.sort()).toEqual(['.bytedrop-partial/half-written', '.bytedrop-tmp/t1']);
    expect(await readdir(join(dir, 'files', '.bytedrop-partial'))).toEqual([]);
    expect(await dead.head('.bytedrop-tmp/t1')).toBeUndefined();
    expect(await readdir(join(dir, 'journal'))).toEqual([]);
  });

  it('sweep() removes stale temporary objects under its prefix and partial writes, nothing else', async () => {
    const store = open();
    await store.put('.bytedrop-tmp/server/old', text('x'), { contentType: 'text/plain' });
    await store.put('.bytedrop-tmp/cli', text('x'), { contentType: 'text/plain' });
    await store.put('kept.txt', text('x'), { contentType: 'text/plain' });
    expect(await store.sweep({ olderThan: 3_600_000, prefix: '.bytedrop-tmp/server/' })).toEqual({
      abortedUploads: [],
      deleted: [],
    });
    const report = await store.sweep({ olderThan: 0, prefix: '.bytedrop-tmp/server/' });
    expect(report.deleted).toEqual(['.bytedrop-tmp/server/old']);
    expect(await store.head('.bytedrop-tmp/cli')).toBeDefined();
    expect(await store.head('kept.txt')).toBeDefined();
  });

  it('never reads out a staged upload or the store’s own folders', async () => {
    const store = open();
    await store.put('.bytedrop-tmp/staged', text('x'), { contentType: 'text/plain' });
    expect(await store.read('.bytedrop-tmp/staged')).toBeUndefined();
    await expect(store.read('.bytedrop-meta/staged.json')).rejects.toMatchObject({ code: 'ERR_INPUT' });
    await expect(store.read('.bytedrop-partial/x')).rejects.toMatchObject({ code: 'ERR_INPUT' });
  });
});

describe('createFileJournal', () => {
  it('keeps whole entries across instances, skips damaged files, and forgets removed ones', async () => {
    const path = join(dir, 'journal');
    const first = createFileJournal(path);
    const id = await first.add({ kind: 'multipart', store: 's3:x/b', key: 'k', uploadId: 'u', started: 1 });
    await writeFile(join(path, 'broken.json'), '{"kind":');
    const again = createFileJournal(path);
    expect(await again.entries()).toEqual([
      { kind: 'multipart', store: 's3:x/b', key: 'k', uploadId: 'u', started: 1, id },
    ]);
    await again.remove(id);
    expect(await first.entries()).toEqual([]);
  });

  it('a journal that cannot be created is ERR_CONFIG naming the directory', async () => {
    await writeFile(join(dir, 'a-file'), 'x');
    await expect(
      createFileJournal(join(dir, 'a-file', 'journal')).add({
        kind: 'temp',
        store: 's',
        key: 'k',
        started: 1,
      }),
    ).rejects.toMatchObject({ code: 'ERR_CONFIG', message: expect.stringContaining('a-file') });
  });
});
