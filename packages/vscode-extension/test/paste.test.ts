/**
 * Paste, end to end inside the fake editor: the real provider, the real core uploader and a real s3rver behind a
 * gate that holds PUTs, so ordering ("the edit is back before any byte is read", "the copy is on disk before any
 * byte goes out") is proven by state, not by timing. Local first, then upload, then swap.
 */
import { createHash } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import {
  CancellationTokenSource,
  DataTransfer,
  type DocumentPasteEdit,
  DocumentPasteTriggerKind,
  fake,
  Range,
  Uri,
} from './_fake/vscode';
import { deferred, linksUnder, served, uploadsSettled, WAIT } from './_setup/expect';
import { type Gate, startGate } from './_setup/gate';
import { startStandInServer } from './_setup/server';
import { createWorld, endOf, journal, png, transferOf, type World } from './_setup/world';

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

const uploaded = () => linksUnder(base, world.document.getText());
const pasteShot = (bytes: Uint8Array, name = 'shot.png') =>
  fake.paste(world.document, [endOf(world.document)], transferOf({ name, mime: 'image/png', bytes }));

describe('a paste: local first, then upload, then swap', () => {
  it('answers before a byte is read: a link to where the copy goes, the copy left to VS Code to write', async () => {
    const data = vi.fn(async () => png(1));
    const transfer = new DataTransfer();
    transfer.append('image/png', fake.fileItem('first.png', data));
    const requests = s3.requests.length;
    const provider = fake.pasteProviders[0]?.provider;
    const edits = (await provider?.provideDocumentPasteEdits?.(
      world.document,
      [endOf(world.document)],
      transfer,
      { only: undefined, triggerKind: DocumentPasteTriggerKind.Automatic },
      new CancellationTokenSource().token,
    )) as DocumentPasteEdit[];
    expect(edits.map((edit) => edit.insertText)).toEqual(['![first.png](first.png)']);
    // VS Code writes the copy from the paste's own file as it applies the edit; the provider read nothing.
    expect(edits[0]?.additionalEdit?.fileCreates).toEqual([
      {
        uri: Uri.file('/ws/notes/first.png'),
        options: { contents: transfer.get('image/png')?.asFile(), overwrite: true },
      },
    ]);
    expect(data).not.toHaveBeenCalled();
    expect(journal()).toEqual([]);
    expect(s3.requests.length).toBe(requests);
  });

  it('uploads once VS Code wrote the copy, then swaps the link; the copy is kept', async () => {
    const bytes = png(1);
    const handedOver = deferred<Uint8Array>();
    const transfer = new DataTransfer();
    transfer.append(
      'image/png',
      fake.fileItem('shot.png', () => handedOver.promise),
    );
    const pasting = fake.paste(world.document, [endOf(world.document)], transfer);
    await vi.waitFor(() => expect(world.document.getText()).toBe('# Post\n\n![shot.png](shot.png)'), WAIT);
    expect(fake.files.has('/ws/notes/shot.png')).toBe(false);
    expect(journal()).toEqual([]);

    handedOver.resolve(bytes);
    await pasting;
    await vi.waitFor(() => expect(uploaded()).toHaveLength(1), WAIT);
    const [link] = uploaded();
    const hash16 = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    expect(link?.url).toMatch(new RegExp(`/\\d{4}/\\d{2}/\\d{2}/shot-${hash16}\\.png$`));
    expect(world.document.getText()).toBe(`# Post\n\n![shot.png](${link?.url})`);
    expect(await served(link?.url as string)).toEqual(bytes);
    // Kept by default (bytedrop.keepLocalCopy), and the journal is empty.
    expect(fake.files.get('/ws/notes/shot.png')).toEqual(bytes);
    await uploadsSettled();
    expect(journal()).toEqual([]);
    expect(fake.messages).toEqual([]);
  });

  it('has the copy on disk and the entry written down before the first byte goes out', async () => {
    const bytes = png(2);
    gate.hold();
    await pasteShot(bytes);
    await vi.waitFor(() => expect(gate.held).toBe(1), WAIT);
    expect(fake.files.get('/ws/notes/shot.png')).toEqual(bytes);
    expect(journal()).toMatchObject([
      { note: 'file:///ws/notes/post.md', file: 'file:///ws/notes/shot.png', size: bytes.byteLength },
    ]);
    expect(world.document.getText()).toBe('# Post\n\n![shot.png](shot.png)');
    gate.release();
    await uploadsSettled();
    expect(uploaded()).toHaveLength(1);
    expect(journal()).toEqual([]);
  });

  it("links the result's URL when the first key holds other bytes (the key moves on)", async () => {
    const bytes = png(3);
    // Another tool wrote other bytes at exactly the key these bytes would get.
    const hash16 = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    const now = new Date();
    const day = [now.getFullYear(), now.getMonth() + 1, now.getDate()].map((n) => String(n).padStart(2, '0'));
    const taken = `${day.join('/')}/shot-${hash16}.png`;
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: taken, Body: 'other bytes' }));
    await pasteShot(bytes);
    await uploadsSettled();
    const [link] = uploaded();
    expect(link?.url).not.toBe(`${base}/${taken}`);
    expect(await served(link?.url as string)).toEqual(bytes);
    expect(new TextDecoder().decode(await served(`${base}/${taken}`))).toBe('other bytes');
  });

  it('keeps what the user typed meanwhile, the alt text they changed included', async () => {
    gate.hold();
    await pasteShot(png(4));
    await vi.waitFor(() => expect(gate.held).toBe(1), WAIT);
    fake.type(world.document, 0, 'Intro. ');
    const text = world.document.getText();
    const alt = text.indexOf('shot.png');
    world.document.applyTextEdits([
      {
        range: new Range(world.document.positionAt(alt), world.document.positionAt(alt + 8)),
        newText: 'Chart',
      },
    ]);
    let typed = false;
    // The swap's first edit is refused (the user typed in between); the retry lands.
    fake.duringNextApplyEdit(() => {
      fake.type(world.document, world.document.getText().length, ' and after.');
      typed = true;
    });
    gate.release();
    await uploadsSettled();
    expect(typed).toBe(true);
    const [link] = uploaded();
    expect(world.document.getText()).toBe(`Intro. # Post\n\n![Chart](${link?.url}) and after.`);
  });

  it('puts a link at every cursor of a multi-cursor paste and swaps each', async () => {
    await fake.paste(
      world.document,
      [new Range(0, 0, 0, 0), endOf(world.document)],
      transferOf({ name: 'shot.png', mime: 'image/png', bytes: png(5) }),
    );
    await uploadsSettled();
    const links = uploaded();
    expect(links).toHaveLength(2);
    expect(world.document.getText()).toBe(
      `![shot.png](${links[0]?.url})# Post\n\n![shot.png](${links[0]?.url})`,
    );
  });

  it('gives two pastes of one file a copy each, and deletes the copies with bytedrop.keepLocalCopy off', async () => {
    fake.settings.set('bytedrop.keepLocalCopy', false);
    await pasteShot(png(6));
    await pasteShot(png(6));
    await uploadsSettled(2);
    expect(uploaded()).toHaveLength(2);
    expect(fake.files.has('/ws/notes/shot.png')).toBe(false);
    expect(fake.files.has('/ws/notes/shot-1.png')).toBe(false);
  });

  it('patches and saves a note that was closed before the upload finished', async () => {
    fake.settings.set('bytedrop.keyTemplate', '{yyyy}/{mm}/{dd}/{name}-{uuid}.{ext}');
    gate.hold();
    await pasteShot(png(7));
    await vi.waitFor(() => expect(gate.held).toBe(1), WAIT);
    await world.document.save();
    fake.closeDocument(world.document);
    gate.release();
    const onDisk = () => new TextDecoder().decode(fake.files.get('/ws/notes/post.md'));
    await vi.waitFor(() => expect(onDisk()).toContain(base), WAIT);
    const [link] = linksUnder(base, onDisk());
    expect(link?.url).toMatch(/\/shot-[0-9a-f-]{36}\.png$/);
    expect(onDisk()).toBe(`# Post\n\n![shot.png](${link?.url})`);
  });

  it('a Bytedrop server target: the same local-first path, swapped to the link the server gives', async () => {
    const server = await startStandInServer({
      endpoint: gate.endpoint,
      publicBaseUrl: base,
      bucket: s3.bucket,
      accessKey: 'server-key',
    });
    try {
      fake.settings.set('bytedrop.target', 'server');
      fake.settings.set('bytedrop.serverUrl', server.url);
      await world.context.secrets.store('bytedrop.serverAccessKey', 'server-key');
      const bytes = png(8);
      gate.hold();
      await pasteShot(bytes);
      await vi.waitFor(() => expect(gate.held).toBe(1), WAIT);
      expect(server.posts).toBe(1);
      expect(world.document.getText()).toBe('# Post\n\n![shot.png](shot.png)');
      gate.release();
      await uploadsSettled();
      const [link] = uploaded();
      expect(await served(link?.url as string)).toEqual(bytes);
      expect(fake.messages).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
