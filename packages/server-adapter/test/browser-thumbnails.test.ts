/**
 * The upload page's history in real Chromium with thumbnails on: an image entry shows the server's small WebP
 * (`thumbnail`, lazy, sized up front), and falls back to the file itself when the answer has none or it fails to load.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore, createSharpEncoder } from '@bytedrop/core/node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../src/node';
import { createThumbnails } from '../src/thumbnails';
import { KEY, SECRET } from './_support/fixtures';
import { launchChromium, requireChromium } from './_support/require';

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A `width` × `height` RGB PNG of one `shade` of grey. */
function png(width: number, height: number, shade: number): Uint8Array<ArrayBuffer> {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, shade)]);
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

interface Shown {
  src: string;
  loading: string;
  width: number;
  height: number;
  naturalWidth: number;
}

describe('upload page history with thumbnails, in Chromium', () => {
  beforeAll(() => void requireChromium());
  const thumbnails = createThumbnails({ encoder: createSharpEncoder(), sizes: [20] });
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-browser-thumbs-'));
    const store = createLocalDiskStore({ dir, publicBaseUrl: 'http://unused/f' });
    server = await serve({
      port: 0,
      hostname: '127.0.0.1',
      uploader: createUploader({ bucket: 'local-disk' }, { store }),
      files: store,
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
      thumbnails,
    });
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close(true);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The upload answer's file for `bytes`, stored through the server as the page would. */
  const upload = async (name: string, bytes: Uint8Array<ArrayBuffer>) => {
    const form = new FormData();
    form.append('file', new Blob([bytes]), name);
    const response = await fetch(`${server.url}/upload`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { files: Record<string, unknown>[] }).files[0]!;
  };

  /** The history item of `name`'s image, once it has loaded. */
  const shown = async (name: string): Promise<Shown> => {
    const img = page.locator('#history li').filter({ hasText: name }).locator('img.thumb');
    await expect
      .poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth))
      .toBeTruthy();
    return img.evaluate((el: HTMLImageElement) => ({
      src: el.src,
      loading: el.getAttribute('loading') ?? '',
      width: el.width,
      height: el.height,
      naturalWidth: el.naturalWidth,
    }));
  };

  it('shows the thumbnail of an image, lazy and sized; the file itself without one or when it fails', async () => {
    const wide = await upload('wide.png', png(200, 100, 40));
    const missing = await upload('missing.png', png(60, 120, 80));
    const plain = await upload('plain.png', png(50, 50, 120));
    await thumbnails.idle();
    expect(wide.thumbnail).toBe(`${wide.url}.thumb-20.webp`);
    // A thumbnail that is not there (not made yet, or gone): the page shows the file instead.
    missing.thumbnail = `${server.url}/f/gone.png.thumb-20.webp`;
    // An answer from a server without thumbnails.
    delete plain.thumbnail;
    await page.goto(server.url);
    await page.evaluate(
      ([key, entries]) => {
        localStorage.setItem('bytedrop.key', key);
        localStorage.setItem('bytedrop.history', JSON.stringify(entries));
      },
      [KEY, [wide, missing, plain]] as const,
    );
    await page.reload();

    // 200×100 fits the 96×64 box as 96×48; the WebP itself is 20 px wide.
    expect(await shown('wide.png')).toEqual({
      src: wide.thumbnail,
      loading: 'lazy',
      width: 96,
      height: 48,
      naturalWidth: 20,
    });
    expect(await shown('missing.png')).toMatchObject({
      src: missing.url,
      width: 32,
      height: 64,
      naturalWidth: 60,
    });
    expect(await shown('plain.png')).toMatchObject({ src: plain.url, loading: '', naturalWidth: 50 });
  });
});
