/**
 * The upload page in real Chromium (apt's /usr/bin/chromium driven by playwright-core): paste, drag-drop, progress,
 * copy buttons, history across a reload, delete, and the wrong-key path.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../src/node';
import { KEY, PNG, SECRET } from './_support/fixtures';
import { launchChromium, requireChromium } from './_support/require';

describe('upload page in Chromium', () => {
  // Fails every test here, saying what to install, when the browser is missing.
  beforeAll(() => void requireChromium());
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-browser-'));
    const store = createLocalDiskStore({ dir, publicBaseUrl: 'http://unused/f' });
    server = await serve({
      port: 0,
      hostname: '127.0.0.1',
      uploader: createUploader({ bucket: 'local-disk' }, { store }),
      files: store,
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
      maxFileSize: 1024 * 1024,
      // The browser is on loopback, which is never banned unless asked: the ban test below needs it banned.
      banLoopback: true,
    });
    browser = await launchChromium();
    context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close(true);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());

  it('asks for the key once, then uploads a pasted image', async () => {
    await page.goto(server.url);
    await expect.poll(() => page.isVisible('#key-form')).toBe(true);
    await page.getByLabel('Access key').fill(KEY);
    await page.getByRole('button', { name: 'Save' }).click();
    // Kept once the server said it is right.
    await expect.poll(() => page.isVisible('#key-form')).toBe(false);
    expect(await page.locator('#message').textContent()).toBe('Access key checked and saved.');
    expect(await page.evaluate(() => localStorage.getItem('bytedrop.key'))).toBe(KEY);

    await page.evaluate((bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
      document.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    }, Array.from(PNG));

    const link = page.locator('#uploads li a.url');
    await expect.poll(() => link.count()).toBe(1);
    const url = await link.first().getAttribute('href');
    expect(url).toMatch(new RegExp(`^${server.url}/f/\\d{4}/\\d{2}/\\d{2}/image-[0-9a-f]{16}\\.png$`));
    expect(await page.locator('#uploads li progress').first().getAttribute('aria-label')).toMatch(
      /^Uploaded/,
    );
    expect(
      await page
        .locator('#uploads li progress')
        .first()
        .evaluate((el) => (el as HTMLProgressElement).value),
    ).toBe(100);
    // After the batch the link is on the clipboard.
    await expect.poll(clipboard).toBe(url);
    const served = await fetch(url!);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);
  });

  it('uploads two dropped files one after another, each with a progress bar, and copies both links', async () => {
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(['first dropped file'], 'one.txt', { type: 'text/plain' }));
      data.items.add(new File(['second dropped file'], 'two.txt', { type: 'text/plain' }));
      const zone = document.getElementById('drop')!;
      for (const type of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
      }
    });
    const links = page.locator('#uploads li a.url');
    await expect.poll(() => links.count()).toBe(3);
    expect(await page.locator('#uploads li progress').count()).toBe(3);
    const names = await page.locator('#uploads li .name').allTextContents();
    expect(names.slice(0, 2).sort()).toEqual(['one.txt', 'two.txt']);
    const urls = await page.locator('#uploads li').evaluateAll((items) =>
      items
        .slice(0, 2)
        .reverse()
        .map((item) => item.querySelector('a.url')?.getAttribute('href')),
    );
    await expect.poll(clipboard).toBe(urls.join('\n'));
  });

  it('copies the Markdown the server formatted', async () => {
    const item = page.locator('#uploads li').filter({ hasText: 'image.png' });
    const url = await item.locator('a.url').getAttribute('href');
    await item.getByRole('button', { name: 'Copy Markdown' }).click();
    await expect.poll(clipboard).toBe(`![image.png](${url})`);
    await item.getByRole('button', { name: 'Copy HTML' }).click();
    await expect.poll(clipboard).toBe(`<img src="${url}" alt="image.png" width="1" height="1">`);
  });

  it('shows the history after a reload, and deletes from it', async () => {
    await page.reload();
    const history = page.locator('#history li');
    await expect.poll(() => history.count()).toBe(3);
    expect(await page.isVisible('#key-form')).toBe(false);
    const item = history.filter({ hasText: 'one.txt' });
    const url = (await item.locator('a.url').getAttribute('href'))!;
    await item.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => history.count()).toBe(2);
    expect((await fetch(url)).status).toBe(404);
    await page.reload();
    await expect.poll(() => history.count()).toBe(2);
  });

  it('a deleteUrl opened in the browser (ShareX "Delete") asks first, and its button deletes', async () => {
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'to-delete.png');
    const upload = (await (
      await fetch(`${server.url}/upload`, { method: 'POST', body: form, headers: { authorization: KEY } })
    ).json()) as { url: string; deleteUrl: string };
    const tab = await context.newPage();
    try {
      await tab.goto(upload.deleteUrl);
      expect(await tab.textContent('h1')).toBe('Delete this file?');
      expect((await fetch(upload.url)).status).toBe(200);
      // The page's CSP must let its own form post (form-action 'self').
      await tab.getByRole('button', { name: 'Delete' }).click();
      await expect.poll(() => tab.textContent('h1')).toBe('Deleted');
      expect((await fetch(upload.url)).status).toBe(404);
    } finally {
      await tab.close();
    }
  });

  it('says a wrong key is wrong and asks again, having sent it once', async () => {
    await page.evaluate(() => localStorage.setItem('bytedrop.key', 'not-the-right-key'));
    // The page checks the kept key as it loads; its answer is held here while a file is pasted. The paste must wait
    // for that answer: sent at once, the wrong key would go twice and count twice toward the ban.
    let releaseAuth = () => {};
    let authHeld = () => {};
    const held = new Promise<void>((resolve) => (authHeld = resolve));
    await page.route('**/auth', async (route) => {
      authHeld();
      await new Promise<void>((release) => (releaseAuth = release));
      await route.continue();
    });
    const sent: string[] = [];
    const record = (request: { url(): string }) => sent.push(new URL(request.url()).pathname);
    page.on('request', record);
    try {
      await page.reload({ waitUntil: 'domcontentloaded' });
      await held;
      await page.evaluate(() => {
        const data = new DataTransfer();
        data.items.add(new File(['x'], 'x.txt', { type: 'text/plain' }));
        document.dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
        );
      });
      await expect.poll(() => page.locator('#uploads li').count()).toBe(1);
      releaseAuth();
      await expect.poll(() => page.isVisible('#key-form')).toBe(true);
    } finally {
      releaseAuth();
      await page.unroute('**/auth');
      page.off('request', record);
    }
    const keyed = sent.filter((path) => path === '/auth' || path === '/upload' || path.startsWith('/tus'));
    expect(keyed).toEqual(['/auth']);
    expect(await page.locator('#message').textContent()).toMatch(/Wrong or missing access key/);
    // Entering the right key resumes the waiting file.
    await page.getByLabel('Access key').fill(KEY);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#uploads li a.url').count()).toBe(1);
  });

  it('works from the keyboard: the drop zone is a labelled button that opens the chooser', async () => {
    const chooser = page.waitForEvent('filechooser');
    await page.locator('#drop').focus();
    await page.keyboard.press('Enter');
    const fileChooser = await chooser;
    expect(fileChooser.isMultiple()).toBe(true);
    await fileChooser.setFiles({ name: 'chosen.txt', mimeType: 'text/plain', buffer: Buffer.from('chosen') });
    await expect.poll(() => page.locator('#uploads li a.url').count()).toBe(2);
  });

  it('fits a phone screen without sideways scrolling, history and long links included', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.reload();
    await expect.poll(() => page.locator('#history li').count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  });

  it('says when a file is too large, and keeps going with the rest', async () => {
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(2 * 1024 * 1024)], 'huge.bin'));
      data.items.add(new File(['small'], 'small.txt', { type: 'text/plain' }));
      document.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    });
    const huge = page.locator('#uploads li').filter({ hasText: 'huge.bin' });
    await expect.poll(() => huge.locator('.failed').textContent()).toMatch(/^Too large \(.*1 MB limit/);
    await expect
      .poll(() => page.locator('#uploads li').filter({ hasText: 'small.txt' }).locator('a.url').count())
      .toBe(1);
  });

  // Last: it bans this browser's address for the rest of the suite.
  it('says a ban is a ban, even after the right key is entered again', async () => {
    const paste = () =>
      page.evaluate(() => {
        const data = new DataTransfer();
        data.items.add(new File(['x'], 'x.txt', { type: 'text/plain' }));
        document.dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
        );
      });
    // A key is checked as it is entered: a wrong one is said at once (and counted), and not kept.
    await page.locator('#change-key').click();
    await page.getByLabel('Access key').fill('a-mistyped-key');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#message').textContent()).toMatch(/^Wrong or missing access key/);
    expect(await page.isVisible('#key-form')).toBe(true);
    expect(await page.evaluate(() => localStorage.getItem('bytedrop.key'))).toBe(KEY);

    const messages: (string | null)[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      await page.evaluate((n) => localStorage.setItem('bytedrop.key', `wrong-key-${n}`), attempt);
      // The page checks the kept key as it loads (GET /auth), and the paste's upload waits for that answer (the test
      // above): the check is the one wrong key of each round, and its answer the message.
      await Promise.all([
        page.waitForResponse((response) => new URL(response.url()).pathname === '/auth'),
        page.reload(),
      ]);
      await paste();
      await expect.poll(() => page.isVisible('#key-form')).toBe(true);
      messages.push(await page.locator('#message').textContent());
    }
    // With the wrong keys of the test before and of the form, the first here is the third: checked like the
    // others, it says that it started the ban and when it ends; the next is refused unchecked.
    expect(messages[0]).toMatch(/^Wrong .*last try.*banned until .*Z \(60 minutes\)/);
    expect(messages[1]).toMatch(/^Banned: too many wrong keys/);
    await page.getByLabel('Access key').fill(KEY);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#message').textContent()).toMatch(/^Banned/);
  });
});
