/**
 * One real editor for an e2e file: code-server with the .vsix built and installed for this run (e2e/_setup/global.ts), a workspace with `note.md` open, and
 * Bytedrop configured against an S3 endpoint (or not at all). Settings go to the user-data-dir's settings.json; the
 * secret reaches the extension host as BYTEDROP_SECRET_ACCESS_KEY (the documented fallback).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { inject } from 'vitest';
import { type Editor, runCommand, startEditor } from './editor';

/** Where Bytedrop uploads to: an s3rver (or a fault proxy in front of one). */
export interface S3Settings {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The public base URL; defaults to endpoint/bucket. */
  publicBaseUrl?: string;
}

export interface Session {
  editor: Editor;
  page: Page;
  workspace: string;
  /** code-server's user-data-dir (settings, logs, the extension's storage). */
  userData: string;
  /**
   * Changes user settings as the Settings editor would (the user's settings.json) and resolves once the window has
   * applied them: the status bar is shown or hidden with them, and the test waits for that.
   */
  updateSettings(patch: Record<string, unknown>): Promise<void>;
  /** What the extension wrote to its output channel so far, from the log file VS Code keeps of it. */
  outputChannel(name: string): Promise<string>;
  /** The note's text once saved to disk, pressing Ctrl+S until `check` passes. */
  savedNoteWhen(check: (text: string) => boolean, note?: string): Promise<string>;
  /** Clicks into the note and puts the cursor at its end. */
  focusEndOfNote(): Promise<void>;
  stop(): Promise<void>;
}

const QUIET = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'files.autoSave': 'off',
};

/**
 * Starts the editor on a workspace holding `files` (note.md at least) and opens note.md.
 *
 * @example
 * ```ts
 * const session = await startSession({ s3: { endpoint, bucket, accessKeyId, secretAccessKey }, makeDefault: true });
 * ```
 */
export async function startSession(options: {
  s3?: S3Settings;
  /** Put Bytedrop first in the paste and drop preferences (what "Make default" writes). */
  makeDefault?: boolean;
  files?: Record<string, string | Uint8Array>;
  /** Upload to a Bytedrop server instead (`bytedrop.target: server`), its key given as BYTEDROP_SERVER_ACCESS_KEY. */
  server?: { url: string; accessKey: string };
  /** More user settings, as the user's settings.json holds them (e.g. `bytedrop.tusChunkSizeMB`). */
  settings?: Record<string, unknown>;
}): Promise<Session> {
  const dir = await mkdtemp(join(tmpdir(), 'bytedrop-e2e-'));
  const workspace = join(dir, 'workspace');
  await mkdir(workspace);
  for (const [path, content] of Object.entries({ 'note.md': '# Note\n\n', ...options.files })) {
    await mkdir(join(workspace, path, '..'), { recursive: true });
    await writeFile(join(workspace, path), content);
  }
  const { s3, server } = options;
  const settings: Record<string, unknown> = {
    ...QUIET,
    ...(s3
      ? {
          'bytedrop.provider': 'minio',
          'bytedrop.endpoint': s3.endpoint,
          'bytedrop.region': 'us-east-1',
          'bytedrop.bucket': s3.bucket,
          'bytedrop.accessKeyId': s3.accessKeyId,
          'bytedrop.publicBaseUrl': s3.publicBaseUrl ?? `${s3.endpoint}/${s3.bucket}`,
          'bytedrop.forcePathStyle': 'true',
        }
      : {}),
    ...(server ? { 'bytedrop.target': 'server', 'bytedrop.serverUrl': server.url } : {}),
    ...(options.makeDefault
      ? {
          'editor.pasteAs.preferences': ['markdown.link.image.bytedrop'],
          'editor.dropIntoEditor.preferences': ['markdown.link.image.bytedrop'],
        }
      : {}),
    ...options.settings,
  };
  const userData = join(dir, 'user-data');
  // A start that fails gives the test no session to stop: the folder (the editor's copy of the extensions, its user
  // data) is removed here, or it stays in /tmp.
  const editor = await startEditor({
    extensions: inject('extensions'),
    dir,
    workspace,
    env: {
      ...(s3 ? { BYTEDROP_SECRET_ACCESS_KEY: s3.secretAccessKey } : {}),
      ...(server ? { BYTEDROP_SERVER_ACCESS_KEY: server.accessKey } : {}),
    },
    settings,
  }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  const { page } = editor;
  const session: Session = {
    editor,
    page,
    workspace,
    userData,
    async updateSettings(patch) {
      // Through VS Code's own settings.json editor: a write from outside is not always noticed once VS Code has
      // written the file itself (Make default). What VS Code wrote stays; the status bar's visibility flips with the
      // change, so the test knows when it applied.
      const current = JSON.parse(await readFile(join(userData, 'User/settings.json'), 'utf8'));
      const statusBar = current['workbench.statusBar.visible'] === false;
      const text = JSON.stringify(
        { ...current, ...patch, 'workbench.statusBar.visible': statusBar },
        null,
        2,
      );
      await runCommand(page, 'Preferences: Open User Settings (JSON)');
      // VS Code 1.139 opens it over the workbench, in a modal editor.
      const json = page.locator('.monaco-editor .view-lines', { hasText: 'workbench.startupEditor' });
      await json.click();
      await page.keyboard.press('Control+A');
      await page.evaluate((text) => {
        const transfer = new DataTransfer();
        transfer.setData('text/plain', text);
        (document.activeElement as HTMLElement).dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }),
        );
      }, text);
      await page.keyboard.press('Control+S');
      await page
        .locator('.part.statusbar')
        .waitFor({ state: statusBar ? 'visible' : 'hidden', timeout: 30_000 });
      // Escape closes the modal editor (the command palette does not open over it). While a notification toast is
      // shown, Escape hides the toasts first (they stay in the notification center): then it takes a second one.
      for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('Escape');
        try {
          await json.waitFor({ state: 'detached', timeout: 5_000 });
          break;
        } catch (error) {
          if (attempt === 3) throw error;
        }
      }
    },
    async outputChannel(name) {
      const logs = join(userData, 'logs');
      const files = (await readdir(logs, { recursive: true })).filter((path) =>
        path.endsWith(`-${name}.log`),
      );
      const texts = await Promise.all(files.map((path) => readFile(join(logs, path), 'utf8')));
      return texts.join('');
    },
    async savedNoteWhen(check, note = 'note.md') {
      let text = '';
      let matched: string | undefined;
      for (let attempt = 0; attempt < 240; attempt++) {
        await page.keyboard.press('Control+S');
        text = await readFile(join(workspace, note), 'utf8');
        // Two reads alike: one can catch the file while the editor writes it (a CI run read a link cut short).
        if (check(text) && text === matched) return text;
        matched = check(text) ? text : undefined;
        await page.waitForTimeout(250);
      }
      throw new Error(`the saved ${note} never matched; last saved text:\n${text}`);
    },
    async focusEndOfNote() {
      await page.locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+End');
    },
    async stop() {
      await editor.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await openNote(page, 'note.md');
    // Running a Bytedrop command proves the extension is active (its providers registered): a paste sent before that
    // finds no Bytedrop provider, and nothing is inserted.
    if (s3 || server) {
      await runCommand(page, 'Bytedrop: Test connection');
      await page
        .locator('.notifications-toasts', { hasText: 'Bytedrop: connection OK' })
        .waitFor({ timeout: 90_000 });
      await page.keyboard.press('Escape');
    }
  } catch (error) {
    const failed = await withScreenshot(session, error);
    await session.stop().catch(() => undefined);
    throw failed;
  }
  return session;
}

/** Opens a file of the workspace from the Explorer. */
export async function openNote(page: Page, name: string): Promise<void> {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click();
  await page.locator('.monaco-editor .view-lines').first().waitFor();
}

/** The error with a screenshot of the editor and code-server's log: they say more than a selector timeout. */
export async function withScreenshot(session: Session, error: unknown): Promise<Error> {
  const shot = join(tmpdir(), `bytedrop-e2e-${Date.now()}.png`);
  await session.page.screenshot({ path: shot }).catch(() => undefined);
  return new Error(
    `${(error as Error).message}\nscreenshot: ${shot}\ncode-server log:\n${session.editor.log().slice(-4000)}`,
  );
}

/** The object's bytes once the background upload has put them there (the link is in the note before that). */
export async function servedWhenUploaded(page: Page, url: string): Promise<Uint8Array> {
  let status = 0;
  for (let attempt = 0; attempt < 240; attempt++) {
    const response = await fetch(url);
    status = response.status;
    if (response.ok) return new Uint8Array(await response.arrayBuffer());
    await page.waitForTimeout(250);
  }
  throw new Error(`${url} never served the upload; last status ${status}`);
}
