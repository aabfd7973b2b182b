import { fileURLToPath } from 'node:url';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { loadedModules } from './_support/loaded-modules';
import { s3Config } from './_support/s3';

const s3 = inject('s3');
const dist = (path: string) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));

// Evaluating the AWS SDK costs about 200 ms of CPU: an import of core (every CLI and server start) must not pay it,
// nor load file-type (sniffing, at the first upload) or hash-wasm's WebAssembly (where node:crypto is missing).
const LAZY = /node_modules\/(@aws-sdk|@smithy|file-type|hash-wasm)\//;
const lazyIn = (loaded: string[]) => [...new Set(loaded.filter((path) => LAZY.test(path)))];

describe('importing core does not load the AWS SDK', () => {
  it.each(['index.js', 'index.cjs', 'node/index.js', 'node/index.cjs'])('dist/%s', async (entry) => {
    const loaded = await loadedModules(dist(entry));
    expect(lazyIn(loaded)).toEqual([]);
    // Proves the probe sees what an import loads, external and bundled: valibot (an ES module) and
    // fastest-levenshtein (bundled into core's own module) are there.
    expect(loaded.some((path) => path.includes('node_modules/valibot/'))).toBe(true);
    expect(loaded.some((path) => path.includes('node_modules/fastest-levenshtein/'))).toBe(true);
  });

  it.each(['index.js', 'index.cjs'])(
    'dist/%s: file-type loads with the first sniff (control)',
    async (entry) => {
      const loaded = await loadedModules(
        dist(entry),
        "await entry.sniffContentType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'a.png');",
      );
      const lazy = lazyIn(loaded);
      expect(lazy.some((path) => path.includes('node_modules/file-type/'))).toBe(true);
      expect(lazy.filter((path) => !path.includes('node_modules/file-type/'))).toEqual([]);
    },
  );

  it('the probe sees the SDK when something does load it (control)', async () => {
    const loaded = await loadedModules(fileURLToPath(import.meta.resolve('@aws-sdk/client-s3')));
    expect(loaded.some((path) => path.includes('node_modules/@aws-sdk/client-s3/'))).toBe(true);
  });
});

describe('a store made before the SDK loaded', () => {
  // A fresh copy of core per test: what matters is that nothing in this process loaded the SDK through core yet.
  beforeEach(() => {
    vi.resetModules();
  });

  it("sends through store.client's send, which loads the SDK", async () => {
    const { createS3Store, parseConfig } = await import('../src/index');
    const store = createS3Store(parseConfig(s3Config(s3)));
    await expect(store.client.send(new HeadBucketCommand({ Bucket: store.bucket }))).resolves.toMatchObject({
      $metadata: { httpStatusCode: 200 },
    });
    // Now the real client, with its config.
    expect(typeof store.client.config.region).toBe('function');
  });

  it('names the fix when asked for what only the real client has', async () => {
    const { createS3Store, parseConfig } = await import('../src/index');
    const store = createS3Store(parseConfig(s3Config(s3)));
    expect(() => store.client.middlewareStack).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG', message: expect.stringContaining("'client' option") }),
    );
    await store.check();
    expect(store.client.middlewareStack).toBeDefined();
  });

  it('signs a link with a client that is still a stand-in', async () => {
    const { createS3Store, parseConfig, presignGet } = await import('../src/index');
    const store = createS3Store(parseConfig(s3Config(s3)));
    const url = new URL(await presignGet(store.client, store.bucket, 'a.png', 60));
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.has('response-content-disposition')).toBe(false);
    // A download: the provider answers with the disposition the link signed (radosgw serves it: server api-s3 test).
    const download = new URL(
      await presignGet(store.client, store.bucket, 'a.png', 60, { contentDisposition: 'attachment' }),
    );
    expect(download.searchParams.get('response-content-disposition')).toBe('attachment');
  });
});
