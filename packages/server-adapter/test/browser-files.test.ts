/**
 * The upload page's Files view in real Chromium, on a server with a catalog: the list (thumbnails, name, size, type,
 * date), each upload once, private/public from a row, search and folder, infinite scroll, ZIP and delete of a selection, link formats,
 * expiring links, usage, admin statistics, escaped names, and a phone-wide layout.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore, createSharpEncoder } from '@bytedrop/core/node';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSqliteCatalog } from '../src/catalog/sqlite';
import type { Catalog } from '../src/catalog/types';
import { type RunningServer, serve } from '../src/node';
import { createThumbnails } from '../src/thumbnails';
import { ADMIN_KEY, seed } from './_support/api';
import { KEY, PNG, SECRET } from './_support/fixtures';
import { launchChromium, requireChromium } from './_support/require';

const run = promisify(execFile);
/** Waits for a page state; generous, for a loaded machine (it returns as soon as the state is there). */
const until = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });

describe('upload page Files view in Chromium', () => {
  beforeAll(() => void requireChromium());
  const thumbnails = createThumbnails({ encoder: createSharpEncoder(), sizes: [20] });
  let dir: string;
  let catalog: Catalog;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-browser-files-'));
    const store = createLocalDiskStore({ dir, publicBaseUrl: 'http://unused/f' });
    catalog = await createSqliteCatalog({ file: ':memory:' });
    server = await serve({
      port: 0,
      hostname: '127.0.0.1',
      uploader: createUploader({ bucket: 'local-disk' }, { store }),
      files: store,
      catalog,
      keys: [
        { name: 'a', key: KEY },
        { name: 'root', key: ADMIN_KEY, admin: true },
      ],
      secret: SECRET,
      thumbnails,
    });
    browser = await launchChromium();
    context = await browser.newContext({ acceptDownloads: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
    await page.goto(server.url);
    await page.evaluate((key) => localStorage.setItem('bytedrop.key', key), KEY);
    await page.reload();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close(true);
    await catalog?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const rows = () => page.locator('#files li');
  const row = (name: string) => rows().filter({ hasText: name });
  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
  const api = async (path: string, key = KEY) => {
    const response = await fetch(`${server.url}/api/${path}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  /** Pastes files into the page as a screenshot paste would. */
  const paste = (files: { name: string; type: string; bytes: number[] }[]) =>
    page.evaluate((list) => {
      const data = new DataTransfer();
      for (const file of list)
        data.items.add(new File([new Uint8Array(file.bytes)], file.name, { type: file.type }));
      document.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    }, files);
  const text = (name: string, body = name) => ({ name, type: 'text/plain', bytes: [...Buffer.from(body)] });

  it('lists each upload once, with its thumbnail, name, size, type and date, and the usage', async () => {
    await paste([{ name: 'shot.png', type: 'image/png', bytes: [...PNG] }, text('alpha.txt', 'alpha!')]);
    await until(() => rows().count()).toBe(2);
    // Once: the finished uploads leave the progress list for the Files view; the local history is not shown. A
    // listing started by the first answer may already hold the second file before the page has read its answer, so
    // wait for the list to empty rather than read it once.
    await until(() => page.locator('#uploads li').count()).toBe(0);
    expect(await page.isVisible('#history-section')).toBe(false);
    // Made after the answer: once it is there, a fresh listing shows it (before, the img falls back to the file).
    await thumbnails.idle();
    await page.reload();
    await until(() => rows().count()).toBe(2);
    const img = row('shot.png').locator('img.thumb');
    expect(await img.getAttribute('src')).toMatch(/\/f\/.*shot.*\.png\.thumb-20\.webp$/);
    // Loaded, and not the fallback to the file itself (a 1×1 PNG: its thumbnail is 1 px too).
    await until(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(1);
    expect(await img.evaluate((el: HTMLImageElement) => el.currentSrc)).toMatch(/\.thumb-20\.webp$/);
    const meta = await row('alpha.txt').locator('.hint').textContent();
    expect(meta).toMatch(/^6 B · text\/plain · /);
    expect(await row('alpha.txt').locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    await until(() => page.locator('#usage').textContent()).toMatch(/Files: 2.*Uploads today: 2/);
    expect(await page.locator('#files-count').textContent()).toBe('2 files');
  });

  it('shows a file named like markup as text', async () => {
    const name = '<img src=x onerror="window.__xss=1">.txt';
    await catalog.record(seed('a/evil.txt', { owner: 'a', filename: name, contentType: 'text/plain' }));
    await page.reload();
    await until(() => row('onerror').count()).toBe(1);
    expect(await row('onerror').locator('.name').textContent()).toBe(name);
    expect(await page.locator('#files img:not(.thumb)').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('copies the URL, Markdown and HTML of a file', async () => {
    const item = row('shot.png');
    const url = (await api('files?q=shot')).body.files as { url: string }[];
    await item.getByRole('button', { name: 'Copy URL' }).click();
    await until(clipboard).toBe(url[0]!.url);
    await item.getByRole('button', { name: 'Copy Markdown' }).click();
    await until(clipboard).toBe(`![shot.png](${url[0]!.url})`);
    await item.getByRole('button', { name: 'Copy HTML' }).click();
    await until(clipboard).toBe(`<img src="${url[0]!.url}" alt="shot.png">`);
    await row('alpha.txt').getByRole('button', { name: 'Copy Markdown' }).click();
    await until(clipboard).toMatch(/^\[alpha\.txt\]\(http:\/\/.*alpha.*\.txt\)$/);
  });

  it('uploads private files, which only an expiring link opens, without a key, until it expires', async () => {
    await page.locator('#private').check();
    await paste([text('secret.txt', 'top secret')]);
    await until(() => row('secret.txt').count()).toBe(1);
    // The upload copies its own link (for an hour) first.
    await until(() => page.locator('#message').textContent()).toBe('Uploaded and copied the link.');
    await page.locator('#private').uncheck();
    const item = row('secret.txt');
    expect(await item.textContent()).toContain('private');
    // No public URL to copy: only a link that expires.
    expect(await item.getByRole('button', { name: 'Copy URL' }).count()).toBe(0);
    await page.locator('#expiry').selectOption({ label: '1 day' });
    const asked = Date.now();
    await item.getByRole('button', { name: 'Copy expiring link' }).click();
    await until(() => page.locator('#message').textContent()).toMatch(
      /^Copied a link to secret\.txt that expires /,
    );
    expect(await clipboard()).toMatch(/secret.*\?expires=\d+&sig=/);
    const link = await clipboard();
    const expires = Number(new URL(link).searchParams.get('expires'));
    expect(expires * 1000).toBeGreaterThanOrEqual(Math.floor(asked / 1000) * 1000 + 86_400_000);
    expect(expires * 1000).toBeLessThanOrEqual(Date.now() + 86_400_000);
    const open = await fetch(link);
    expect(open.status).toBe(200);
    expect(await open.text()).toBe('top secret');
    // The server's clock past the expiry (this process runs it): the same link is refused.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(expires * 1000 + 1000);
      const late = await fetch(link);
      expect(late.status).toBe(403);
      expect(((await late.json()) as { msg: string }).msg).toMatch(/^this link expired at/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('makes a file public and private again from its row', async () => {
    await row('secret.txt').getByRole('button', { name: 'Make public' }).click();
    await until(() => page.locator('#message').textContent()).toBe('secret.txt is public now.');
    await until(() => row('secret.txt').getByRole('button', { name: 'Copy URL' }).count()).toBe(1);
    const [listed] = (await api('files?q=secret')).body.files as { key: string; url: string }[];
    expect(listed!.key).not.toMatch(/^private\//);
    expect(await (await fetch(listed!.url)).text()).toBe('top secret');
    await row('secret.txt').getByRole('button', { name: 'Make private' }).click();
    await until(() => page.locator('#message').textContent()).toBe('secret.txt is private now.');
    await until(() => row('secret.txt').getByRole('button', { name: 'Copy URL' }).count()).toBe(0);
    expect((await fetch(listed!.url)).status).toBe(404);
  });

  it('searches by name and filters by folder', async () => {
    await page.locator('#q').fill('alp');
    await until(() => rows().allTextContents()).toEqual([expect.stringContaining('alpha.txt')]);
    expect(await page.locator('#files-count').textContent()).toBe('1 file found');
    await page.locator('#q').fill('');
    await until(() => rows().count()).toBe(4);
    // Private files are under private/: the folder filter shows them alone.
    await page.locator('#folder').fill('private/');
    await until(() => rows().allTextContents()).toEqual([expect.stringContaining('secret.txt')]);
    expect(await page.locator('#folders option[value="private/"]').count()).toBe(1);
    await page.locator('#folder').fill('');
    await until(() => rows().count()).toBe(4);
  });

  it('loads the next page as the end of the list comes into view', async () => {
    const cursors: string[] = [];
    page.on('request', (request) => {
      const cursor = new URL(request.url()).searchParams.get('cursor');
      if (request.url().includes('/api/files?') && cursor) cursors.push(cursor);
    });
    await page.setViewportSize({ width: 800, height: 400 });
    await page.goto(`${server.url}/?page-size=1`);
    await until(() => rows().count()).toBeGreaterThanOrEqual(1);
    // Scrolled to the end again and again, as a reader would, until the last page is in.
    const more = page.locator('#more');
    await until(async () => {
      if (await more.isVisible()) await more.scrollIntoViewIfNeeded();
      return rows().count();
    }).toBe(4);
    expect(cursors.length).toBeGreaterThanOrEqual(3);
    expect(await page.isVisible('#more')).toBe(false);
  });

  it('downloads the selected files as one ZIP', async () => {
    await row('alpha.txt').getByRole('checkbox').check();
    await row('secret.txt').getByRole('checkbox').check();
    expect(await page.locator('#selected-count').textContent()).toBe('2 selected');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download ZIP' }).click();
    const file = join(dir, 'got.zip');
    await (await download).saveAs(file);
    await run('unzip', ['-t', file]);
    const { stdout } = await run('unzip', ['-Z1', file]);
    expect(stdout.trim().split('\n').sort()).toEqual([
      expect.stringMatching(/alpha.*\.txt$/),
      expect.stringMatching(/secret.*\.txt$/),
    ]);
    const alpha = stdout.split('\n').find((name) => name.includes('alpha'))!;
    expect((await run('unzip', ['-p', file, alpha])).stdout).toBe('alpha!');
  });

  it('deletes the selected files only after a confirmation', async () => {
    const keys = ((await api('files')).body.files as { key: string; filename: string }[])
      .filter((file) => ['alpha.txt', 'secret.txt'].includes(file.filename))
      .map((file) => file.key);
    expect(keys).toHaveLength(2);
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.getByRole('button', { name: 'Delete' }).click();
    expect(await rows().count()).toBe(4);
    const asked = page.waitForEvent('dialog');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete' }).click();
    expect((await asked).message()).toMatch(/^Delete 2 files\?/);
    await until(() => rows().count()).toBe(2);
    await until(() => page.locator('#message').textContent()).toBe('Deleted 2 files.');
    for (const key of keys) expect((await api(`files/${key}`)).status).toBe(404);
    await until(() => page.locator('#usage').textContent()).toMatch(/Files: 2/);
  });

  it('shows the statistics to an admin key only', async () => {
    expect(await page.isVisible('#stats-section')).toBe(false);
    await page.evaluate((key) => localStorage.setItem('bytedrop.key', key), ADMIN_KEY);
    await page.reload();
    await until(() => page.isVisible('#stats-section')).toBe(true);
    expect(await page.locator('#stats caption').allTextContents()).toEqual(['Top owners', 'Top types']);
    expect(await page.locator('#stats').textContent()).toMatch(/\d+ uploads/);
    await page.evaluate((key) => localStorage.setItem('bytedrop.key', key), KEY);
    await page.reload();
    await until(() => rows().count()).toBe(2);
    expect(await page.isVisible('#stats-section')).toBe(false);
  });

  it('fits 390 px wide without sideways scrolling, long names included', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    // No hyphen or space to break at: the name must wrap anywhere.
    await paste([text(`${'verylongfilename'.repeat(10)}.txt`)]);
    await until(() => row('verylong').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });
});
