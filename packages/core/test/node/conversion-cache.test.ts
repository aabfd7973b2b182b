/**
 * The disk conversion cache: a re-paste in a new uploader (a new CLI process) is not encoded again, and neither is
 * an image whose conversion came out larger. A damaged, lying or failing cache costs an encode, never a wrong or
 * failed upload; the cache keeps to its size.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import cacache from 'cacache';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CachedConversion, ConversionCache, EncodeRequest, ImageEncoder } from '../../src/image-encoder';
import { createDiskConversionCache } from '../../src/node/conversion-cache';
import { createSharpEncoder } from '../../src/node/encoders/sharp';
import { createUploader } from '../../src/uploader';
import { makeImage, scratch } from '../_support/images';
import { useOwnS3rver } from '../_support/own-s3rver';
import { getBytes, inspector, s3Config } from '../_support/s3';

const s3 = useOwnS3rver();
let dir: string;
let photo: Uint8Array;

beforeAll(async () => {
  dir = await scratch();
  photo = new Uint8Array(
    (await makeImage(dir, 'photo.jpg', ['-size', '300x200', 'plasma:', '-seed', '9'])).bytes,
  );
});

/** An encoder counting its calls; `larger` makes it answer more bytes than it was given. */
function counted(options: { larger?: boolean } = {}): ImageEncoder & { calls: EncodeRequest[] } {
  const sharp = createSharpEncoder();
  const calls: EncodeRequest[] = [];
  return {
    calls,
    async encode(input, request) {
      calls.push(request);
      const bytes = await sharp.encode(input, request);
      return options.larger ? new Uint8Array([...bytes, ...new Uint8Array(input.byteLength)]) : bytes;
    },
  };
}

/** A fresh uploader, as a new CLI process has: its in-memory memo is empty, only `cache` is shared. */
function freshUploader(encoder: ImageEncoder, cache: ConversionCache, prefix: string) {
  return createUploader(s3Config(s3, { keyTemplate: `${prefix}/{hash:16}.{ext}` }), {
    convert: { encoder, format: 'webp', cache },
  });
}

const stored = (key: string) => getBytes(inspector(s3), s3.bucket, key);

describe('disk conversion cache', () => {
  // "Oldest" is cacache's write time in ms: writes a test makes in one millisecond would tie, in any order. The
  // eviction tests fake Date alone (the uploads of the others sign with the real clock), one second on per write.
  let now = Date.UTC(2026, 10, 30);
  const tick = () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    now += 1000;
    vi.setSystemTime(now);
  };
  afterEach(() => vi.useRealTimers());

  it('a re-paste in a new uploader is not encoded again: same key, deduplicated, same bytes', async () => {
    const cache = createDiskConversionCache({ dir: await scratch() });
    const first = counted();
    const second = counted();
    const a = await freshUploader(first, cache, 'again').upload(photo, { filename: 'a.jpg' });
    const b = await freshUploader(second, cache, 'again').upload(photo, { filename: 'a.jpg' });
    expect([first.calls.length, second.calls.length]).toEqual([1, 0]);
    expect(b).toMatchObject({ key: a.key, deduplicated: true, contentType: 'image/webp' });
    expect(b.converted).toEqual(a.converted);
  });

  it('a conversion that came out larger is remembered too: the original is stored without a second encode', async () => {
    const cache = createDiskConversionCache({ dir: await scratch() });
    const first = counted({ larger: true });
    const second = counted({ larger: true });
    const a = await freshUploader(first, cache, 'larger').upload(photo, { filename: 'a.jpg' });
    const b = await freshUploader(second, cache, 'larger').upload(photo, { filename: 'a.jpg' });
    expect([first.calls.length, second.calls.length]).toEqual([1, 0]);
    expect(a).toMatchObject({ contentType: 'image/jpeg', conversionSkipped: 'larger' });
    expect(b).toMatchObject({ key: a.key, contentType: 'image/jpeg', conversionSkipped: 'larger' });
  });

  it('a damaged cache file is a miss: the image is encoded again and stored right', async () => {
    const cacheDir = await scratch();
    const cache = createDiskConversionCache({ dir: cacheDir });
    const a = await freshUploader(counted(), cache, 'damaged').upload(photo, { filename: 'a.jpg' });
    const contents = await filesUnder(join(cacheDir, 'content-v2'));
    expect(contents).toHaveLength(1);
    const bytes = await readFile(contents[0] as string);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    await writeFile(contents[0] as string, bytes);
    const again = counted();
    const b = await freshUploader(again, cache, 'damaged').upload(photo, { filename: 'a.jpg' });
    expect(again.calls).toHaveLength(1);
    expect(b.key).toBe(a.key);
    expect(Buffer.from(await stored(b.key)).equals(Buffer.from(await stored(a.key)))).toBe(true);
  });

  it('an entry that is not what it claims (not WebP, or not smaller) is ignored; a failing cache is a miss', async () => {
    const lies: CachedConversion[] = [
      { bytes: photo, format: 'webp' },
      {
        bytes: new Uint8Array([...'RIFF\0\0\0\0WEBP'].map((c) => c.charCodeAt(0)).concat(...photo)),
        format: 'webp',
      },
    ];
    for (const lie of lies) {
      const lying: ConversionCache = { get: async () => lie, set: async () => {} };
      const encoder = counted();
      const result = await freshUploader(encoder, lying, 'lies').upload(photo, { filename: 'a.jpg' });
      expect(encoder.calls).toHaveLength(1);
      expect(result.contentType).toBe('image/webp');
    }
    const failing: ConversionCache = {
      get: () => Promise.reject(new Error('EIO')),
      set: () => Promise.reject(new Error('ENOSPC')),
    };
    const result = await freshUploader(counted(), failing, 'failing').upload(photo, { filename: 'a.jpg' });
    expect(result.contentType).toBe('image/webp');
  });

  it('keeps to maxBytes, dropping the oldest entries first', async () => {
    const cacheDir = await scratch();
    const cache = createDiskConversionCache({ dir: cacheDir, maxBytes: 2500 });
    for (const fill of [1, 2, 3]) {
      tick();
      await cache.set(`k${fill}`, { bytes: webp(fill), format: 'webp' });
    }
    expect(await cache.get('k1')).toBeUndefined();
    expect((await cache.get('k2')) && (await cache.get('k3'))).toMatchObject({ format: 'webp' });
    expect(await filesUnder(join(cacheDir, 'content-v2'))).toHaveLength(2);
  });

  it('lists its index only when its running total passes maxBytes, not at every write', async () => {
    const cacheDir = await scratch();
    const cache = createDiskConversionCache({ dir: cacheDir, maxBytes: 2500 });
    tick();
    await cache.set('k1', { bytes: webp(1), format: 'webp' });
    // Another process's entry, which this cache has not counted: a write that keeps its own total under the limit
    // does not list the index, so it does not see (or trim) it yet.
    tick();
    await cacache.put(cacheDir, 'outside', new Uint8Array(2000).fill(9));
    tick();
    await cache.set('k2', { bytes: webp(2), format: 'webp' });
    expect(Object.keys(await cacache.ls(cacheDir)).sort()).toEqual(['k1', 'k2', 'outside']);
    // The next write passes its total: it lists, and drops the oldest until the cache fits.
    tick();
    await cache.set('k3', { bytes: webp(3), format: 'webp' });
    expect(Object.keys(await cacache.ls(cacheDir)).sort()).toEqual(['k2', 'k3']);
  });

  it('a bad cache option is ERR_CONFIG naming the fix', () => {
    const bad = { get: 'no' } as unknown as ConversionCache;
    expect(() => freshUploader(counted(), bad, 'bad')).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG',
        message: expect.stringMatching(
          /convert\.cache must have get\(\) and set\(\).*createDiskConversionCache/,
        ),
      }),
    );
  });
});

/** 1000 bytes that pass for a WebP (its RIFF header), filled with `fill`. */
function webp(fill: number): Uint8Array {
  const bytes = new Uint8Array(1000).fill(fill);
  bytes.set([...'RIFF\0\0\0\0WEBP'].map((c) => c.charCodeAt(0)));
  return bytes;
}

/** Every file under `root`, as paths. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}
