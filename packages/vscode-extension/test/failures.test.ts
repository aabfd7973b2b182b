/**
 * Nothing is lost when an upload does not happen: the note keeps linking the copy in the workspace, the message
 * offers Retry (and the button that fixes the cause), and Retry finds the link however the user edited it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { pastBackoff } from '../../core/test/_support/backoff';
import { DataTransfer, fake, Range } from './_fake/vscode';
import { linksUnder, sameBytes, served, WAIT } from './_setup/expect';
import { type Gate, startGate } from './_setup/gate';
import { createWorld, endOf, journal, PLACEHOLDER, png, transferOf, type World } from './_setup/world';

let s3: S3Harness;
let gate: Gate;
let world: World;
let base: string;

beforeAll(async () => {
  s3 = await startS3rver();
  gate = await startGate(s3.endpoint);
  base = `${s3.endpoint}/${s3.bucket}`;
});
afterAll(async () => {
  await gate.close();
  await s3.dispose();
});
beforeEach(async () => {
  gate.release();
  world = await createWorld({ endpoint: gate.endpoint, publicBaseUrl: base, bucket: s3.bucket });
});

const uploaded = (text = world.document.getText()) => linksUnder(base, text);
const paste = (document: typeof world.document, name: string, bytes: Uint8Array) =>
  fake.paste(document, [endOf(document)], transferOf({ name, mime: 'image/png', bytes }));

/** Replaces the first `from` in the note, as the user editing it. */
function edit(from: string, to: string): void {
  const at = world.document.getText().indexOf(from);
  const range = new Range(world.document.positionAt(at), world.document.positionAt(at + from.length));
  world.document.applyTextEdits([{ range, newText: to }]);
}

describe('a failed upload', () => {
  it('keeps the link on the copy and the entry open; Retry finds the link after its alt text was edited', async () => {
    const bytes = png(6);
    await s3.stop();
    try {
      const message = await pastBackoff(async () => {
        await paste(world.document, 'my shot.png', bytes);
        return fake.nextMessage();
      });
      expect(message).toMatchObject({ severity: 'error', items: ['Retry upload', 'Open Bytedrop settings'] });
      expect(message.message).toMatch(
        /^Bytedrop: could not upload my shot\.png: cannot reach http:\/\/127\.0\.0\.1:\d+: check the connection and Bytedrop: Endpoint \(ERR_NETWORK\)\. Kept in the workspace and linked from the note: my shot\.png\. Bytedrop tries again when VS Code starts\.$/,
      );
      // A name with a space needs <…> in a Markdown destination (core's formatLink escaping).
      expect(world.document.getText()).toBe('# Post\n\n![my shot.png](<my shot.png>)');
      expect(fake.files.get('/ws/notes/my shot.png')).toEqual(bytes);
      expect(journal()).toHaveLength(1);

      edit('![my shot.png]', '![A chart]');
      await s3.restart();
      message.respond('Retry upload');
      await vi.waitFor(() => expect(uploaded()).toHaveLength(1), WAIT);
      expect(world.document.getText()).toBe(`# Post\n\n![A chart](${uploaded()[0]?.url})`);
      expect(await served(uploaded()[0]?.url as string)).toEqual(bytes);
      await vi.waitFor(() => expect(journal()).toEqual([]), WAIT);
    } finally {
      await s3.restart().catch(() => undefined);
    }
  });

  it('cancelled: stays local, closed in the journal; Retry uploads it', async () => {
    const bytes = png(5);
    gate.hold();
    await paste(world.document, 'shot.png', bytes);
    await vi.waitFor(() => expect(gate.held).toBe(1), WAIT);
    fake.progress.at(-1)?.cancel();
    const message = await fake.nextMessage();
    expect(message).toMatchObject({
      severity: 'warning',
      message:
        'Bytedrop: upload of shot.png cancelled. Kept in the workspace and linked from the note: shot.png.',
      items: ['Retry upload'],
    });
    expect(world.document.getText()).toBe('# Post\n\n![shot.png](shot.png)');
    expect(journal()).toEqual([]);
    gate.release();
    message.respond('Retry upload');
    await vi.waitFor(() => expect(uploaded()).toHaveLength(1), WAIT);
    expect(await served(uploaded()[0]?.url as string)).toEqual(bytes);
  });

  it('above bytedrop.maxFileSizeMB: kept, named by its Settings editor name, not retried at start', async () => {
    fake.settings.set('bytedrop.maxFileSizeMB', 1);
    const big = new Uint8Array(2 * 1024 * 1024).fill(7);
    await fake.paste(
      world.document,
      [endOf(world.document)],
      transferOf({ name: 'big.bin', mime: 'application/octet-stream', bytes: big }),
    );
    const message = await fake.nextMessage();
    expect(message.message).toBe(
      'Bytedrop: could not upload big.bin: the file is larger than Bytedrop: Max File Size MB (1 MB): raise it to upload the file (ERR_TOO_LARGE). Kept in the workspace and linked from the note: big.bin.',
    );
    expect(message.items).toEqual(['Retry upload', 'Open Bytedrop settings']);
    expect(world.document.getText()).toBe('# Post\n\n[big.bin](big.bin)');
    expect(sameBytes(fake.files.get('/ws/notes/big.bin'), big)).toBe(true);
    await vi.waitFor(() => expect(journal()).toEqual([]), WAIT);
  });
});

describe('where the copy goes', () => {
  it('follows markdown.copyFiles.destination and never overwrites a file', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code's `${variable}` syntax in a setting value.
    fake.settings.set('markdown.copyFiles.destination', { '/notes/**': 'assets/${documentBaseName}/' });
    fake.files.set('/ws/notes/assets/post/image.png', new Uint8Array([1]));
    const outcome = await paste(world.document, 'image.png', png(7));
    expect(outcome.applied?.insertText).toBe('![image.png](assets/post/image-1.png)');
    await vi.waitFor(() => expect(uploaded()).toHaveLength(1), WAIT);
    expect(fake.files.get('/ws/notes/assets/post/image-1.png')).toEqual(png(7));
    expect(fake.files.get('/ws/notes/assets/post/image.png')).toEqual(new Uint8Array([1]));
  });

  it('an untitled note: at the workspace root; with no folder open, in the extension storage behind a placeholder', async () => {
    const untitled = fake.openUntitled('draft ');
    await paste(untitled, 'shot.png', png(15));
    await vi.waitFor(() => expect(uploaded(untitled.getText())).toHaveLength(1), WAIT);
    expect(fake.files.get('/ws/shot.png')).toEqual(png(15));

    fake.removeWorkspaceFolders();
    const lonely = fake.openUntitled('alone ');
    gate.hold();
    const outcome = await paste(lonely, 'b.png', png(16));
    expect(outcome.applied?.insertText).toMatch(new RegExp(`^${PLACEHOLDER.source}$`));
    await vi.waitFor(() => expect(gate.held).toBe(1), WAIT);
    const copies = [...fake.files.keys()].filter((path) => path.startsWith('/storage/workspace/files/'));
    expect(copies).toEqual([expect.stringMatching(/\/b\.png$/)]);
    gate.release();
    await vi.waitFor(() => expect(uploaded(lonely.getText())).toHaveLength(1), WAIT);
    expect(lonely.getText()).toBe(`alone ![b.png](${uploaded(lonely.getText())[0]?.url})`);
    // A copy in the extension's storage is nobody's file: it goes once uploaded.
    await vi.waitFor(
      () =>
        expect([...fake.files.keys()].filter((path) => path.startsWith('/storage/workspace/files/'))).toEqual(
          [],
        ),
      WAIT,
    );
  });

  it('takes the link out again when VS Code cannot write the copy, and says so', async () => {
    const transfer = new DataTransfer();
    transfer.append(
      'image/png',
      fake.fileItem('shot.png', async () => {
        throw new Error('No data transfer found');
      }),
    );
    // VS Code gets two minutes to write a copy (a large file to a remote disk); the fake clock skips them.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      await fake.paste(world.document, [endOf(world.document)], transfer);
      expect(world.document.getText()).toBe('# Post\n\n![shot.png](shot.png)');
      await vi.advanceTimersByTimeAsync(120_000);
    } finally {
      vi.useRealTimers();
    }
    const message = await fake.nextMessage();
    expect(message.message).toBe(
      'Bytedrop: could not save shot.png from the paste (VS Code did not write the copy), so its link was taken out again: paste or drop it once more.',
    );
    await vi.waitFor(() => expect(world.document.getText()).toBe('# Post\n\n'), WAIT);
    expect(journal()).toEqual([]);
  });
});
