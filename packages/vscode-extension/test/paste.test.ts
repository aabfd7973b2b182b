/**
 * Paste and drop, end to end inside the fake editor: the real provider, the real core uploader and a real s3rver.
 * A gate in front of s3rver holds PUTs, so ordering ("the edit is back before the upload finishes") is proven by
 * state, not by timing. With S3 and a content-addressed key the paste inserts the final link at once; a key without
 * the hash, or a Bytedrop server, gets a placeholder that is patched later.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { BYTEDROP_KIND } from '../src/constants';
import {
  CancellationTokenSource,
  commands,
  DataTransfer,
  DocumentDropOrPasteEditKind,
  DocumentPasteEdit,
  DocumentPasteTriggerKind,
  fake,
  languages,
  Range,
  Uri,
  workspace,
} from './_fake/vscode';
import { type Gate, startGate } from './_setup/gate';
import { startStandInServer } from './_setup/server';
import { createWorld, endOf, PLACEHOLDER, png, transferOf, type World } from './_setup/world';

// Background uploads go over real HTTP; give them more than waitFor's default second.
const WAIT = { timeout: 20_000, interval: 20 };

let s3: S3Harness;
let gate: Gate;
let world: World;
let publicBase: string;

beforeAll(async () => {
  s3 = await startS3rver();
  gate = await startGate(s3.endpoint);
  publicBase = `${s3.endpoint}/${s3.bucket}`;
});
afterAll(async () => {
  await gate.close();
  await s3.dispose();
});
beforeEach(async () => {
  gate.release();
  world = await createWorld({ endpoint: gate.endpoint, publicBaseUrl: publicBase, bucket: s3.bucket });
});

/** The uploaded links in a text, with their URLs. */
function uploadedLinks(text: string): { alt: string; url: string }[] {
  const escaped = publicBase.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return [...text.matchAll(new RegExp(`!?\\[([^\\]]*)\\]\\((${escaped}/[^)\\s]+)\\)`, 'g'))].map((match) => ({
    alt: match[1] as string,
    url: match[2] as string,
  }));
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

/** Waits until `count` uploads have started and all of them have finished (their notifications closed). */
async function uploadsSettled(count = 1): Promise<void> {
  await vi.waitFor(() => {
    expect(fake.progress).toHaveLength(count);
    expect(fake.progress.every((record) => record.done)).toBe(true);
  }, WAIT);
}

/** A key that does not depend on the bytes cannot be shown before the upload: pastes get a placeholder. */
function useKeyWithoutHash(): void {
  fake.settings.set('bytedrop.keyTemplate', '{yyyy}/{mm}/{dd}/{name}-{uuid}.{ext}');
}

const UUID_KEY = /\/\d{4}\/\d{2}\/\d{2}\/shot-[0-9a-f-]{36}\.png$/;

describe('paste one image (S3, content-addressed key): the final link at once', () => {
  it('returns the edit with the final link before the upload finishes; the same URL serves the bytes after', async () => {
    const bytes = png(1);
    gate.hold();
    const outcome = await fake.paste(
      world.document,
      [endOf(world.document)],
      transferOf({ name: 'shot.png', mime: 'image/png', bytes }),
    );

    expect(outcome.applied?.kind.value).toBe('markdown.link.image.bytedrop');
    expect(outcome.applied?.title).toBe('Upload with Bytedrop');
    const [link] = uploadedLinks(world.document.getText());
    const url = link?.url as string;
    expect(outcome.applied?.insertText).toBe(`![shot.png](${url})`);
    expect(world.document.getText()).toBe(`# Post\n\n![shot.png](${url})`);
    // The default template, yyyy/mm/dd/name-hash8.ext, over these very bytes.
    const hash8 = createHash('sha256').update(bytes).digest('hex').slice(0, 8);
    expect(url).toMatch(new RegExp(`/\\d{4}/\\d{2}/\\d{2}/shot-${hash8}\\.png$`));
    // The upload's PUT still waits at the gate: the link is there, the object is not yet.
    await vi.waitFor(() => expect(gate.held).toBe(1), WAIT);
    expect((await fetch(url)).status).toBe(404);

    gate.release();
    await uploadsSettled();
    expect(await fetchBytes(url)).toEqual(bytes);
    expect(world.document.getText()).toBe(`# Post\n\n![shot.png](${url})`);
    expect(fake.progress.at(-1)).toMatchObject({ options: { cancellable: true }, done: true });
    expect(fake.messages).toEqual([]);
  });

  it('inserts the final link at every cursor of a multi-cursor paste', async () => {
    const bytes = png(4);
    await fake.paste(
      world.document,
      [new Range(0, 0, 0, 0), endOf(world.document)],
      transferOf({ name: 'shot.png', mime: 'image/png', bytes }),
    );
    const links = uploadedLinks(world.document.getText());
    expect(links).toHaveLength(2);
    expect(world.document.getText()).toBe(
      `![shot.png](${links[0]?.url})# Post\n\n![shot.png](${links[0]?.url})`,
    );
    await uploadsSettled();
    expect(await fetchBytes(links[0]?.url as string)).toEqual(bytes);
  });

  it('pastes an image whose link the note holds already as a placeholder, since links are found by their text', async () => {
    const transfer = () => transferOf({ name: 'shot.png', mime: 'image/png', bytes: png(17) });
    await fake.paste(world.document, [endOf(world.document)], transfer());
    await uploadsSettled();
    const [first] = uploadedLinks(world.document.getText());
    gate.hold();
    await fake.paste(world.document, [endOf(world.document)], transfer());
    expect(world.document.getText()).toMatch(
      new RegExp(`^# Post\\n\\n!\\[shot\\.png\\]\\(\\S+\\)${PLACEHOLDER.source}$`),
    );
    gate.release();
    await uploadsSettled(2);
    expect(world.document.getText()).toBe(`# Post\n\n![shot.png](${first?.url})![shot.png](${first?.url})`);
  });
});

describe('the placeholder: when the object cannot be named before the upload', () => {
  it('a key without the hash: returns the placeholder before the upload finishes, then patches in the link', async () => {
    useKeyWithoutHash();
    const bytes = png(18);
    gate.hold();
    const outcome = await fake.paste(
      world.document,
      [endOf(world.document)],
      transferOf({ name: 'shot.png', mime: 'image/png', bytes }),
    );
    expect(outcome.applied?.kind.value).toBe('markdown.link.image.bytedrop');
    await vi.waitFor(() => expect(gate.held).toBe(1), WAIT);
    expect(world.document.getText()).toMatch(new RegExp(`^# Post\\n\\n${PLACEHOLDER.source}$`));
    expect(uploadedLinks(world.document.getText())).toEqual([]);

    gate.release();
    await vi.waitFor(() => expect(world.document.getText()).not.toMatch(PLACEHOLDER), WAIT);
    const links = uploadedLinks(world.document.getText());
    expect(world.document.getText()).toBe(`# Post\n\n![shot.png](${links[0]?.url})`);
    expect(links[0]?.url).toMatch(UUID_KEY);
    expect(await fetchBytes(links[0]?.url as string)).toEqual(bytes);
    expect(fake.messages).toEqual([]);
  });

  it('a Bytedrop server target: the server picks the key, so a placeholder first, then its link', async () => {
    const server = await startStandInServer({
      endpoint: gate.endpoint,
      publicBaseUrl: publicBase,
      bucket: s3.bucket,
      accessKey: 'server-key',
    });
    try {
      fake.settings.set('bytedrop.target', 'server');
      fake.settings.set('bytedrop.serverUrl', server.url);
      await world.context.secrets.store('bytedrop.serverAccessKey', 'server-key');
      const bytes = png(19);
      gate.hold();
      await fake.paste(
        world.document,
        [endOf(world.document)],
        transferOf({ name: 'shot.png', mime: 'image/png', bytes }),
      );
      // The server's own upload to S3 waits at the gate, so the extension's POST is still unanswered.
      await vi.waitFor(() => expect(gate.held).toBe(1), WAIT);
      expect(server.posts).toBe(1);
      expect(world.document.getText()).toMatch(new RegExp(`^# Post\\n\\n${PLACEHOLDER.source}$`));

      gate.release();
      await vi.waitFor(() => expect(world.document.getText()).not.toMatch(PLACEHOLDER), WAIT);
      const [link] = uploadedLinks(world.document.getText());
      expect(world.document.getText()).toBe(`# Post\n\n![shot.png](${link?.url})`);
      expect(await fetchBytes(link?.url as string)).toEqual(bytes);
      expect(fake.messages).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('keeps what the user types around the placeholder during the upload', async () => {
    useKeyWithoutHash();
    gate.hold();
    await fake.paste(
      world.document,
      [endOf(world.document)],
      transferOf({ name: 'shot.png', mime: 'image/png', bytes: png(2) }),
    );
    await vi.waitFor(() => expect(gate.held).toBe(1), WAIT);
    fake.type(world.document, 0, 'Intro. ');
    fake.type(world.document, world.document.getText().length, ' and after.');
    gate.release();
    await vi.waitFor(() => expect(world.document.getText()).not.toMatch(PLACEHOLDER), WAIT);
    const [link] = uploadedLinks(world.document.getText());
    expect(world.document.getText()).toBe(`Intro. # Post\n\n![shot.png](${link?.url}) and after.`);
  });

  it('re-finds the placeholder when the user types while the patch is in flight', async () => {
    useKeyWithoutHash();
    gate.hold();
    await fake.paste(
      world.document,
      [endOf(world.document)],
      transferOf({ name: 'shot.png', mime: 'image/png', bytes: png(3) }),
    );
    await vi.waitFor(() => expect(gate.held).toBe(1), WAIT);
    let typed = false;
    // The first patch is refused (the document changed after the extension read it); the retry must land.
    fake.duringNextApplyEdit(() => {
      fake.type(world.document, 0, '> ');
      typed = true;
    });
    gate.release();
    await vi.waitFor(() => expect(world.document.getText()).not.toMatch(PLACEHOLDER), WAIT);
    expect(typed).toBe(true);
    const [link] = uploadedLinks(world.document.getText());
    expect(world.document.getText()).toBe(`> # Post\n\n![shot.png](${link?.url})`);
  });

  it('patches and saves a note that was saved and closed before the upload finished', async () => {
    useKeyWithoutHash();
    gate.hold();
    await fake.paste(
      world.document,
      [endOf(world.document)],
      transferOf({ name: 'shot.png', mime: 'image/png', bytes: png(14) }),
    );
    await vi.waitFor(() => expect(gate.held).toBe(1), WAIT);
    await world.document.save();
    fake.closeDocument(world.document);
    gate.release();
    const onDisk = () => new TextDecoder().decode(fake.files.get('/ws/notes/post.md'));
    await vi.waitFor(() => expect(onDisk()).toContain(publicBase), WAIT);
    const [link] = uploadedLinks(onDisk());
    expect(onDisk()).toBe(`# Post\n\n![shot.png](${link?.url})`);
    expect(link?.url).toMatch(UUID_KEY);
  });
});

describe('nothing lost', () => {
  it('a cancelled upload lands in the workspace next to the note, its final link is re-pointed there; Retry uploads it', async () => {
    const bytes = png(5);
    const requestsBefore = s3.requests.length;
    gate.hold();
    await fake.paste(
      world.document,
      [endOf(world.document)],
      transferOf({ name: 'shot.png', mime: 'image/png', bytes }),
    );
    expect(uploadedLinks(world.document.getText())).toHaveLength(1);
    await vi.waitFor(() => expect(gate.held).toBe(1), WAIT);
    // The user types around the link meanwhile, and again while the fallback's edit is in flight.
    fake.type(world.document, 0, 'Intro. ');
    fake.type(world.document, world.document.getText().length, ' and after.');
    let typed = false;
    fake.duringNextApplyEdit(() => {
      fake.type(world.document, 0, '> ');
      typed = true;
    });
    fake.progress.at(-1)?.cancel();

    const message = await fake.nextMessage();
    expect(message).toMatchObject({ severity: 'warning', items: ['Retry upload'] });
    expect(message.message).toContain('cancelled');
    expect(message.message).toContain('shot.png');
    expect(typed).toBe(true);
    expect(world.document.getText()).toBe('> Intro. # Post\n\n![shot.png](shot.png) and after.');
    expect(fake.files.get('/ws/notes/shot.png')).toEqual(bytes);
    // The aborted PUT never reached s3rver.
    gate.release();
    expect(s3.requests.slice(requestsBefore).filter((request) => request.method === 'PUT')).toEqual([]);

    message.respond('Retry upload');
    await vi.waitFor(() => expect(uploadedLinks(world.document.getText())).toHaveLength(1), WAIT);
    const [link] = uploadedLinks(world.document.getText());
    expect(world.document.getText()).toBe(`> Intro. # Post\n\n![shot.png](${link?.url}) and after.`);
    expect(await fetchBytes(link?.url as string)).toEqual(bytes);
  });

  it('a failed upload lands in the workspace, is linked there, and the error offers Retry', async () => {
    const bytes = png(6);
    await s3.stop();
    try {
      await fake.paste(
        world.document,
        [endOf(world.document)],
        transferOf({ name: 'my shot.png', mime: 'image/png', bytes }),
      );
      const message = await fake.nextMessage();
      expect(message).toMatchObject({ severity: 'error', items: ['Retry upload'] });
      expect(message.message).toMatch(
        /could not upload my shot\.png: .+Kept in the workspace: my shot\.png\./,
      );
      // A name with a space needs <…> in a Markdown destination (core's formatLink escaping).
      expect(world.document.getText()).toBe('# Post\n\n![my shot.png](<my shot.png>)');
      expect(fake.files.get('/ws/notes/my shot.png')).toEqual(bytes);
      await s3.restart();
      message.respond('Retry upload');
      await vi.waitFor(() => expect(uploadedLinks(world.document.getText())).toHaveLength(1), WAIT);
      expect(await fetchBytes(uploadedLinks(world.document.getText())[0]?.url as string)).toEqual(bytes);
    } finally {
      await s3.restart().catch(() => undefined);
    }
  });

  it('keeps a file pasted into an untitled note at the workspace root; without a folder, keeps it for Retry', async () => {
    await s3.stop();
    try {
      const untitled = fake.openUntitled('draft ');
      await fake.paste(
        untitled,
        [endOf(untitled)],
        transferOf({ name: 'shot.png', mime: 'image/png', bytes: png(15) }),
      );
      await fake.nextMessage();
      expect(untitled.getText()).toBe('draft ![shot.png](shot.png)');
      expect(fake.files.get('/ws/shot.png')).toEqual(png(15));

      // No folder open: nowhere to save, so the link (not served yet) and the bytes wait for Retry.
      fake.removeWorkspaceFolders();
      fake.messages.length = 0;
      const lonely = fake.openUntitled('alone ');
      await fake.paste(
        lonely,
        [endOf(lonely)],
        transferOf({ name: 'b.png', mime: 'image/png', bytes: png(16) }),
      );
      const message = await fake.nextMessage();
      expect(message.message).toContain('Could not save b.png');
      expect(message.message).toContain('keep this message to retry');
      const [link] = uploadedLinks(lonely.getText());
      expect(lonely.getText()).toBe(`alone ![b.png](${link?.url})`);
      await s3.restart();
      expect((await fetch(link?.url as string)).status).toBe(404);
      message.respond('Retry upload');
      await vi.waitFor(async () => expect(await fetchBytes(link?.url as string)).toEqual(png(16)), WAIT);
      expect(lonely.getText()).toBe(`alone ![b.png](${link?.url})`);
    } finally {
      await s3.restart().catch(() => undefined);
    }
  });

  it('refuses a file above bytedrop.maxFileSizeMB and keeps it in the workspace', async () => {
    fake.settings.set('bytedrop.maxFileSizeMB', 1);
    const big = new Uint8Array(2 * 1024 * 1024).fill(7);
    await fake.paste(
      world.document,
      [endOf(world.document)],
      transferOf({ name: 'big.bin', mime: 'application/octet-stream', bytes: big }),
    );
    const message = await fake.nextMessage();
    expect(message.severity).toBe('error');
    expect(message.message).toMatch(/could not upload big\.bin: .*(large|limit|maxFileSize)/i);
    expect(world.document.getText()).toBe('# Post\n\n[big.bin](big.bin)');
    expect(Buffer.from(fake.files.get('/ws/notes/big.bin') ?? []).equals(Buffer.from(big))).toBe(true);
  });

  it('refuses a file above bytedrop.maxFileSizeMB for a Bytedrop server target too, before sending it', async () => {
    const server = await startStandInServer({
      endpoint: gate.endpoint,
      publicBaseUrl: publicBase,
      bucket: s3.bucket,
      accessKey: 'server-key',
    });
    try {
      fake.settings.set('bytedrop.target', 'server');
      fake.settings.set('bytedrop.serverUrl', server.url);
      fake.settings.set('bytedrop.maxFileSizeMB', 1);
      await world.context.secrets.store('bytedrop.serverAccessKey', 'server-key');
      const big = new Uint8Array(2 * 1024 * 1024).fill(7);
      await fake.paste(
        world.document,
        [endOf(world.document)],
        transferOf({ name: 'big.bin', mime: 'application/octet-stream', bytes: big }),
      );
      const message = await fake.nextMessage();
      expect(message.severity).toBe('error');
      expect(message.message).toMatch(/could not upload big\.bin: .*(large|limit|maxFileSize)/i);
      expect(server.posts).toBe(0);
      expect(world.document.getText()).toBe('# Post\n\n[big.bin](big.bin)');
      expect(Buffer.from(fake.files.get('/ws/notes/big.bin') ?? []).equals(Buffer.from(big))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('follows markdown.copyFiles.destination and never overwrites an existing file', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code's `${variable}` syntax in a setting value.
    fake.settings.set('markdown.copyFiles.destination', { '/notes/**': 'assets/${documentBaseName}/' });
    fake.files.set('/ws/notes/assets/post/image.png', new Uint8Array([1]));
    const bytes = png(7);
    gate.hold();
    await fake.paste(
      world.document,
      [endOf(world.document)],
      transferOf({ name: 'image.png', mime: 'image/png', bytes }),
    );
    await vi.waitFor(() => expect(gate.held).toBe(1), WAIT);
    fake.progress.at(-1)?.cancel();
    await fake.nextMessage();
    expect(fake.files.get('/ws/notes/assets/post/image-1.png')).toEqual(bytes);
    expect(fake.files.get('/ws/notes/assets/post/image.png')).toEqual(new Uint8Array([1]));
    expect(world.document.getText()).toBe('# Post\n\n![image.png](assets/post/image-1.png)');
  });
});

describe('drop', () => {
  it('drops 3 files: each becomes its own link, images as images and others as links', async () => {
    const files = [
      { name: 'a.png', mime: 'image/png', bytes: png(8) },
      { name: 'b.png', mime: 'image/png', bytes: png(9) },
      {
        name: 'report.pdf',
        mime: 'application/pdf',
        bytes: new TextEncoder().encode('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'),
      },
    ];
    const outcome = await fake.drop(
      world.document,
      world.document.positionAt(world.document.getText().length),
      transferOf(...files),
    );
    expect(outcome.applied?.kind?.value).toBe(BYTEDROP_KIND.value);
    // The drop's edit holds the three final links already.
    const text = world.document.getText();
    await uploadsSettled();
    expect(world.document.getText()).toBe(text);
    const links = uploadedLinks(text);
    expect(links.map((link) => link.alt)).toEqual(['a.png', 'b.png', 'report.pdf']);
    expect(text).toMatch(/!\[a\.png\]\([^)]+\) !\[b\.png\]\([^)]+\) \[report\.pdf\]\([^)]+\.pdf\)$/);
    for (const [index, link] of links.entries())
      expect(await fetchBytes(link.url)).toEqual(files[index]?.bytes);
    // One notification for the drop, counting files.
    expect(fake.progress).toHaveLength(1);
    expect(fake.progress[0]?.options.title).toBe('Bytedrop: uploading 3 files');
    expect(
      fake.progress[0]?.reports
        .map((report) => report.message)
        .filter(Boolean)
        .at(-1),
    ).toBe('3/3 done');
  });
  it('shows per-file progress for a large file', async () => {
    const big = new Uint8Array(3 * 1024 * 1024).map((_, index) => (index * 7919) % 251);
    await fake.drop(
      world.document,
      world.document.positionAt(0),
      transferOf({ name: 'big.bin', mime: 'application/octet-stream', bytes: big }),
    );
    await uploadsSettled();
    const reports = fake.progress[0]?.reports ?? [];
    expect(fake.progress[0]?.options.title).toBe('Bytedrop: uploading big.bin');
    expect(reports.map((report) => report.message)).toContain('big.bin 100%');
    expect(reports.reduce((sum, report) => sum + (report.increment ?? 0), 0)).toBeCloseTo(100);
    const [link] = uploadedLinks(world.document.getText().replace(/^\[/, '!['));
    // Buffer.equals: a deep toEqual over 3 MiB element by element takes seconds.
    expect(Buffer.from(await fetchBytes(link?.url as string)).equals(Buffer.from(big))).toBe(true);
  });
});

describe('drop of a file on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-drop-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** A drop of `path` as VS Code hands it over: its `uri`, and `data()` for the bytes. */
  const dropOf = (name: string, path: string, data: () => Promise<Uint8Array>) => {
    const transfer = new DataTransfer();
    // VS Code lists a file dropped from the OS under 'files', without a type.
    transfer.append('files', fake.fileItem(name, data, Uri.file(path)));
    return fake.drop(world.document, world.document.positionAt(0), transfer);
  };

  it('is streamed from disk, never loaded through data(), and hashed before the edit (20 MiB)', async () => {
    const bytes = new Uint8Array(20 * 1024 * 1024).map((_, index) => (index * 31) % 253);
    const path = join(dir, 'clip.bin');
    await writeFile(path, bytes);
    const data = vi.fn(async (): Promise<Uint8Array> => {
      throw new Error('data() must not be called for a file the extension host can read');
    });
    await dropOf('clip.bin', path, data);
    // The final, content-addressed link is in the drop's edit already.
    const [link] = uploadedLinks(world.document.getText().replace(/^\[/, '!['));
    expect(link?.url).toMatch(/clip-[0-9a-f]{8}\.bin$/);
    await uploadsSettled();
    expect(Buffer.from(await fetchBytes(link?.url as string)).equals(Buffer.from(bytes))).toBe(true);
    expect(data).not.toHaveBeenCalled();
  });

  it('a file the extension host cannot open (the client of a remote window) comes through data()', async () => {
    const bytes = png(41);
    const data = vi.fn(async () => bytes);
    await dropOf('remote.png', join(dir, 'not-on-this-host.png'), data);
    await uploadsSettled();
    const [link] = uploadedLinks(world.document.getText());
    expect(await fetchBytes(link?.url as string)).toEqual(bytes);
    expect(data).toHaveBeenCalledTimes(1);
  });

  it('a failed upload copies it into the workspace and links it there', async () => {
    const bytes = png(42);
    const path = join(dir, 'kept.png');
    await writeFile(path, bytes);
    await s3.stop();
    try {
      await dropOf('kept.png', path, async () => {
        throw new Error('data() must not be called');
      });
      const message = await fake.nextMessage();
      expect(message).toMatchObject({ severity: 'error', items: ['Retry upload'] });
      expect(world.document.getText()).toBe('![kept.png](kept.png)# Post\n\n');
      expect(fake.files.get('/ws/notes/kept.png')).toEqual(bytes);
    } finally {
      await s3.restart();
    }
  });
});

describe('when Bytedrop does not answer', () => {
  it('ignores a language that is not configured, and answers once it is', async () => {
    const script = fake.openDocument('/ws/notes/notes.txt', 'text\n', 'plaintext');
    const transfer = transferOf({ name: 'shot.png', mime: 'image/png', bytes: png(10) });
    const requests = s3.requests.length;
    const ignored = await fake.paste(script, [endOf(script)], transfer);
    expect(ignored.edits).toEqual([]);
    // Even asked directly (a stale registration), the provider declines.
    const provider = fake.pasteProviders[0]?.provider;
    const direct = await provider?.provideDocumentPasteEdits?.(
      script,
      [endOf(script)],
      transfer,
      { only: undefined, triggerKind: DocumentPasteTriggerKind.Automatic },
      new CancellationTokenSource().token,
    );
    expect(direct).toBeUndefined();
    expect(script.getText()).toBe('text\n');
    expect(s3.requests.length).toBe(requests);

    await workspace.getConfiguration('bytedrop').update('languages', ['markdown', 'plaintext']);
    const answered = await fake.paste(script, [endOf(script)], transfer);
    expect(answered.applied?.kind.value).toBe(BYTEDROP_KIND.value);
    await uploadsSettled();
    expect(script.getText()).toMatch(/^text\n!\[shot\.png\]\(http:\S+\.png\)$/);
    expect(fake.messages).toEqual([]);
  });

  it('returns nothing when context.only asks for another kind, and answers for its parent kind', async () => {
    const transfer = transferOf({ name: 'shot.png', mime: 'image/png', bytes: png(11) });
    const provider = fake.pasteProviders[0]?.provider;
    const ask = (only: DocumentDropOrPasteEditKind) =>
      provider?.provideDocumentPasteEdits?.(
        world.document,
        [endOf(world.document)],
        transfer,
        { only, triggerKind: DocumentPasteTriggerKind.PasteAs },
        new CancellationTokenSource().token,
      );
    expect(await ask(DocumentDropOrPasteEditKind.Text)).toBeUndefined();
    expect(
      await ask(DocumentDropOrPasteEditKind.Empty.append('markdown', 'link', 'image', 'attachment')),
    ).toBeUndefined();
    const parent = (await ask(DocumentDropOrPasteEditKind.Empty.append('markdown', 'link', 'image'))) as {
      kind: DocumentDropOrPasteEditKind;
    }[];
    expect(parent.map((edit) => edit.kind.value)).toEqual([BYTEDROP_KIND.value]);

    const requests = s3.requests.length;
    const outcome = await fake.paste(world.document, [endOf(world.document)], transfer, {
      only: DocumentDropOrPasteEditKind.Text,
    });
    expect(outcome.edits).toEqual([]);
    expect(world.document.getText()).toBe('# Post\n\n');
    expect(s3.requests.length).toBe(requests);
  });

  it('uploads nothing when the user types before the provider answered (VS Code cancels the paste)', async () => {
    const requests = s3.requests.length;
    // The user types while the provider reads the clipboard bytes.
    const transfer = new DataTransfer();
    transfer.set(
      'image/png',
      fake.fileItem('shot.png', async () => {
        fake.type(world.document, 0, 'x');
        return png(12);
      }),
    );
    const outcome = await fake.paste(world.document, [new Range(2, 0, 2, 0)], transfer);
    expect(outcome.applied).toBeUndefined();
    expect(outcome.token.isCancellationRequested).toBe(true);
    expect(world.document.getText()).toBe('x# Post\n\n');
    expect(s3.requests.length).toBe(requests);
  });
});

describe('Paste As preferences', () => {
  it("'Make Bytedrop the default' puts its kind first, so a plain paste picks Bytedrop over the built-in", async () => {
    // The built-in Markdown provider, registered earlier, answers first by default.
    const builtInKind = DocumentDropOrPasteEditKind.Empty.append('markdown', 'link', 'image');
    languages.registerDocumentPasteEditProvider(
      'markdown',
      {
        provideDocumentPasteEdits: () => [
          new DocumentPasteEdit('![alt text](shot.png)', 'Insert image', builtInKind),
        ],
      },
      { providedPasteEditKinds: [builtInKind], pasteMimeTypes: ['files'] },
    );
    fake.pasteProviders.unshift(fake.pasteProviders.pop() as (typeof fake.pasteProviders)[number]);
    await workspace.getConfiguration('editor').update('pasteAs.preferences', ['text']);

    const before = await fake.paste(
      world.document,
      [endOf(world.document)],
      transferOf({ name: 'shot.png', mime: 'image/png', bytes: png(13) }),
    );
    expect(before.applied?.kind.value).toBe('markdown.link.image');

    await commands.executeCommand('bytedrop.makeDefault');
    expect(workspace.getConfiguration('editor').get('pasteAs.preferences')).toEqual([
      BYTEDROP_KIND.value,
      'text',
    ]);
    expect(workspace.getConfiguration('editor').get('dropIntoEditor.preferences')).toEqual([
      BYTEDROP_KIND.value,
    ]);
    const after = await fake.paste(
      world.document,
      [endOf(world.document)],
      transferOf({ name: 'shot.png', mime: 'image/png', bytes: png(13) }),
    );
    expect(after.applied?.kind.value).toBe(BYTEDROP_KIND.value);
    await uploadsSettled();
    expect(uploadedLinks(world.document.getText())).toHaveLength(1);
  });
});
