import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalDiskStore, type LocalDiskStore } from '../../src/node/stores/local-disk';
import { createUploader } from '../../src/uploader';

const text = (s: string) => new TextEncoder().encode(s);

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

/** Every file under `dir`, relative, sorted: proves what a write left behind. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('local-disk store', () => {
  let dir: string;
  let store: LocalDiskStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-local-'));
    store = createLocalDiskStore({ dir, publicBaseUrl: 'http://localhost:8000/f' });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stores bytes at the key path and metadata in the .bytedrop-meta tree', async () => {
    const { etag } = await store.put('2024/05/a b.txt', text('hello'), {
      contentType: 'text/plain',
      cacheControl: 'public, max-age=31536000, immutable',
    });
    expect(etag).toBe('"5d41402abc4b2a76b9719d911017c592"'); // md5('hello'), like a single-part S3 PUT
    expect(await readFile(join(dir, '2024/05/a b.txt'), 'utf8')).toBe('hello');
    expect(await tree(dir)).toEqual(['.bytedrop-meta/2024/05/a b.txt.json', '2024/05/a b.txt']);
    expect(await store.head('2024/05/a b.txt')).toEqual({
      size: 5,
      etag,
      contentType: 'text/plain',
      cacheControl: 'public, max-age=31536000, immutable',
    });
    expect(store.publicUrl('2024/05/a b.txt')).toBe('http://localhost:8000/f/2024/05/a%20b.txt');
    expect(store.path('2024/05/a b.txt')).toBe(join(dir, '2024/05/a b.txt'));
  });

  it('reads whole objects and inclusive byte ranges with size, type, etag and cache-control', async () => {
    await store.put('r.txt', text('0123456789'), { contentType: 'text/plain', cacheControl: 'no-cache' });
    const whole = await store.read('r.txt');
    expect(whole).toMatchObject({
      size: 10,
      start: 0,
      end: 9,
      contentType: 'text/plain',
      cacheControl: 'no-cache',
    });
    expect(whole?.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(whole?.mtime).toBeInstanceOf(Date);
    expect(await readAll(whole!.stream)).toBe('0123456789');
    const part = await store.read('r.txt', { start: 2, end: 4 });
    expect(part).toMatchObject({ size: 10, start: 2, end: 4 });
    expect(await readAll(part!.stream)).toBe('234');
    const tail = await store.read('r.txt', { start: 7 });
    expect(await readAll(tail!.stream)).toBe('789');
    // An end past the object is clamped, as HTTP Range requires.
    const clamped = await store.read('r.txt', { start: 8, end: 100 });
    expect([clamped?.end, await readAll(clamped!.stream)]).toEqual([9, '89']);
    await expect(store.read('r.txt', { start: 10 })).rejects.toMatchObject({ code: 'ERR_INPUT' });
    await expect(store.read('r.txt', { start: 5, end: 2 })).rejects.toMatchObject({ code: 'ERR_INPUT' });
    await expect(store.read('r.txt', { start: 0, end: Number.NaN })).rejects.toMatchObject({
      code: 'ERR_INPUT',
    });
    await expect(store.read('r.txt', { start: -1 })).rejects.toMatchObject({ code: 'ERR_INPUT' });
    expect(await store.read('missing.txt')).toBeUndefined();
    expect(await store.read('2024')).toBeUndefined();
  });

  it('reads an empty object as an empty stream', async () => {
    await store.put('empty.bin', new Uint8Array(0), { contentType: 'application/octet-stream' });
    const object = await store.read('empty.bin');
    expect(object).toMatchObject({ size: 0, start: 0, end: -1 });
    expect(await readAll(object!.stream)).toBe('');
  });

  it('refuses keys that escape the directory or hit its reserved folders, before writing anything', async () => {
    const bad = [
      '../x',
      'a/../../x',
      '/etc/passwd',
      'a//b',
      './a',
      'a\\..\\b',
      '',
      'a/\0b',
      '.bytedrop-meta/x.json',
      '.bytedrop-partial/x',
    ];
    for (const key of bad) {
      await expect(store.put(key, text('x'), { contentType: 'text/plain' }), key).rejects.toMatchObject({
        code: 'ERR_INPUT',
      });
      await expect(store.head(key), key).rejects.toMatchObject({ code: 'ERR_INPUT' });
      await expect(store.read(key), key).rejects.toMatchObject({ code: 'ERR_INPUT' });
      await expect(store.delete(key), key).rejects.toMatchObject({ code: 'ERR_INPUT' });
    }
    expect(await tree(dir)).toEqual([]);
  });

  it('leaves no half file at the key when the body fails or the signal fires mid-write', async () => {
    await store.put('k.bin', text('old'), { contentType: 'application/octet-stream' });
    async function* failing() {
      yield text('new bytes that never finish');
      throw new Error('source broke');
    }
    await expect(store.put('k.bin', failing(), { contentType: 'application/octet-stream' })).rejects.toThrow(
      'source broke',
    );
    const controller = new AbortController();
    async function* aborting() {
      yield text('first chunk');
      controller.abort();
      yield text('second chunk');
    }
    await expect(
      store.put('k.bin', aborting(), { contentType: 'application/octet-stream', signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(await readFile(join(dir, 'k.bin'), 'utf8')).toBe('old');
    expect(await tree(dir)).toEqual(['.bytedrop-meta/k.bin.json', 'k.bin']);
  });

  it('enforces maxFileSize up front and while streaming, leaving nothing behind', async () => {
    const small = createLocalDiskStore({ dir, publicBaseUrl: 'http://x/f', maxFileSize: 4 });
    await expect(small.put('a', text('12345'), { contentType: 'text/plain', size: 5 })).rejects.toMatchObject(
      {
        code: 'ERR_TOO_LARGE',
      },
    );
    async function* stream() {
      yield text('123');
      yield text('45');
    }
    await expect(small.put('b', stream(), { contentType: 'text/plain' })).rejects.toMatchObject({
      code: 'ERR_TOO_LARGE',
    });
    await small.put('c', text('1234'), { contentType: 'text/plain' });
    expect(await tree(dir)).toEqual(['.bytedrop-meta/c.json', 'c']);
  });

  it('reports progress per chunk', async () => {
    const seen: number[] = [];
    async function* chunks() {
      yield text('ab');
      yield text('cde');
    }
    await store.put('p', chunks(), {
      contentType: 'text/plain',
      size: 5,
      onProgress: (p) => seen.push(p.loaded),
    });
    expect(seen).toEqual([2, 5]);
  });

  it('copies with new metadata and deletes idempotently', async () => {
    await store.put('tmp/x', text('data'), { contentType: 'application/octet-stream' });
    await store.copy('tmp/x', 'final/x.png', { contentType: 'image/png', cacheControl: 'immutable' });
    expect(await store.head('final/x.png')).toMatchObject({ size: 4, contentType: 'image/png' });
    expect((await store.read('final/x.png'))?.cacheControl).toBe('immutable');
    await store.delete('tmp/x');
    await store.delete('tmp/x');
    expect(await store.head('tmp/x')).toBeUndefined();
    await expect(store.copy('nope', 'y', { contentType: 'text/plain' })).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
  });

  it('still serves an object whose sidecar is missing or damaged', async () => {
    await store.put('s.txt', text('hi'), { contentType: 'text/plain' });
    await writeFile(join(dir, '.bytedrop-meta/s.txt.json'), '{not json');
    expect(await store.head('s.txt')).toMatchObject({ size: 2, contentType: 'application/octet-stream' });
  });

  it('check() creates the directory, and fails with ERR_CONFIG when a file is in the way', async () => {
    const nested = createLocalDiskStore({ dir: join(dir, 'new/sub'), publicBaseUrl: 'http://x/f' });
    await nested.check();
    await writeFile(join(dir, 'file'), 'x');
    const blocked = createLocalDiskStore({ dir: join(dir, 'file', 'sub'), publicBaseUrl: 'http://x/f' });
    await expect(blocked.check()).rejects.toMatchObject({ code: 'ERR_CONFIG' });
  });

  it('runs the whole uploader pipeline, including a one-shot stream staged under the uploader temp prefix', async () => {
    const uploader = createUploader({ bucket: 'local', multipartThreshold: 1024 }, { store });
    const data = new Uint8Array(5000).map((_, i) => i % 251);
    async function* oneShot() {
      for (let offset = 0; offset < data.byteLength; offset += 700) yield data.slice(offset, offset + 700);
    }
    const first = await uploader.upload(oneShot(), { filename: 'stream.bin' });
    expect(first.url).toBe(`http://localhost:8000/f/${first.key}`);
    expect(new Uint8Array(await readFile(store.path(first.key)))).toEqual(data);
    const again = await uploader.upload(new Blob([data]), { filename: 'stream.bin' });
    expect(again).toMatchObject({ key: first.key, deduplicated: true });
    // Nothing staged is left: no temp key of the uploader, no partial write of the store.
    expect((await tree(dir)).filter((path) => !path.startsWith('.bytedrop-meta/'))).toEqual([first.key]);
  });
});
