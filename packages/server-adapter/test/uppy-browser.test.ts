/**
 * Uppy, unmodified, in real Chromium against the Node runner on radosgw: `@uppy/core` with `@uppy/aws-s3`
 * (multipart through the signing routes, the bytes straight to the bucket) and with `@uppy/tus` (through /tus/).
 * The page is Uppy bundled by esbuild and served at its own origin (a second loopback server), so everything crosses origins as in production: the server's CORS, and the bucket CORS that
 * `bytedrop doctor --fix-cors` sets. The file is `BYTEDROP_UPPY_MIB` MiB (default 50), generated in the page from a
 * seed and regenerated here to compare the stored object byte for byte.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createUploader } from '@bytedrop/core';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBytedropCors } from '../../core/src/node/s3-cors';
import { rgwConfig, useRgw } from '../../core/test/_support/rgw';
import { getBytes, inspector, MiB } from '../../core/test/_support/s3';
import { type RunningServer, serve } from '../src/node';
import { KEY, SECRET } from './_support/fixtures';
import { launchChromium, requireChromium } from './_support/require';
import { SHARED_KEYS, uploadsIn } from './_support/rgw-server';

const rgw = useRgw('server-uppy');
const SIZE = Number(process.env.BYTEDROP_UPPY_MIB ?? 50) * MiB;

/** The same bytes here and in the page: xorshift32 words from `seed`. */
const GENERATE = `(size, seed) => {
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = seed >>> 0;
  for (let i = 0; i < words.length; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; words[i] = x; }
  return new Uint8Array(words.buffer, 0, size);
}`;
const generate = new Function(`return ${GENERATE}`)() as (size: number, seed: number) => Uint8Array;

/** The test page's script: unmodified Uppy packages, and two functions the test calls. */
const ENTRY = `
import Uppy from '@uppy/core';
import AwsS3 from '@uppy/aws-s3';
import Tus from '@uppy/tus';
const generate = ${GENERATE};
async function run(plugin, options, size, seed) {
  const uppy = new Uppy({ autoProceed: false });
  uppy.use(plugin, options);
  const parts = [];
  uppy.on('s3-multipart:part-uploaded', (_file, part) => parts.push(part.PartNumber));
  uppy.addFile({ name: 'big.bin', type: 'application/octet-stream', data: new Blob([generate(size, seed)]) });
  const result = await uppy.upload();
  return {
    parts,
    successful: result.successful.map((file) => ({ uploadURL: file.response.uploadURL, body: file.response.body })),
    failed: result.failed.map((file) => String(file.error)),
  };
}
window.uploadS3 = (endpoint, size, seed) => run(AwsS3, { companionEndpoint: endpoint, shouldUseMultipart: true }, size, seed);
window.uploadTus = (endpoint, key, size, seed) =>
  run(Tus, { endpoint, headers: { authorization: 'Bearer ' + key }, chunkSize: 8 * 1024 * 1024, retryDelays: [0, 500] }, size, seed);
`;

interface Outcome {
  parts: number[];
  successful: { uploadURL: string; body: { location?: string; key?: string } }[];
  failed: string[];
}

describe('Uppy in Chromium', () => {
  beforeAll(() => void requireChromium());
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let pages: Server;

  beforeAll(async () => {
    const bundle = await build({
      stdin: { contents: ENTRY, resolveDir: import.meta.dirname, loader: 'js' },
      bundle: true,
      format: 'iife',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]!.text;
    pages = createServer((request, response) => {
      const js = request.url === '/uppy.js';
      response.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' });
      response.end(js ? script : '<!doctype html><script src="/uppy.js"></script>');
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    const PAGE = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    const uploader = createUploader(
      rgwConfig(rgw.direct, {
        publicBaseUrl: `${rgw.direct.endpoint}/${rgw.bucket}`,
        keyTemplate: 'uppy/{hash:16}.{ext}',
      }),
    );
    server = await serve({
      port: 0,
      hostname: '127.0.0.1',
      uploader,
      keys: SHARED_KEYS,
      secret: SECRET,
      maxFileSize: 64 * MiB,
      corsOrigins: [PAGE],
    });
    // What `bytedrop doctor --fix-cors <page origin>` sets: without it the browser cannot read a part's ETag.
    await setBytedropCors(inspector(rgw.direct), rgw.bucket, [PAGE]);
    browser = await launchChromium();
    const context = await browser.newContext();
    // Chromium asks before a page calls a loopback address (Local Network Access); a visitor would click Allow.
    await context.grantPermissions(['local-network-access'], { origin: PAGE });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') console.error(`page: ${message.text()}`);
    });
    await page.route(`${PAGE}/**`, (route) =>
      route.request().url().endsWith('/uppy.js')
        ? route.fulfill({ contentType: 'text/javascript', body: script })
        : route.fulfill({
            contentType: 'text/html',
            body: '<!doctype html><script src="/uppy.js"></script>',
          }),
    );
    await page.goto(`${PAGE}/`);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close(true);
    await new Promise((resolve) => pages?.close(resolve));
  });

  const stored = async (key: string) => Buffer.from(await getBytes(inspector(rgw.direct), rgw.bucket, key));

  it(`@uppy/aws-s3 multipart: ${SIZE / MiB} MiB straight to the bucket, checked and placed by the server`, async () => {
    const session = await fetch(`${server.url}/s3/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
    });
    const { companionEndpoint } = (await session.json()) as { companionEndpoint: string };
    const outcome = (await page.evaluate(
      ([endpoint, size]) =>
        (window as unknown as { uploadS3: (...a: unknown[]) => Promise<unknown> }).uploadS3(
          endpoint,
          size,
          7,
        ),
      [companionEndpoint, SIZE] as const,
    )) as Outcome;
    expect(outcome.failed).toEqual([]);
    expect(outcome.parts.length).toBe(Math.ceil(SIZE / (5 * MiB)));
    const [done] = outcome.successful;
    expect(done!.body.key).toMatch(/^uppy\/[0-9a-f]{16}\.bin$/);
    expect(done!.uploadURL).toBe(`${rgw.direct.endpoint}/${rgw.bucket}/${done!.body.key}`);
    const expected = generate(SIZE, 7);
    expect((await stored(done!.body.key!)).equals(expected)).toBe(true);
    const link = await fetch(done!.uploadURL);
    expect(link.status).toBe(200);
    expect(Buffer.from(await link.arrayBuffer()).equals(expected)).toBe(true);
    expect(await uploadsIn(rgw, '.bytedrop-tmp/server/s3/')).toEqual([]);
  }, 300_000);

  it(`@uppy/tus: ${SIZE / MiB} MiB through /tus/, the link from the upload URL`, async () => {
    const outcome = (await page.evaluate(
      ([endpoint, key, size]) =>
        (window as unknown as { uploadTus: (...a: unknown[]) => Promise<unknown> }).uploadTus(
          endpoint,
          key,
          size,
          11,
        ),
      [`${server.url}/tus/`, KEY, SIZE] as const,
    )) as Outcome;
    expect(outcome.failed).toEqual([]);
    const [done] = outcome.successful;
    const answer = await fetch(done!.uploadURL, {
      headers: { accept: 'application/json', 'tus-resumable': '1.0.0', authorization: `Bearer ${KEY}` },
    });
    const body = (await answer.json()) as { url: string; files: { key: string }[] };
    const key = body.files[0]!.key;
    expect(key).toMatch(/^uppy\/[0-9a-f]{16}\.bin$/);
    const expected = generate(SIZE, 11);
    expect((await stored(key)).equals(expected)).toBe(true);
    expect(Buffer.from(await (await fetch(body.url)).arrayBuffer()).equals(expected)).toBe(true);
  }, 300_000);
});
