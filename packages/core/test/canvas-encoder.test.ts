/**
 * `createCanvasEncoder` in real Chromium (Debian's, driven by playwright-core): the platform decodes, turns the photo
 * upright by its EXIF orientation, scales it and encodes WebP; AVIF, which Chromium's canvas cannot encode (it hands
 * back a PNG), is `ERR_IMAGE` and `canEncode` says so beforehand.
 */
import { existsSync } from 'node:fs';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageSize } from '../src/images';
import { makeImage, scratch } from './_support/images';

const CHROMIUM = '/usr/bin/chromium';
let browser: Browser;
let page: Page;
let photo: number[];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error('Chromium is not installed: apt-get install chromium');
  const made = await makeImage(
    await scratch(),
    'photo.jpg',
    ['-size', '300x200', 'plasma:', '-seed', '2'],
    ['-Orientation#=6'],
  );
  photo = [...made.bytes];
  const bundle = await build({
    entryPoints: [new URL('../src/encoders/canvas.ts', import.meta.url).pathname],
    bundle: true,
    format: 'iife',
    globalName: 'canvasEncoder',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  page = await browser.newPage();
  await page.addScriptTag({ content: bundle.outputFiles[0]?.text ?? '' });
});
afterAll(() => browser?.close());

type Outcome = { bytes: number[] } | { code: string; message: string };

/** Encodes the photo in the page; the bytes, or the error's code and message. */
function encodeInPage(format: string, maxSide?: number): Promise<Outcome> {
  return page.evaluate(
    async ({ photo, format, maxSide }) => {
      const { createCanvasEncoder } = (
        globalThis as never as { canvasEncoder: typeof import('../src/encoders/canvas') }
      ).canvasEncoder;
      try {
        const bytes = await createCanvasEncoder().encode(new Uint8Array(photo), {
          contentType: 'image/jpeg',
          format: format as 'webp',
          quality: 80,
          maxSide,
          maxPixels: 1e8,
          keepMetadata: false,
        });
        return { bytes: [...bytes] };
      } catch (error) {
        return { code: (error as { code?: string }).code ?? 'none', message: (error as Error).message };
      }
    },
    { photo, format, maxSide },
  );
}

describe('the canvas encoder in Chromium', () => {
  it('encodes an upright WebP, scaled to maxSide', async () => {
    const outcome = await encodeInPage('webp', 150);
    if (!('bytes' in outcome)) throw new Error(outcome.message);
    const bytes = new Uint8Array(outcome.bytes);
    expect(Buffer.from(bytes.subarray(8, 12)).toString('latin1')).toBe('WEBP');
    expect(readImageSize(bytes)).toEqual({ width: 100, height: 150 });
  });

  it('AVIF, which its canvas cannot encode, is ERR_IMAGE saying so, and canEncode knows it', async () => {
    expect(await encodeInPage('avif')).toMatchObject({
      code: 'ERR_IMAGE',
      message: expect.stringMatching(/cannot encode AVIF images \(the canvas gave image\/png\)/),
    });
    const probes = await page.evaluate(async () => {
      const { canEncode, createCanvasEncoder } = (
        globalThis as never as { canvasEncoder: typeof import('../src/encoders/canvas') }
      ).canvasEncoder;
      return [await canEncode(createCanvasEncoder(), 'webp'), await canEncode(createCanvasEncoder(), 'avif')];
    });
    expect(probes).toEqual([true, false]);
  });
});
