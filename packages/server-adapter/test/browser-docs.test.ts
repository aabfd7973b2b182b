/**
 * In real Chromium: the upload page links the API's readable page (`/api/docs`), which shows every operation of the
 * OpenAPI document with nothing loaded from elsewhere; and a key with a quota and an upload rate sees its usage
 * against them ("of N", with meters), updated after an upload.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteCatalog } from '../src/catalog/sqlite';
import type { Catalog } from '../src/catalog/types';
import { type RunningServer, serve } from '../src/node';
import { createRateLimits } from '../src/rate-limits';
import { KEY, SECRET } from './_support/fixtures';
import { launchChromium, requireChromium } from './_support/require';

/** Waits for a page state; generous, for a loaded machine (it returns as soon as the state is there). */
const until = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });

describe('API docs page and usage limits in Chromium', () => {
  beforeAll(() => void requireChromium());
  let dir: string;
  let catalog: Catalog;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  /** Every URL the page asked for, every failed answer but the favicon's, and every other console error (a CSP
   * refusal is one). */
  const requested: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-browser-docs-'));
    const store = createLocalDiskStore({ dir, publicBaseUrl: 'http://unused/f' });
    catalog = await createSqliteCatalog({ file: ':memory:' });
    server = await serve({
      port: 0,
      hostname: '127.0.0.1',
      uploader: createUploader({ bucket: 'local-disk' }, { store }),
      files: store,
      catalog,
      keys: [{ name: 'a', key: KEY, quota: { files: 3, bytes: 1_000_000 }, rates: { perDay: 5 } }],
      secret: SECRET,
      rateLimits: createRateLimits(),
    });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('request', (request) => requested.push(request.url()));
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/favicon.ico'))
        errors.push(`${response.status()} ${response.url()}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        errors.push(message.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close(true);
    await catalog?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('links /api/docs from the upload page; it shows every operation, loading nothing from elsewhere', async () => {
    await page.goto(server.url);
    await page.getByRole('link', { name: 'its documentation' }).click();
    await page.waitForURL(`${server.url}/api/docs`);
    const document = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { summary: string }>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      ['get', 'post', 'patch', 'delete'].filter((method) => item[method]).map((method) => ({ method, path })),
    );
    expect(operations).toHaveLength(15);
    const headings = page.locator('#operations .op h3');
    expect(await headings.allInnerTexts()).toEqual(
      operations.map(({ method, path }) => `${method.toUpperCase()} ${path}`),
    );
    const files = page.locator('#listFiles');
    expect(await files.isVisible()).toBe(true);
    expect(await files.getByText(document.paths['/api/files']!.get!.summary).isVisible()).toBe(true);
    expect(await files.getByRole('cell', { name: 'cursor?' }).isVisible()).toBe(true);
    await files.getByRole('link', { name: 'FilePage' }).click();
    await until(() => page.evaluate(() => location.hash)).toBe('#schema-FilePage');
    expect(requested.filter((url) => !url.startsWith(server.url))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("shows the usage against the key's quota and daily rate, with meters, and counts an upload", async () => {
    expect(errors).toEqual([]);
    await page.goto(server.url);
    await page.evaluate((key) => localStorage.setItem('bytedrop.key', key), KEY);
    await page.reload();
    const usage = page.locator('#usage');
    await until(() => usage.textContent()).toBe('Files: 0 of 3 Stored: 0 B of 1.0 MB Uploads today: 0 of 5 ');
    expect(
      await usage.locator('meter').evaluateAll((meters) => meters.map((m) => (m as HTMLMeterElement).max)),
    ).toEqual([3, 1_000_000, 5]);
    await page.setInputFiles('#picker', {
      name: 'one.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('12345'),
    });
    await until(() => usage.textContent()).toBe('Files: 1 of 3 Stored: 5 B of 1.0 MB Uploads today: 1 of 5 ');
    expect(
      await usage
        .locator('meter')
        .first()
        .evaluate((m) => (m as HTMLMeterElement).value),
    ).toBe(1);
    expect(errors).toEqual([]);
  });
});
