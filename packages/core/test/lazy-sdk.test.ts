import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { s3Config } from './_support/s3';

const s3 = inject('s3');
const run = promisify(execFile);
const dist = (path: string) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));

/** The packages a fresh Node process has loaded after importing `entry` (CommonJS ones, as the SDK is in Node). */
async function loadedBy(entry: string): Promise<string[]> {
  const script = entry.endsWith('.cjs')
    ? `require(${JSON.stringify(entry)}); console.log(JSON.stringify(Object.keys(require.cache)));`
    : `await import(${JSON.stringify(entry)}); const { createRequire } = await import('node:module'); console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
  const args = entry.endsWith('.cjs') ? ['-e', script] : ['--input-type=module', '-e', script];
  const { stdout } = await run(process.execPath, args);
  return (JSON.parse(stdout) as string[]).map((path) => path.replaceAll('\\', '/'));
}

// Evaluating the AWS SDK costs about 200 ms of CPU: an import of core (every CLI and server start) must not pay it.
describe('importing core does not load the AWS SDK', () => {
  it.each(['index.js', 'index.cjs', 'node/index.js', 'node/index.cjs'])('dist/%s', async (entry) => {
    const loaded = await loadedBy(dist(entry));
    expect(loaded.filter((path) => /node_modules\/@(aws-sdk|smithy)\//.test(path))).toEqual([]);
    // Proves the probe sees what an import loads: core's own CommonJS dependencies are there.
    expect(loaded.some((path) => path.includes('fastest-levenshtein'))).toBe(true);
  });

  it('the probe sees the SDK when something does load it (control)', async () => {
    const loaded = await loadedBy(fileURLToPath(import.meta.resolve('@aws-sdk/client-s3')));
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
