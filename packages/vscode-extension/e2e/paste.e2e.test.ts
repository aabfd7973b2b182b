/**
 * Bytedrop in the real VS Code (code-server 4.139 / VS Code 1.139 in Chromium): the .vsix is built and installed, a
 * Markdown file is opened, an image is pasted and uploaded to a real s3rver, and with S3 stopped a second paste
 * lands in the workspace instead. The secret reaches the extension host as BYTEDROP_SECRET_ACCESS_KEY (the
 * documented fallback), settings go to the user-data-dir's settings.json.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { encodePng } from '../scripts/png.mjs';
import { buildVsix, checkInstalled, type Editor, pasteFile, runCommand, startEditor } from './editor';

let s3: S3Harness;
let editor: Editor;
let dir: string;
let workspace: string;

const png = (seed: number) =>
  new Uint8Array(encodePng(16, 16, (x, y) => [(x * 13 + seed) % 256, (y * 7 + seed) % 256, seed % 256, 255]));

/** Presses Ctrl+S until the saved note passes `check`: a fallback link is patched in after the upload failed. */
async function savedNoteWhen(check: (text: string) => boolean): Promise<string> {
  const note = join(workspace, 'note.md');
  let text = '';
  for (let attempt = 0; attempt < 120; attempt++) {
    await editor.page.keyboard.press('Control+S');
    text = await readFile(note, 'utf8');
    if (check(text)) return text;
    await editor.page.waitForTimeout(250);
  }
  throw new Error(`the saved note never matched; last saved text:\n${text}`);
}

/** The object's bytes once the background upload has put them there (the link is in the note before that). */
async function servedWhenUploaded(url: string): Promise<Uint8Array> {
  let status = 0;
  for (let attempt = 0; attempt < 120; attempt++) {
    const response = await fetch(url);
    status = response.status;
    if (response.ok) return new Uint8Array(await response.arrayBuffer());
    await editor.page.waitForTimeout(250);
  }
  throw new Error(`${url} never served the upload; last status ${status}`);
}

async function focusEndOfNote(): Promise<void> {
  await editor.page.locator('.monaco-editor .view-lines').first().click();
  await editor.page.keyboard.press('Control+End');
}

beforeAll(async () => {
  checkInstalled();
  s3 = await startS3rver();
  dir = await mkdtemp(join(tmpdir(), 'bytedrop-e2e-'));
  workspace = join(dir, 'workspace');
  await mkdir(workspace);
  await writeFile(join(workspace, 'note.md'), '# Note\n\n');
  editor = await startEditor({
    vsix: buildVsix(dir),
    dir,
    workspace,
    env: { BYTEDROP_SECRET_ACCESS_KEY: s3.secretAccessKey },
    settings: {
      'bytedrop.provider': 'minio',
      'bytedrop.endpoint': s3.endpoint,
      'bytedrop.region': 'us-east-1',
      'bytedrop.bucket': s3.bucket,
      'bytedrop.accessKeyId': s3.accessKeyId,
      'bytedrop.publicBaseUrl': `${s3.endpoint}/${s3.bucket}`,
      'bytedrop.forcePathStyle': true,
      // What "Bytedrop: Make Bytedrop the default paste/drop" writes.
      'editor.pasteAs.preferences': ['markdown.link.image.bytedrop'],
      'editor.dropIntoEditor.preferences': ['markdown.link.image.bytedrop'],
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'security.workspace.trust.enabled': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'telemetry.telemetryLevel': 'off',
      'chat.disableAIFeatures': true,
    },
  });
  const { page } = editor;
  try {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'note.md' }).click();
    await page.locator('.monaco-editor .view-lines').first().waitFor();
    // Running a Bytedrop command proves the extension is active (its providers registered) and configured.
    await runCommand(page, 'Bytedrop: Test connection');
    await page
      .locator('.notifications-toasts', { hasText: 'Bytedrop: connection OK' })
      .waitFor({ timeout: 60_000 });
  } catch (error) {
    // A picture of the editor says more than a selector timeout; it outlives the temporary directory.
    const shot = join(tmpdir(), `bytedrop-e2e-${Date.now()}.png`);
    await page.screenshot({ path: shot }).catch(() => undefined);
    throw new Error(`${(error as Error).message}\nscreenshot: ${shot}\ncode-server log:\n${editor.log()}`);
  }
});

afterAll(async () => {
  await editor?.stop();
  await s3?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('pastes an image: the note links the copy in the workspace, then the uploaded object, which is in S3', async () => {
  const bytes = png(1);
  await focusEndOfNote();
  await pasteFile(editor.page, 'shot.png', bytes, 'image/png');
  const base = `${s3.endpoint}/${s3.bucket}/`;
  const text = await savedNoteWhen((saved) => saved.includes(base));
  const url = text.match(/!\[shot\.png\]\((\S+)\)/)?.[1] as string;
  expect(text).toBe(`# Note\n\n![shot.png](${url})`);
  const hash16 = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  expect(url).toMatch(new RegExp(`/\\d{4}/\\d{2}/\\d{2}/shot-${hash16}\\.png$`));
  expect(await servedWhenUploaded(url)).toEqual(bytes);
  // Local first: the copy was written into the workspace, and is kept (bytedrop.keepLocalCopy).
  expect(new Uint8Array(await readFile(join(workspace, 'shot.png')))).toEqual(bytes);
});

it('with S3 stopped, keeps the link on the copy in the workspace; Retry uploads it once S3 is back', async () => {
  await s3.stop();
  const bytes = png(2);
  await focusEndOfNote();
  await pasteFile(editor.page, 'shot2.png', bytes, 'image/png');
  const retry = editor.page
    .locator('.notifications-toasts', { hasText: 'could not upload shot2.png' })
    .getByRole('button', { name: 'Retry upload' });
  await retry.waitFor({ timeout: 120_000 });
  const text = await savedNoteWhen((saved) => saved.includes('![shot2.png](shot2.png)'));
  expect(text).toMatch(/^# Note\n\n!\[shot\.png\]\(http\S+\)!\[shot2\.png\]\(shot2\.png\)$/);
  expect(new Uint8Array(await readFile(join(workspace, 'shot2.png')))).toEqual(bytes);
  await s3.restart();
  await retry.click();
  const after = await savedNoteWhen((saved) => !saved.includes('](shot2.png)'));
  const url = after.match(/!\[shot2\.png\]\((\S+)\)/)?.[1] as string;
  expect(await servedWhenUploaded(url)).toEqual(bytes);
});
