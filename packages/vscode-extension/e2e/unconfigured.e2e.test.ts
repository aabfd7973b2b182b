/**
 * A fresh install in the real VS Code (code-server): no Bytedrop setting, no secret. A pasted image gets VS Code's
 * own Markdown paste (the file copied next to the note, VS Code's link), and a notice says once, ever, what to set,
 * with the buttons that set it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodePng } from '../scripts/png.mjs';
import { pasteFile, runCommand } from './editor';
import { openNote, type Session, startSession, withScreenshot } from './session';
import { clearNotifications, toast } from './workbench';

let session: Session;

const png = (seed: number) =>
  new Uint8Array(encodePng(16, 16, (x, y) => [(x * 3 + seed) % 256, (y * 9 + seed) % 256, seed % 256, 255]));
const NOTICE = 'pasted as VS Code does without Bytedrop';
const step = async <T>(run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (error) {
    throw await withScreenshot(session, error);
  }
};
/** The copy VS Code's paste writes after its link is in the note. */
async function copyOnDisk(name: string): Promise<Uint8Array> {
  for (let attempt = 0; ; attempt++) {
    const bytes = await readFile(join(session.workspace, name)).catch(() => undefined);
    if (bytes) return new Uint8Array(bytes);
    if (attempt > 120) throw new Error(`VS Code's paste never wrote ${name}`);
    await session.page.waitForTimeout(250);
  }
}

beforeAll(async () => {
  session = await startSession({});
  // The extension is active once one of its commands answers; unconfigured, Test connection says what is missing.
  await runCommand(session.page, 'Bytedrop: Test connection');
  await toast(session.page, 'Bytedrop is not set up').waitFor({ timeout: 90_000 });
  await clearNotifications(session.page);
});

afterAll(async () => {
  await session?.stop();
});

it('a paste is VS Code’s own, and a notice names every setting to set, with the buttons that set them', () =>
  step(async () => {
    const { page } = session;
    await session.focusEndOfNote();
    await pasteFile(page, 'fresh.png', png(1), 'image/png');
    const text = await session.savedNoteWhen((saved) => saved.includes('](fresh.png)'));
    // VS Code's markdown paste: its own alt text placeholder, not Bytedrop's file name.
    expect(text).toBe('# Note\n\n![alt text](fresh.png)');
    expect(await copyOnDisk('fresh.png')).toEqual(png(1));

    const notice = toast(page, NOTICE);
    await notice.waitFor();
    const said = (await notice.textContent()) ?? '';
    expect(said).toContain(
      'To upload pastes and drops to your bucket instead, set Bytedrop up: set Bytedrop: Bucket, Bytedrop: Access Key ID and the secret access key.',
    );
    expect(said).not.toMatch(/BYTEDROP_|S3_|bytedrop doctor/);
    await expect(notice.getByRole('button', { name: 'Set secret access key' }).isVisible()).resolves.toBe(
      true,
    );
    await notice.getByRole('button', { name: 'Open Bytedrop settings' }).click();
    // The Settings editor (a modal editor in VS Code 1.139), showing Bytedrop's settings.
    const settings = page.locator('.settings-editor', { hasText: 'Where uploads go.' });
    await settings.waitFor();
    // Escape clears the search box first, then closes the editor.
    for (let press = 0; press < 3 && (await settings.count()) > 0; press++)
      await page.keyboard.press('Escape');
    await settings.waitFor({ state: 'detached' });
  }));

it('the notice is shown once: the next paste is VS Code’s own again, without it', () =>
  step(async () => {
    const { page } = session;
    await clearNotifications(page);
    await openNote(page, 'note.md');
    await session.focusEndOfNote();
    await page.keyboard.type('\n');
    await pasteFile(page, 'again.png', png(2), 'image/png');
    await session.savedNoteWhen((saved) => saved.includes('](again.png)'));
    expect(await copyOnDisk('again.png')).toEqual(png(2));
    // The provider answered (it gives its reason to stay out before VS Code applies any paste), so a notice would
    // be there by now.
    expect(await toast(page, NOTICE).count()).toBe(0);
  }));
