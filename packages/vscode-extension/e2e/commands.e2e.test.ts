/**
 * Every Bytedrop command in the real VS Code (code-server), from the command palette, as a user runs them, in one
 * editor against a real s3rver and a real Bytedrop server (@bytedrop/server). The session starts configured for S3
 * but not as the default paste, so "Make default" is what makes pastes upload.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createUploader } from '@bytedrop/core';
import type { RunningServer } from '@bytedrop/server/node';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { encodePng } from '../scripts/png.mjs';
import { s3rverUploaderConfig, serveBytedrop } from './bytedrop-server';
import { pasteFile, runCommand } from './editor';
import { openNote, type Session, servedWhenUploaded, startSession, withScreenshot } from './session';
import { answerInput, clearNotifications, dialog, outputShows, pickFile, toast } from './workbench';

let s3: S3Harness;
let server: RunningServer;
let session: Session;
let base: string;
const SERVER_KEY = 'k_e2e_server_access_key';
const OLD_CDN = 'https://old-cdn.example.com';

const png = (seed: number) =>
  new Uint8Array(encodePng(16, 16, (x, y) => [(x * 11 + seed) % 256, (y * 5 + seed) % 256, seed % 256, 255]));
const inWorkspace = (path: string) => join(session.workspace, path);
const diskText = (path: string) => readFile(inWorkspace(path), 'utf8');
const linkIn = (text: string, name: string) =>
  text.match(new RegExp(`\\[${name.replace('.', '\\.')}\\]\\((\\S+)\\)`))?.[1] as string;
const step = async <T>(run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (error) {
    throw await withScreenshot(session, error);
  }
};
/** A file's text on disk once `check` passes: a command writes closed notes after its dialogs, VS Code's paste its copy after the link. */
async function onDiskWhen(path: string, check: (text: string) => boolean = () => true): Promise<string> {
  let text = '';
  for (let attempt = 0; attempt < 120; attempt++) {
    text = await diskText(path).catch(() => '');
    if (text && check(text)) return text;
    await session.page.waitForTimeout(250);
  }
  throw new Error(`${path} never matched; last text:\n${text}`);
}
const onDisk = async (path: string) => {
  await onDiskWhen(path);
  return new Uint8Array(await readFile(inWorkspace(path)));
};
/** Runs Test connection; resolves to its closing message once it says `expected`, left open for its buttons. */
async function testConnection(expected: string): Promise<Locator> {
  await runCommand(session.page, 'Bytedrop: Test connection');
  const shown = toast(session.page, expected);
  await shown.waitFor({ timeout: 60_000 });
  // Until the progress toast (test-connection.ts's title) is gone the toasts move: a click can miss (CI, under load).
  const progress = toast(session.page, 'Bytedrop: testing the connection');
  await progress.waitFor({ state: 'detached', timeout: 60_000 });
  return shown;
}

beforeAll(async () => {
  s3 = await startS3rver();
  base = `${s3.endpoint}/${s3.bucket}/`;
  server = await serveBytedrop(s3, SERVER_KEY, { keyTemplate: 'server/{hash:16}.{ext}' });
  session = await startSession({
    s3,
    files: {
      'pics/a.png': png(10),
      'pic.png': png(11),
      'img.png': png(12),
      'local.md': [
        '# Local',
        '',
        '![a](pics/a.png)',
        '',
        '![r][r1]',
        '',
        '<img src="img.png" width="40">',
        '',
        '![m](missing.png)',
        '',
        '`![code](pic.png)`',
        '',
        '[r1]: pic.png "a title"',
        '',
      ].join('\n'),
      'cdn-a.md': `# A\n\n![x](${OLD_CDN}/2026/x.png)\n\n\`${OLD_CDN}/code.png\`\n`,
      'sub/cdn-b.md': `[y](${OLD_CDN}/y.pdf) and [z](${OLD_CDN}/z.png "t")\n`,
    },
  });
  await clearNotifications(session.page);
});

afterAll(async () => {
  await session?.stop();
  await server?.close(true);
  await s3?.dispose();
});

it('Make default: a paste is VS Code’s own until then, and uploads after', () =>
  step(async () => {
    const { page } = session;
    await session.focusEndOfNote();
    await pasteFile(page, 'before.png', png(1), 'image/png');
    // VS Code's markdown paste: its own link text, the file copied next to the note, nothing uploaded.
    const native = await session.savedNoteWhen((saved) => saved.includes('](before.png)'));
    expect(native).not.toContain('[before.png]');
    expect(await onDisk('before.png')).toEqual(png(1));

    await runCommand(page, 'Bytedrop: Make Bytedrop the default paste/drop');
    await toast(page, 'now uploads them').waitFor();
    const settings = JSON.parse(await readFile(join(session.userData, 'User/settings.json'), 'utf8'));
    expect(settings['editor.pasteAs.preferences']).toEqual(['markdown.link.image.bytedrop']);
    expect(settings['editor.dropIntoEditor.preferences']).toEqual(['markdown.link.image.bytedrop']);
    await clearNotifications(page);

    await session.focusEndOfNote();
    await page.keyboard.type('\n');
    await pasteFile(page, 'after.png', png(2), 'image/png');
    const text = await session.savedNoteWhen((saved) => saved.includes(`[after.png](${base}`));
    expect(await servedWhenUploaded(page, linkIn(text, 'after.png'))).toEqual(png(2));
  }));

it('Delete remote: names the other note linking the file, deletes it, relinks the kept copy', () =>
  step(async () => {
    const { page } = session;
    const url = linkIn(await diskText('note.md'), 'after.png');
    await writeFile(inWorkspace('other.md'), `# Other\n\nSee ![same](${url}).\n`);
    // As for a user, the note exists for VS Code before the command runs (its search may not see a file sooner).
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'other.md' }).waitFor();
    // The cursor at the end of the note is on the link (the last thing in it).
    await session.focusEndOfNote();
    await runCommand(page, 'Bytedrop: Delete remote');
    const linked = await dialog(page, 'still linked from');
    expect(linked.message).toContain(
      `Bytedrop: ${url} is still linked from other.md; deleting it breaks those links.`,
    );
    await linked.press('Delete anyway');
    const confirm = await dialog(page, `Bytedrop: delete ${url}`);
    expect(confirm.message).toContain('The links will point at the local copies kept in the workspace.');
    await confirm.press('Delete');
    await toast(page, `Bytedrop: deleted ${url}.`).waitFor();
    expect((await fetch(url)).status).toBe(404);
    const text = await session.savedNoteWhen((saved) => saved.includes('![after.png](after.png)'));
    expect(text).not.toContain(url);
    await clearNotifications(page);
  }));

it('Upload files…: the file picked in the file dialog is linked at the cursor, then uploaded', () =>
  step(async () => {
    const { page } = session;
    const picked = join(session.workspace, '..', 'report.pdf');
    const bytes = new TextEncoder().encode('%PDF-1.4\n% a report\n');
    await writeFile(picked, bytes);
    await session.focusEndOfNote();
    await page.keyboard.type('\n');
    await runCommand(page, 'Bytedrop: Upload files…');
    // code-server's file dialog is VS Code's simple one: a path in a quick input.
    await pickFile(page, 'Bytedrop: files to upload', picked);
    const text = await session.savedNoteWhen((saved) => saved.includes(`[report.pdf](${base}`));
    expect(await servedWhenUploaded(page, linkIn(text, 'report.pdf'))).toEqual(bytes);
    // Local first: the picked file was copied into the workspace before the upload.
    expect(await onDisk('report.pdf')).toEqual(bytes);
  }));

it('Upload local images: inline, reference definition and <img src> uploaded; the missing file named', () =>
  step(async () => {
    const { page } = session;
    await openNote(page, 'local.md');
    await runCommand(page, 'Bytedrop: Upload local images in this document');
    await toast(page, 'Left as they are: missing.png (no such file)').waitFor();
    const uploaded = (text: string) => ({
      a: text.match(/!\[a\]\((\S+)\)/)?.[1] as string,
      r1: text.match(/^\[r1\]: (\S+) "a title"$/m)?.[1] as string,
      img: text.match(/<img src="(\S+)" width="40">/)?.[1] as string,
    });
    const text = await session.savedNoteWhen(
      (saved) => Object.values(uploaded(saved)).every((url) => url?.startsWith(base)),
      'local.md',
    );
    const urls = uploaded(text);
    expect(text).toContain('![m](missing.png)');
    expect(text).toContain('`![code](pic.png)`');
    expect(await servedWhenUploaded(page, urls.a)).toEqual(png(10));
    expect(await servedWhenUploaded(page, urls.r1)).toEqual(png(11));
    expect(await servedWhenUploaded(page, urls.img)).toEqual(png(12));
    await clearNotifications(page);
  }));

it('Change link base URL: every change listed in the output first, written on confirmation', () =>
  step(async () => {
    const { page } = session;
    const old = OLD_CDN;
    await runCommand(page, 'Bytedrop: Change link base URL');
    await answerInput(page, 'Change link base URL (1/2)', old);
    await answerInput(page, 'Change link base URL (2/2)', 'https://cdn.example.net/');
    const confirm = await dialog(page, 'rewrite 3 links in 2 notes');
    // The dry run is in the Output panel, shown, and in VS Code's log of the channel, read here for exact lines.
    await outputShows(page, 'sub/cdn-b.md:1');
    let listed = '';
    for (let attempt = 0; attempt < 120 && !listed.includes('sub/cdn-b.md:1'); attempt++) {
      if (attempt) await page.waitForTimeout(250);
      listed = await session.outputChannel('Bytedrop');
    }
    expect(listed.split('\n')).toEqual(
      expect.arrayContaining([
        `Bytedrop: Change link base URL from ${old}/ to https://cdn.example.net/ (dry run):`,
        `  cdn-a.md:3  ${old}/2026/x.png → https://cdn.example.net/2026/x.png`,
        `  sub/cdn-b.md:1  ${old}/y.pdf → https://cdn.example.net/y.pdf`,
        `  sub/cdn-b.md:1  ${old}/z.png → https://cdn.example.net/z.png`,
      ]),
    );
    // Nothing is written before the confirmation.
    expect(await diskText('cdn-a.md')).toContain(`](${old}/2026/x.png)`);
    await confirm.press('Rewrite links');
    expect(await onDiskWhen('cdn-a.md', (text) => !text.includes(`](${old}`))).toBe(
      `# A\n\n![x](https://cdn.example.net/2026/x.png)\n\n\`${old}/code.png\`\n`,
    );
    expect(await onDiskWhen('sub/cdn-b.md', (text) => !text.includes(old))).toBe(
      '[y](https://cdn.example.net/y.pdf) and [z](https://cdn.example.net/z.png "t")\n',
    );
    // Shown after the notes are written and the ledger rebased, so possibly after the files are seen on disk.
    await toast(page, 'Bytedrop: rewrote 3 links in 2 notes.').waitFor();
    await clearNotifications(page);
  }));

it('Bring files back: the uploads a note links are downloaded into the workspace and relinked', () =>
  step(async () => {
    const { page } = session;
    const uploader = createUploader(s3rverUploaderConfig(s3));
    const one = await uploader.upload(png(20), { filename: 'one.png' });
    const two = await uploader.upload(new TextEncoder().encode('two\n'), { filename: 'two.txt' });
    await writeFile(inWorkspace('back.md'), `# Back\n\n![one](${one.url})\n\n[two](${two.url})\n`);
    await openNote(page, 'back.md');
    await runCommand(page, 'Bytedrop: Bring files back');
    await answerInput(page, 'Bring files back from', 'This note');
    await toast(page, 'brought back 2 files (2 downloaded, 0 kept copies) and relinked 2 links').waitFor();
    // Named as in the bucket (the key's last part), next to the note as VS Code's paste would put them.
    const [oneName, twoName] = [one.key, two.key].map((key) => key.slice(key.lastIndexOf('/') + 1));
    const relinked = `# Back\n\n![one](${oneName})\n\n[two](${twoName})\n`;
    // The whole text: a file read while VS Code writes it can be empty, which has no 'http' either.
    const text = await session.savedNoteWhen((saved) => saved === relinked, 'back.md');
    expect(text).toBe(relinked);
    expect(await onDisk(oneName as string)).toEqual(png(20));
    expect(await diskText(twoName as string)).toBe('two\n');
    await clearNotifications(page);
  }));

it('Set secret access key: with a wrong one Test connection says what is wrong, its button sets the right one', () =>
  step(async () => {
    const { page } = session;
    await runCommand(page, 'Bytedrop: Set secret access key');
    await answerInput(page, 'Bytedrop: secret access key', 'not-the-secret');
    await toast(page, 'secret access key saved in secret storage').waitFor();
    await clearNotifications(page);
    const failure = await testConnection('rejected the credentials');
    expect(await failure.textContent()).toMatch(
      /Bucket reachable: the provider rejected the credentials \(SignatureDoesNotMatch\)/,
    );
    expect(await failure.textContent()).not.toMatch(/S3_|BYTEDROP_/);
    await failure.getByRole('button', { name: 'Set secret access key' }).click();
    await answerInput(page, 'Bytedrop: secret access key', s3.secretAccessKey);
    await toast(page, 'secret access key saved in secret storage').waitFor();
    await clearNotifications(page);
    await testConnection('Bytedrop: connection OK');
    await clearNotifications(page);
  }));

it('Set server access key: against a Bytedrop server, a wrong key is named; with the right one a paste uploads', () =>
  step(async () => {
    const { page } = session;
    await session.updateSettings({ 'bytedrop.target': 'server', 'bytedrop.serverUrl': server.url });
    await runCommand(page, 'Bytedrop: Set server access key');
    await answerInput(page, 'Bytedrop: server access key', 'k_wrong');
    await toast(page, 'server access key saved in secret storage').waitFor();
    await clearNotifications(page);
    const failure = await testConnection('refused the access key');
    expect(await failure.textContent()).toContain(
      `Bytedrop: the Bytedrop server at ${server.url} refused the access key: set the right one (ERR_AUTH)`,
    );
    await failure.getByRole('button', { name: 'Set server access key' }).click();
    await answerInput(page, 'Bytedrop: server access key', SERVER_KEY);
    // The command says "saved" once the key is stored, which can be after a clear run at once: that toast then stays.
    await toast(page, 'server access key saved in secret storage').waitFor();
    await clearNotifications(page);
    await testConnection('Bytedrop: connection OK');
    await clearNotifications(page);

    await openNote(page, 'note.md');
    await session.focusEndOfNote();
    await page.keyboard.type('\n');
    await pasteFile(page, 'served.png', png(3), 'image/png');
    const text = await session.savedNoteWhen((saved) => saved.includes(`[served.png](${base}server/`));
    expect(await servedWhenUploaded(page, linkIn(text, 'served.png'))).toEqual(png(3));
  }));
