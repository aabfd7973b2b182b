/** Secrets, an install that is not set up, and notices in Obsidian's words. */
import { describe, expect, it } from 'vitest';
import BytedropPlugin from '../src/main';
import { Notice, type Plugin, requestLog } from './fake-obsidian';
import {
  CLI_WORDS,
  drop,
  dropEvent,
  imageLinks,
  load,
  paste,
  pasteEvent,
  png,
  pngFile,
  runCommand,
  SECRET_NAME,
  s3Settings,
  useS3rverAndCleanFakes,
} from './helpers';

const s3 = useS3rverAndCleanFakes();

describe('secrets', () => {
  it('a corrected secret takes effect at the next upload, without reloading the plugin', async () => {
    const l = await load(s3Settings(s3), { secret: 'not-the-secret' });
    paste(l, pasteEvent([pngFile(3, 'first.png')]));
    await l.plugin.whenIdle();
    expect(imageLinks(l.editor.getValue())).toEqual([]);

    // The user fixes the secret in Obsidian's keychain; data.json (the secret's name) does not change.
    l.app.secretStorage.setSecret(SECRET_NAME, s3.secretAccessKey);
    l.editor.setValue('');
    paste(l, pasteEvent([pngFile(4, 'second.png')]));
    await l.plugin.whenIdle();
    expect(imageLinks(l.editor.getValue())).toHaveLength(1);
  });
});

/BYTEDROP_|S3_[A-Z]|PUBLIC_DOMAIN|bytedrop doctor|maxFileSize|'[a-z]+[A-Z][A-Za-z]*'|unexpected storage failure/;

describe('an install that is not set up', () => {
  it('never takes a paste or drop: Obsidian handles it, and one notice names every missing setting and opens the tab', async () => {
    const l = await load({});
    const pasted = pasteEvent([pngFile(2, 'x.png')]);
    paste(l, pasted);
    const dropped = dropEvent([pngFile(3, 'y.png')]);
    drop(l, dropped);
    await l.plugin.whenIdle();
    expect(pasted.defaultPrevented).toBe(false);
    expect(dropped.defaultPrevented).toBe(false);
    expect(l.editor.getValue()).toBe('');
    expect(requestLog).toEqual([]);
    expect(Notice.shown).toEqual([
      'Bytedrop is not set up yet, so Obsidian handled this file as usual. To upload pasted and dropped files, fill in Endpoint, Bucket, Access key ID and Secret access key in Bytedrop’s settings.',
    ]);
    const buttons = Notice.instances[0]?.buttons() ?? [];
    expect(buttons.map((button) => button.text)).toEqual(['Open Bytedrop settings']);
    await buttons[0]?.click();
    expect(l.app.setting.openTab).toBe('bytedrop');

    // Once per install: the plugin loaded again over the same data.json stays quiet.
    const again = new BytedropPlugin(l.app as never, l.plugin.manifest);
    (again as unknown as Plugin).dataJson = (l.plugin as unknown as Plugin).dataJson;
    await again.onload();
    paste({ ...l, plugin: again as never }, pasteEvent([pngFile(4)]));
    expect(Notice.shown).toHaveLength(1);
  });

  it('names only what is missing, the server’s settings for the server target', async () => {
    const s3Half = await load(s3Settings(s3, { bucket: ' ', secretKeyName: 'no-such-secret' }));
    paste(s3Half, pasteEvent([pngFile(5)]));
    expect(Notice.shown.at(-1)).toMatch(/fill in Bucket and Secret access key in Bytedrop’s settings\.$/);
    const server = await load({ target: 'server', serverUrl: 'https://drop.example.com' });
    paste(server, pasteEvent([pngFile(6)]));
    expect(Notice.shown.at(-1)).toMatch(/fill in Server access key in Bytedrop’s settings\.$/);
  });

  it('"Upload local attachments" says what to fill in, with the button, and sends nothing', async () => {
    const l = await load({}, { noteText: '![[a.png]]' });
    await l.app.vault.seed('a.png', png(7).slice().buffer);
    runCommand(l, 'upload-local-attachments');
    await l.plugin.whenIdle();
    expect(l.editor.getValue()).toBe('![[a.png]]');
    expect(requestLog).toEqual([]);
    expect(Notice.shown).toEqual([
      'Bytedrop: fill in Endpoint, Bucket, Access key ID and Secret access key in Bytedrop’s settings first.',
    ]);
    expect(Notice.instances[0]?.buttons().map((button) => button.text)).toEqual(['Open Bytedrop settings']);
  });
});

describe('notices speak Obsidian’s language', () => {
  it('a setting with a wrong value is named as the tab names it, with a button to fix it', async () => {
    const l = await load(s3Settings(s3, { endpoint: '127.0.0.1:9000' }));
    paste(l, pasteEvent([pngFile(8, 'x.png')]));
    await l.plugin.whenIdle();
    expect(Notice.shown).toHaveLength(1);
    expect(Notice.shown[0]).toMatch(
      /^Bytedrop: could not upload "x\.png" yet: Endpoint '127\.0\.0\.1:9000' has no scheme: write 'http:\/\/127\.0\.0\.1:9000' or 'https:\/\/127\.0\.0\.1:9000'\./,
    );
    expect(Notice.shown[0]).not.toMatch(CLI_WORDS);
    expect(Notice.instances[0]?.buttons().map((button) => button.text)).toEqual([
      'Open Bytedrop settings',
      'Retry',
    ]);
  });

  it('a wrong secret, a too-large file and a refused type name the settings that fix them', async () => {
    const wrong = await load(s3Settings(s3), { secret: 'not-the-secret' });
    paste(wrong, pasteEvent([pngFile(9, 'a.png')]));
    await wrong.plugin.whenIdle();
    expect(Notice.shown.at(-1)).toMatch(
      /refused the keys \(SignatureDoesNotMatch\): check Access key ID and the secret picked under Secret access key/,
    );

    const small = await load(s3Settings(s3, { maxSizeMb: 0.0001 }));
    paste(small, pasteEvent([pngFile(10, 'b.png')]));
    await small.plugin.whenIdle();
    expect(Notice.shown.at(-1)).toMatch(
      /^Bytedrop: "b\.png" is larger than Max size \(MiB\) \(0\.0001\), so it is saved in the vault at b\.png and not uploaded\.$/,
    );
    expect(small.editor.getValue()).toBe('![[b.png]]');

    const typed = await load(s3Settings(s3));
    // A PDF renamed to .png: its name lets the paste through, its bytes do not.
    paste(
      typed,
      pasteEvent([new File(['%PDF-1.4\n1 0 obj\n<<>>\nendobj\n'], 'c.png', { type: 'image/png' })]),
    );
    await typed.plugin.whenIdle();
    expect(Notice.shown.at(-1)).toMatch(
      /"c\.png": its content is application\/pdf, which the “Which files to upload” setting leaves out/,
    );
    for (const message of Notice.shown) expect(message).not.toMatch(CLI_WORDS);
  });
});
