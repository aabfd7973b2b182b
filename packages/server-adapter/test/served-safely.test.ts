/**
 * Uploaded bytes never run where they are served. On radosgw, which serves back the headers an object was stored
 * with: HTML and SVG uploaded through the server are stored as downloads under their honest type, so opening their
 * link in real Chromium runs none of their script; UTF-8 text says so. And `ALLOWED_TYPES=image/*` is no way in for
 * SVG, which can carry script.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRgw } from '../../core/test/_support/rgw';
import { inspector } from '../../core/test/_support/s3';
import { body, KEY, localFixture, ORIGIN, uploadRequest } from './_support/fixtures';
import { launchChromium, requireChromium } from './_support/require';
import { rgwHandler } from './_support/rgw-server';

const rgw = useRgw('server-served');

/** A server that records which scripts ran: each one fetches /ran?<marker>. */
async function startBeacon() {
  const ran: string[] = [];
  const waiting = new Map<string, () => void>();
  const server: Server = createServer((request, response) => {
    const marker = new URL(request.url ?? '/', 'http://beacon').search.slice(1);
    ran.push(marker);
    waiting.get(marker)?.();
    response.writeHead(204, { 'access-control-allow-origin': '*' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ran`;
  return {
    ran,
    script: (marker: string) => `fetch('${url}?${marker}', { mode: 'no-cors' })`,
    /** Settles once the script marked `marker` ran. */
    hit: (marker: string) =>
      ran.includes(marker) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(marker, resolve)),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('files opened from radosgw in Chromium', () => {
  // Fails every test here, saying what to install, when the browser is missing.
  beforeAll(() => void requireChromium());
  let browser: Browser;
  let beacon: Awaited<ReturnType<typeof startBeacon>>;
  beforeAll(async () => {
    beacon = await startBeacon();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await beacon?.close();
  });

  const documents = () => [
    {
      name: 'page.html',
      text: `<!doctype html><p>hi</p><script>${beacon.script('html')}</script>`,
      type: 'text/html',
    },
    {
      name: 'drawing.svg',
      text: `<svg xmlns="http://www.w3.org/2000/svg"><script>${beacon.script('svg')}</script></svg>`,
      type: 'image/svg+xml',
    },
  ];

  it('stores HTML and SVG uploaded through the server as downloads, and Chromium runs none of their script', async () => {
    const handler = rgwHandler(rgw, {}, { keyTemplate: 'served/{name}-{hash:16}.{ext}' });
    const context = await browser.newContext({ acceptDownloads: true });
    try {
      for (const doc of documents()) {
        const uploaded = await body(await handler(uploadRequest([{ name: doc.name, body: doc.text }])));
        const { url } = uploaded.files[0]!;
        const served = await fetch(url);
        expect(served.headers.get('content-type')).toBe(`${doc.type}; charset=utf-8`);
        expect(served.headers.get('content-disposition')).toMatch(
          new RegExp(`^attachment; filename="${doc.name}"`),
        );
        const page = await context.newPage();
        const download = page.waitForEvent('download');
        await page.goto(url).catch(() => undefined);
        expect((await download).suggestedFilename()).toBe(doc.name);
        await page.close();
      }

      // The control: the same files stored as a bucket stores them by default do run, so the beacon would tell.
      for (const doc of documents()) {
        const key = `control/${doc.name}`;
        await inspector(rgw.direct).send(
          new PutObjectCommand({ Bucket: rgw.bucket, Key: key, Body: doc.text, ContentType: doc.type }),
        );
        const page = await context.newPage();
        await page.goto(`${rgw.direct.endpoint}/${rgw.bucket}/${key}`);
        await beacon.hit(doc.name.endsWith('.svg') ? 'svg' : 'html');
        await page.close();
      }
      // Each script ran once: from the control copy, never from the upload.
      expect(beacon.ran.sort()).toEqual(['html', 'svg']);
    } finally {
      await context.close();
    }
  });

  it('serves UTF-8 text inline with charset=utf-8', async () => {
    const handler = rgwHandler(rgw, {}, { keyTemplate: 'text/{name}-{hash:16}.{ext}' });
    const uploaded = await body(await handler(uploadRequest([{ name: 'notes.txt', body: 'héllo, wörld' }])));
    const served = await fetch(uploaded.files[0]!.url);
    expect(served.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(served.headers.get('content-disposition')).toBeNull();
    expect(await served.text()).toBe('héllo, wörld');
  });
});

describe('ALLOWED_TYPES', () => {
  it('does not let image/* admit SVG, which can carry script; naming SVG does', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>';
    const images = await localFixture({ allowedTypes: ['image/*'] });
    const named = await localFixture({ allowedTypes: ['image/*', 'image/svg+xml'] });
    try {
      const refused = await images.handler(uploadRequest([{ name: 'dot.svg', body: svg }]));
      expect(refused.status).toBe(415);
      expect(await refused.json()).toMatchObject({
        code: 'ERR_UNSUPPORTED_TYPE',
        msg: expect.stringContaining('image/svg+xml'),
      });
      expect(await images.objects()).toEqual([]);
      const png = await images.handler(
        new Request(`${ORIGIN}/upload/dot.png`, {
          method: 'PUT',
          body: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]),
          headers: { authorization: KEY },
        }),
      );
      expect(png.status).toBe(200);
      expect((await named.handler(uploadRequest([{ name: 'dot.svg', body: svg }]))).status).toBe(200);
    } finally {
      await images.dispose();
      await named.dispose();
    }
  });
});
