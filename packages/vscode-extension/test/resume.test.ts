/**
 * A reload (or a crash) in the middle: the extension stops without finishing anything, and the next start finishes
 * what the journal holds. The first upload is held in flight by a fault proxy in front of s3rver, so "mid-upload" is
 * a state, not a moment.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { type FaultProxy, startFaultProxy } from '../../core/test/_support/fault-proxy';
import { deactivate } from '../src/extension';
import { DataTransfer, fake, Uri, workspace } from './_fake/vscode';
import { linksUnder, served, WAIT } from './_setup/expect';
import { createWorld, endOf, journal, png, restart, transferOf, type World } from './_setup/world';

let s3: S3Harness;
let proxy: FaultProxy;
let world: World;
let base: string;

beforeAll(async () => {
  s3 = await startS3rver();
  proxy = await startFaultProxy(s3.endpoint);
  base = `${s3.endpoint}/${s3.bucket}`;
});
afterAll(async () => {
  await proxy.close();
  await s3.dispose();
});
beforeEach(async () => {
  await proxy.reset();
  world = await createWorld({ endpoint: proxy.endpoint, publicBaseUrl: base, bucket: s3.bucket });
});

const uploaded = () => linksUnder(base, world.document.getText());

/**
 * The crashed instance, stopped before the next start: in this process it would otherwise go on, once its held
 * request was let through, into the next test (its finish running in that test's world). Its held request is never
 * released: nothing of it may reach storage later.
 */
const stopOldInstance = () => deactivate();

describe('the next start', () => {
  it('finishes an upload a reload cut off: uploaded, verified, swapped, the entry closed', async () => {
    const bytes = png(21);
    const held = proxy.stall({ operation: 'PutObject' }, { nth: 1 });
    await fake.paste(
      world.document,
      [endOf(world.document)],
      transferOf({ name: 'shot.png', mime: 'image/png', bytes }),
    );
    await held.held;
    expect(journal()).toMatchObject([{ name: 'shot.png', size: bytes.byteLength }]);

    await stopOldInstance();
    world = restart(world);
    await world.resumed;
    const [link] = uploaded();
    expect(world.document.getText()).toBe(`# Post\n\n![shot.png](${link?.url})`);
    expect(await served(link?.url as string)).toEqual(bytes);
    expect(journal()).toEqual([]);
    // The resume wrote the object create-only; the MinIO preset does not assume an old MinIO honoured that, so a HEAD
    // after the write proves the key holds these bytes.
    const operations = proxy.requests.map((request) => request.operation);
    const put = operations.lastIndexOf('PutObject');
    expect(operations.slice(put)).toEqual(['PutObject', 'HeadObject']);
    expect(proxy.requests[put]?.headers['if-none-match']).toBe('*');
  });

  it('a reload stops the upload in flight: its multipart upload is aborted, nothing is said, the next start finishes it', async () => {
    const bytes = new Uint8Array(20 * 1024 * 1024).map((_, index) => (index * 7) % 251);
    const held = proxy.stall({ operation: 'UploadPart' }, { nth: 1 });
    await fake.paste(
      world.document,
      [endOf(world.document)],
      transferOf({ name: 'movie.bin', mime: 'application/octet-stream', bytes }),
    );
    await held.held;

    // VS Code calls deactivate when the window reloads, and waits for it.
    await deactivate();
    await held.clientGone;
    expect(proxy.requests.map((request) => request.operation)).toContain('AbortMultipartUpload');
    expect(journal()).toMatchObject([{ name: 'movie.bin', size: bytes.byteLength }]);
    expect(fake.messages).toEqual([]);
    expect(world.document.getText()).toBe('# Post\n\n[movie.bin](movie.bin)');
    held.release();

    world = restart(world);
    await world.resumed;
    const [link] = uploaded();
    expect(world.document.getText()).toBe(`# Post\n\n[movie.bin](${link?.url})`);
    expect(Buffer.compare(Buffer.from(await served(link?.url as string)), Buffer.from(bytes))).toBe(0);
    expect(journal()).toEqual([]);
  });

  it('closes an entry whose copy is gone, and says which link points at nothing', async () => {
    const held = proxy.stall({ operation: 'PutObject' }, { nth: 1 });
    await fake.paste(
      world.document,
      [endOf(world.document)],
      transferOf({ name: 'lost.png', mime: 'image/png', bytes: png(23) }),
    );
    await held.held;
    await workspace.fs.delete(Uri.file('/ws/notes/lost.png'));

    await stopOldInstance();
    world = restart(world);
    await world.resumed;
    expect(world.document.getText()).toBe('# Post\n\n![lost.png](lost.png)');
    expect(journal()).toEqual([]);
    expect(fake.messages).toMatchObject([
      {
        severity: 'warning',
        message:
          'Bytedrop: could not finish the upload of notes/lost.png (linked from notes/post.md): the file is gone. Paste or drop it again.',
      },
    ]);
  });

  it('copies again a dropped file whose copy was cut off, then uploads it', async () => {
    const bytes = png(22);
    fake.files.set('/tmp-source/clip.png', bytes);
    const held = proxy.stall({ operation: 'PutObject' }, { nth: 1 });
    const transfer = new DataTransfer();
    transfer.append(
      'files',
      fake.fileItem('clip.png', async () => bytes, Uri.file('/tmp-source/clip.png')),
    );
    await fake.drop(world.document, world.document.positionAt(0), transfer);
    await held.held;
    // The copy was cut off by the crash.
    fake.files.set('/ws/notes/clip.png', bytes.subarray(0, 10));

    await stopOldInstance();
    world = restart(world);
    await world.resumed;
    expect(fake.files.get('/ws/notes/clip.png')).toEqual(bytes);
    expect(await served(uploaded()[0]?.url as string)).toEqual(bytes);
  });

  it('names an entry it cannot read in the output channel and leaves it alone', async () => {
    await workspace.fs.writeFile(
      Uri.file('/storage/workspace/pending/torn.json'),
      new TextEncoder().encode('{"id":"torn","no'),
    );
    world = restart(world);
    await world.resumed;
    expect(fake.outputChannels.get('Bytedrop')).toEqual([
      expect.stringMatching(/^Bytedrop: skipped the unreadable pending upload torn \(not JSON/),
    ]);
    expect(fake.files.has('/storage/workspace/pending/torn.json')).toBe(true);
    await vi.waitFor(() => expect(fake.messages).toEqual([]), WAIT);
  });
});
