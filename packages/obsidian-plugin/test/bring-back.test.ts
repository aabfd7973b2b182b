/** "Bring files back": uploads linked from notes come back into the vault, checked, and the links point at them. */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { Notice, requestLog } from './fake-obsidian';
import {
  click,
  imageLinks,
  type Loaded,
  load,
  openedModal,
  paste,
  pasteEvent,
  png,
  pngFile,
  runCommand,
  s3Settings,
  useS3rverAndCleanFakes,
} from './helpers';

const s3 = useS3rverAndCleanFakes();

/** A note with two pasted uploads (copies not kept) and a link that is not Bytedrop's; attachments in `attachments/`. */
async function noteWithUploads(): Promise<Loaded & { urls: string[] }> {
  const l = await load(s3Settings(s3, { keepLocalCopies: false }), { noteText: 'Trip\n' });
  l.app.vault.config.attachmentFolderPath = 'attachments';
  l.editor.setCursor({ line: 1, ch: 0 });
  paste(l, pasteEvent([pngFile(1, 'tram.png'), pngFile(2, 'river.png')]));
  await l.plugin.whenIdle();
  l.editor.replaceRange(
    '\n![elsewhere](https://example.com/x.png)',
    l.editor.offsetToPos(l.editor.getValue().length),
  );
  const urls = imageLinks(l.editor.getValue())
    .map((link) => link.url)
    .slice(0, 2);
  Notice.shown.length = 0;
  requestLog.length = 0;
  return { ...l, urls };
}

async function bytesOf(l: Loaded, path: string): Promise<Uint8Array> {
  const file = l.app.vault.getFileByPath(path);
  expect(file, path).not.toBeNull();
  return new Uint8Array(await l.app.vault.readBinary(file!));
}

describe('"Bring files back"', () => {
  it('downloads the uploads linked from this note into its attachment folder and relinks them', async () => {
    const l = await noteWithUploads();
    const other = await l.app.vault.seed('Other.md', `![again](${l.urls[0]})`);
    runCommand(l, 'bring-back-note');
    await l.plugin.whenIdle();

    expect(l.editor.getValue()).toBe(
      'Trip\n![[tram.png]]\n![[river.png]]\n![elsewhere](https://example.com/x.png)',
    );
    expect(await bytesOf(l, 'attachments/tram.png')).toEqual(png(1));
    expect(await bytesOf(l, 'attachments/river.png')).toEqual(png(2));
    // Only this note: the other keeps its link, and the upload stays in storage.
    expect(l.app.vault.readSync(other)).toBe(`![again](${l.urls[0]})`);
    expect((await fetch(l.urls[0] ?? '')).status).toBe(200);
    expect(requestLog.filter((request) => (request.method ?? 'GET') === 'GET')).toHaveLength(2);
    expect(Notice.shown).toEqual([
      'Bytedrop: brought back 2 files (2 downloaded, 0 from kept copies); 2 links now point into the vault.',
    ]);
  });

  it('for every note, asks first, downloads each file once and relinks every note', async () => {
    const l = await noteWithUploads();
    const other = await l.app.vault.seed('Other.md', `![again|300](${l.urls[0]})`);
    runCommand(l, 'bring-back-all');
    const modal = await openedModal();
    expect(modal.contentEl.textContent).toContain(
      '2 uploaded files linked from 2 notes will be saved in the vault',
    );
    await click(modal, 'Bring back 2 files');
    await l.plugin.whenIdle();
    expect(l.app.vault.readSync(other)).toBe('![[tram.png|again|300]]');
    expect(l.editor.getValue()).toContain('![[tram.png]]');
    expect(requestLog.filter((request) => (request.method ?? 'GET') === 'GET')).toHaveLength(2);
  });

  it('uses the copy kept by "Upload local attachments" without downloading', async () => {
    const l = await load(s3Settings(s3), { noteText: '![[kept.png]]' });
    await l.app.vault.seed('kept.png', png(3).slice().buffer);
    runCommand(l, 'upload-local-attachments');
    await l.plugin.whenIdle();
    expect(imageLinks(l.editor.getValue())).toHaveLength(1);
    requestLog.length = 0;
    runCommand(l, 'bring-back-note');
    await l.plugin.whenIdle();
    expect(l.editor.getValue()).toBe('![[kept.png]]');
    expect(requestLog).toEqual([]);
    expect(
      l.app.vault
        .getFiles()
        .map((file) => file.path)
        .sort(),
    ).toEqual(['Notes/Trip.md', 'kept.png']);
  });

  it('saves nothing for a URL that now serves other bytes or nothing, and says so', async () => {
    const l = await noteWithUploads();
    // Someone replaced one object behind Bytedrop's back, and deleted the other.
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const keyOf = (url: string) => decodeURIComponent(new URL(url).pathname.replace(`/${s3.bucket}/`, ''));
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: keyOf(l.urls[0] ?? ''), Body: png(9) }));
    const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: keyOf(l.urls[1] ?? '') }));
    const before = l.editor.getValue();
    runCommand(l, 'bring-back-note');
    await l.plugin.whenIdle();
    expect(l.editor.getValue()).toBe(before);
    expect(l.app.vault.getFolderByPath('attachments')?.children ?? []).toEqual([]);
    expect(Notice.shown).toEqual([
      'Bytedrop: brought back 0 files (0 downloaded, 0 from kept copies); 0 links now point into the vault. Still remote: tram.png (its URL serves other bytes); river.png (it is no longer at its URL).',
    ]);
  });
});
