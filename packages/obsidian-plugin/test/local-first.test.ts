/**
 * Local first, then upload, then swap: a paste is in the vault and linked before any byte is sent, and whatever stops
 * the plugin (a crash, a reload, a suspended phone), the next start finishes the job from the journal.
 */
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import BytedropPlugin from '../src/main';
import { App, Notice, type Plugin, requestHooks, requestLog } from './fake-obsidian';
import {
  gate,
  imageLinks,
  type Loaded,
  load,
  MANIFEST,
  paste,
  pasteEvent,
  png,
  pngFile,
  s3Settings,
  served,
  useS3rverAndCleanFakes,
} from './helpers';

const s3 = useS3rverAndCleanFakes();

const PENDING = `${MANIFEST.dir}/pending`;
const puts = () => s3.requests.filter((request) => request.method === 'PUT');

/** The journal's entries on disk. */
function entriesOn(app: App): string[] {
  return [...app.vault.adapter.hidden.keys()].filter((path) => path.startsWith(`${PENDING}/`));
}

/** The store's multipart journal on disk. */
function multipartOn(app: App): string[] {
  return [...app.vault.adapter.hidden.keys()].filter((path) => path.startsWith(`${MANIFEST.dir}/multipart/`));
}

/** The multipart uploads the bucket holds open. */
async function openMultipartUploads(): Promise<string[]> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  const listed = await client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }));
  return (listed.Uploads ?? []).map((upload) => upload.UploadId ?? '');
}

/** Obsidian started again over what `crashed` left on disk, with the plugin loaded from the same data.json. */
async function restart(crashed: Loaded): Promise<{ app: App; plugin: BytedropPlugin & Plugin }> {
  const app = await App.afterCrash(crashed.app);
  const plugin = new BytedropPlugin(app as never, MANIFEST as never) as BytedropPlugin & Plugin;
  plugin.dataJson = (crashed.plugin as Plugin).dataJson ?? JSON.stringify(s3Settings(s3));
  await plugin.onload();
  return { app, plugin };
}

/**
 * Pastes `file` at the end of a note and holds every request from the `holdFrom`-th on (0-based), as a process killed
 * mid-upload; resolves when the first held request arrives (an event, not a timer).
 */
async function pasteAndFreeze(l: Loaded, file: File, holdFrom = 0): Promise<void> {
  const frozen = gate();
  const reached = gate();
  let seen = 0;
  // Never opened: the old instance's requests hang like those of a killed process.
  requestHooks.before = async () => {
    if (seen++ < holdFrom) return;
    reached.open();
    await frozen.promise;
  };
  l.editor.setCursor(l.editor.offsetToPos(l.editor.getValue().length));
  paste(l, pasteEvent([file]));
  await reached.promise;
  requestHooks.before = undefined;
}

describe('local first, then upload, then swap', () => {
  it('kill test: a crash before anything is stored leaves the note linking the copy; the next start uploads and swaps', async () => {
    const l = await load(s3Settings(s3), { noteText: 'Trip\n' });
    await pasteAndFreeze(l, pngFile(1, 'crash.png'));
    expect(puts()).toEqual([]);

    // Killed: no onunload. On disk, the note links the local copy, and the journal holds the entry.
    const { app, plugin } = await restart(l);
    const note = app.vault.getFileByPath('Notes/Trip.md')!;
    expect(entriesOn(l.app)).toHaveLength(1);
    await plugin.whenIdle();

    const text = app.vault.readSync(note);
    const [link] = imageLinks(text);
    expect(text).toBe(`Trip\n![crash.png](${link?.url})`);
    expect(await served(link?.url ?? '')).toEqual(png(1));
    expect(puts()).toHaveLength(1);
    expect(entriesOn(app)).toEqual([]);
    expect(Notice.shown).toEqual([]);
  });

  it('kill test: a crash after the object was stored, before it was verified, repairs the link without sending it again', async () => {
    const l = await load(s3Settings(s3), { noteText: 'Trip\n' });
    // HEAD (free key?) and PUT go through; the verifying HEAD never answers.
    await pasteAndFreeze(l, pngFile(2, 'stored.png'), 2);
    expect(puts()).toHaveLength(1);

    const { app, plugin } = await restart(l);
    await plugin.whenIdle();
    const text = app.vault.readSync(app.vault.getFileByPath('Notes/Trip.md')!);
    const [link] = imageLinks(text);
    expect(text).toBe(`Trip\n![stored.png](${link?.url})`);
    expect(await served(link?.url ?? '')).toEqual(png(2));
    // Core found its own object by its recorded hash: nothing sent twice.
    expect(puts()).toHaveLength(1);
    expect(entriesOn(app)).toEqual([]);
  });

  it('kill test, large file: the multipart upload a crash left is aborted at the next start, and the file uploaded again', async () => {
    const l = await load(s3Settings(s3), { noteText: '' });
    // Over the 8 MiB part size: HEAD, CreateMultipartUpload, then parts, which never arrive.
    await pasteAndFreeze(l, new File([png(5, 9 * 1024 * 1024)], 'big.png', { type: 'image/png' }), 2);
    // Written down before its first part was sent.
    expect(multipartOn(l.app)).toHaveLength(1);
    // The parts never reached the server; the client's log has the upload's id.
    const uploadId = /uploadId=([^&]+)/.exec(
      requestLog.find((r) => r.url.includes('uploadId='))?.url ?? '',
    )?.[1];
    expect(uploadId).toBeTruthy();

    const { app, plugin } = await restart(l);
    await plugin.whenIdle();
    const aborted = s3.requests.filter(
      (r) => r.method === 'DELETE' && r.url.includes(`uploadId=${uploadId}`),
    );
    expect(aborted).toHaveLength(1);
    expect(await openMultipartUploads()).toEqual([]);
    expect(multipartOn(app)).toEqual([]);
    const text = app.vault.readSync(app.vault.getFileByPath('Notes/Trip.md')!);
    const [link] = imageLinks(text);
    expect(text).toBe(`![big.png](${link?.url})`);
    // Buffer.equals: vitest's deep equality walks 9 MiB one element at a time, for minutes.
    expect(Buffer.from(await served(link?.url ?? '')).equals(png(5, 9 * 1024 * 1024))).toBe(true);
  });

  it('a plugin unloaded mid-upload leaves its entry open; the next load finishes it', async () => {
    const l = await load(s3Settings(s3), { noteText: '' });
    await pasteAndFreeze(l, pngFile(3, 'reload.png'));
    (l.plugin as Plugin).unload();
    await l.plugin.whenIdle();
    expect(entriesOn(l.app)).toHaveLength(1);
    expect(Notice.shown).toEqual([]);

    const again = new BytedropPlugin(l.app as never, MANIFEST as never) as BytedropPlugin & Plugin;
    again.dataJson = (l.plugin as Plugin).dataJson;
    await again.onload();
    await again.whenIdle();
    const [link] = imageLinks(l.editor.getValue());
    expect(l.editor.getValue()).toBe(`![reload.png](${link?.url})`);
    expect(entriesOn(l.app)).toEqual([]);
  });

  it('follows the note and the copy when the user renames or moves them mid-upload, also across a crash', async () => {
    const l = await load(s3Settings(s3), { noteText: 'Trip\n' });
    await pasteAndFreeze(l, pngFile(4, 'moved.png'));
    await l.app.vault.createFolder('Archive');
    await l.app.vault.rename(l.note, 'Archive/Lisbon.md');
    await l.app.vault.rename(l.app.vault.getFileByPath('moved.png')!, 'Archive/moved.png');
    // The journal follows both (written to disk, so it holds across the crash below).
    await expect
      .poll(() => entriesOn(l.app).map((path) => l.app.vault.adapter.hidden.get(path)))
      .toEqual([expect.stringMatching(/"note":"Archive\/Lisbon\.md","file":"Archive\/moved\.png"/)]);
    // What Obsidian does on a rename: the link in the note follows the file.
    await l.app.vault.process(l.note, (text) => text.replace('![[moved.png]]', '![[Archive/moved.png]]'));

    const { app, plugin } = await restart(l);
    await plugin.whenIdle();
    const text = app.vault.readSync(app.vault.getFileByPath('Archive/Lisbon.md')!);
    const [link] = imageLinks(text);
    expect(text).toBe(`Trip\n![moved.png](${link?.url})`);
    expect(await served(link?.url ?? '')).toEqual(png(4));
  });

  it('a Retry while a paste is being saved leaves that paste alone', async () => {
    const l = await load(s3Settings(s3), { noteText: '' });
    // The moment between the entry being written and the copy: the vault is slow to write it.
    const writing = gate();
    const written = gate();
    const createBinary = l.app.vault.createBinary.bind(l.app.vault);
    l.app.vault.createBinary = async (path, data) => {
      writing.open();
      await written.promise;
      return createBinary(path, data);
    };
    paste(l, pasteEvent([pngFile(6, 'slow.png')]));
    await writing.promise;
    expect(entriesOn(l.app)).toHaveLength(1);
    l.plugin.retryPending();
    written.open();
    await l.plugin.whenIdle();
    const [link] = imageLinks(l.editor.getValue());
    expect(l.editor.getValue()).toBe(`![slow.png](${link?.url})`);
    expect(Notice.shown).toEqual([]);
  });

  it('a crash before the copy was written: the placeholder goes, and the notice says to paste again', async () => {
    const l = await load(s3Settings(s3), { noteText: 'Before ' });
    // The state such a crash leaves: the entry written, the placeholder saved, no copy.
    await l.plugin.pending.add({
      note: 'Notes/Trip.md',
      file: 'Pasted image 20261129120000.png',
      name: 'image.png',
      size: 256,
      text: '![Saving image.png…](bytedrop:deadbeef0)',
      match: 'text',
      removeLocal: false,
    });
    l.editor.setValue('Before ![Saving image.png…](bytedrop:deadbeef0) after');
    await l.view.save();

    const { app, plugin } = await restart(l);
    await plugin.whenIdle();
    expect(app.vault.readSync(app.vault.getFileByPath('Notes/Trip.md')!)).toBe('Before  after');
    expect(Notice.shown).toEqual([
      'Bytedrop: "image.png" was not saved before Obsidian closed, so it was not uploaded: paste it again.',
    ]);
    expect(entriesOn(app)).toEqual([]);
    expect(s3.requests).toEqual([]);
  });
});
