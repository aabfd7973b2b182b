/**
 * `putFirst` on the local-disk store, whose create-only commit is a link(2) that fails on a taken path: the write
 * goes first, and only its conflict is looked at (HEAD) and judged by the full-hash identity.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalDiskStore, type LocalDiskStore } from '../../src/node/stores/local-disk';
import type { ObjectStore } from '../../src/types';
import { createUploader } from '../../src/uploader';

const text = (s: string) => new TextEncoder().encode(s);

/** The store with every head and put written down as `head <key>` / `put <key>: ok|<code>`. */
function recording(store: LocalDiskStore, calls: string[]): ObjectStore {
  return {
    ...store,
    head: (key, signal) => {
      calls.push(`head ${key}`);
      return store.head(key, signal);
    },
    put: async (key, body, options) => {
      try {
        const result = await store.put(key, body, options);
        calls.push(`put ${key}: ok`);
        return result;
      } catch (error) {
        calls.push(`put ${key}: ${(error as { code?: string }).code}`);
        throw error;
      }
    },
  };
}

describe('putFirst on the local-disk store', () => {
  let dir: string;
  let store: LocalDiskStore;
  const calls: string[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-put-first-'));
    store = createLocalDiskStore({ dir, publicBaseUrl: 'http://localhost:8000/f' });
    calls.length = 0;
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes first; a re-upload conflicts, is HEADed and deduplicated; other bytes take the next key', async () => {
    const uploader = createUploader(
      { bucket: 'local', keyTemplate: 'n/{name}.{ext}' },
      { store: recording(store, calls) },
    );
    const first = await uploader.upload(text('mine'), { filename: 'a.txt', owner: 'alice', putFirst: true });
    const again = await uploader.upload(text('mine'), { filename: 'a.txt', owner: 'bob', putFirst: true });
    const other = await uploader.upload(text('else'), { filename: 'a.txt', putFirst: true });
    expect(calls).toEqual([
      'put n/a.txt: ok',
      'put n/a.txt: ERR_CONFLICT',
      'head n/a.txt',
      'put n/a.txt: ERR_CONFLICT',
      'head n/a.txt',
      'put n/a-1.txt: ok',
    ]);
    expect(again).toMatchObject({ key: first.key, deduplicated: true, owner: 'alice' });
    expect(other).toMatchObject({ key: 'n/a-1.txt', deduplicated: false });
    expect(await readFile(join(dir, 'n/a.txt'), 'utf8')).toBe('mine');
    expect(await readFile(join(dir, 'n/a-1.txt'), 'utf8')).toBe('else');
  });
});
