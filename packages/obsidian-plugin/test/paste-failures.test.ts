/** Paste and drop when something goes wrong: the file is never lost, and the notice says what happened. */
import { describe, expect, it } from 'vitest';
import { pastBackoff } from '../../core/test/_support/backoff';
import { Notice } from './fake-obsidian';
import {
  holdRequests,
  imageLinks,
  type Loaded,
  load,
  paste,
  pasteEvent,
  png,
  pngFile,
  runCommand,
  s3Settings,
  served,
  useS3rverAndCleanFakes,
} from './helpers';

const s3 = useS3rverAndCleanFakes();

async function loaded(overrides = {}, options = {}): Promise<Loaded> {
  return load(s3Settings(s3, overrides), options);
}

describe('paste and drop, when something goes wrong', () => {
  it('a note deleted mid-upload: no attachment is left for it, and the notice says so and gives the link', async () => {
    // Copies are not kept: the one written at paste goes with the note that linked it.
    const l = await loaded({ keepLocalCopies: false }, { noteText: 'Doomed note\n' });
    l.editor.setCursor({ line: 1, ch: 0 });
    const held = holdRequests();
    paste(l, pasteEvent([pngFile(32, 'late.png')]));
    await held.reached;
    await l.app.fileManager.trashFile(l.note);
    held.release();
    await l.plugin.whenIdle();

    expect(l.app.vault.getFiles()).toEqual([]);
    expect(Notice.shown).toHaveLength(1);
    expect(Notice.shown[0]).toMatch(
      /^Bytedrop: uploaded "late\.png", but its note "Notes\/Trip\.md" was deleted meanwhile\. Link: !\[late\.png\]\(http:\/\/127\.0\.0\.1:\d+\/[^)]+\)$/,
    );
    const url = /\((http[^)]+)\)$/.exec(Notice.shown[0] ?? '')?.[1] ?? '';
    expect(await served(url)).toEqual(png(32));
  });

  it('with the storage down, the local copy stays linked and the entry open; Retry uploads it once it is back', async () => {
    const l = await loaded({}, { noteText: 'x ' });
    l.app.vault.config.attachmentFolderPath = 'attachments';
    l.editor.setCursor({ line: 0, ch: 2 });
    await s3.stop();
    try {
      await pastBackoff(async () => {
        paste(l, pasteEvent([pngFile(40, 'diagram.png')]));
        await l.plugin.whenIdle();
      });
    } finally {
      await s3.restart();
    }
    expect(l.editor.getValue()).toBe('x ![[diagram.png]]');
    const saved = l.app.vault.getFileByPath('attachments/diagram.png');
    expect(new Uint8Array(await l.app.vault.readBinary(saved!))).toEqual(png(40));
    expect(Notice.shown).toEqual([
      expect.stringMatching(
        /^Bytedrop: could not upload "diagram\.png" yet: could not reach http:\/\/127\.0\.0\.1:\d+: check your connection and Endpoint\. It is saved in the vault at attachments\/diagram\.png and linked from the note; Bytedrop tries again at the next start\.$/,
      ),
    ]);
    expect(l.plugin.pending.size).toBe(1);
    const buttons = Notice.instances[0]?.buttons() ?? [];
    expect(buttons.map((button) => button.text)).toEqual(['Open Bytedrop settings', 'Retry']);

    await buttons[1]?.click();
    await l.plugin.whenIdle();
    const [link] = imageLinks(l.editor.getValue());
    expect(l.editor.getValue()).toBe(`x ![diagram.png](${link?.url})`);
    expect(await served(link?.url ?? '')).toEqual(png(40));
    expect(l.plugin.pending.size).toBe(0);
  });

  it('falls back the same way on a 403 (wrong secret), naming clipboard images as Obsidian does', async () => {
    const l = await loaded({}, { secret: 'not-the-secret' });
    l.app.vault.config.attachmentFolderPath = './assets';
    paste(l, pasteEvent([pngFile(41)]));
    await l.plugin.whenIdle();
    expect(s3.requests.some((request) => request.method === 'PUT' || request.method === 'HEAD')).toBe(true);
    const embed = /^!\[\[(Pasted image \d{14}\.png)\]\]$/.exec(l.editor.getValue());
    expect(embed).not.toBeNull();
    expect(l.app.vault.getFileByPath(`Notes/assets/${embed?.[1]}`)).not.toBeNull();
    expect(Notice.shown[0]).toMatch(/refused the keys \(SignatureDoesNotMatch\)/);
  });

  it('a file declared as an image that core sniffs as another type is kept locally, and nothing is sent', async () => {
    const l = await loaded();
    // The declared type lets the paste through ('images'); core's sniff says text/html, which 'images' refuses.
    const fake = new File(['<!doctype html><script>alert(1)</script>'], 'page.html', { type: 'image/png' });
    const evt = pasteEvent([fake]);
    paste(l, evt);
    expect(evt.defaultPrevented).toBe(true);
    await l.plugin.whenIdle();
    expect(l.editor.getValue()).toBe('![[page.html]]');
    expect(s3.requests).toEqual([]);
    expect(Notice.shown[0]).toMatch(
      /"page\.html": its content is text\/html, which the “Which files to upload” setting leaves out/,
    );
  });

  it('"Cancel uploads in progress" aborts, and the file is kept locally with a Notice saying so', async () => {
    const l = await loaded();
    const held = holdRequests();
    paste(l, pasteEvent([pngFile(80, 'cancel-me.png')]));
    await held.reached;
    runCommand(l, 'cancel-uploads');
    held.release();
    await l.plugin.whenIdle();
    expect(l.editor.getValue()).toBe('![[cancel-me.png]]');
    expect(Notice.shown).toEqual([
      'Bytedrop: cancelled the upload of "cancel-me.png"; it stays in the vault at cancel-me.png.',
    ]);
    expect(l.plugin.pending.size).toBe(0);
  });
});
