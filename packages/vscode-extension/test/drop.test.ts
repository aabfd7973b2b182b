/**
 * Drop: VS Code 1.139 applies a drop edit without resolving it (the fake does the same), so a drop must start its
 * upload from the provider itself. Files come from the drop's bytes or, when this host can read them, from disk.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { pastBackoff } from '../../core/test/_support/backoff';
import { BYTEDROP_KIND } from '../src/constants';
import { DataTransfer, fake, Uri } from './_fake/vscode';
import { linksUnder, sameBytes, served, uploadsSettled, WAIT } from './_setup/expect';
import { createWorld, png, transferOf, type World } from './_setup/world';

let s3: S3Harness;
let world: World;
let base: string;
let dir: string;

beforeAll(async () => {
  s3 = await startS3rver();
  base = `${s3.endpoint}/${s3.bucket}`;
  dir = await mkdtemp(join(tmpdir(), 'bytedrop-drop-'));
});
afterAll(async () => {
  await s3.dispose();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  world = await createWorld({ endpoint: s3.endpoint, publicBaseUrl: base, bucket: s3.bucket });
});

/** The links in the note, images and other files alike. */
const uploaded = () => linksUnder(base, world.document.getText().replace(/(^|[^!])\[/g, '$1!['));
const dropAtEnd = (transfer: DataTransfer) =>
  fake.drop(world.document, world.document.positionAt(world.document.getText().length), transfer);

/** A drop of a file on disk as VS Code hands it over: its `uri`, and `data()` for the bytes. */
function diskDrop(name: string, path: string, data: () => Promise<Uint8Array>): DataTransfer {
  const transfer = new DataTransfer();
  // VS Code lists a file dropped from the OS under 'files', without a type.
  transfer.append('files', fake.fileItem(name, data, Uri.file(path)));
  return transfer;
}

const pdf = new TextEncoder().encode('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n');

describe('a drop', () => {
  it('of 3 files uploads each, though VS Code never resolves the edit', async () => {
    expect(fake.dropProviders[0]?.provider.resolveDocumentDropEdit).toBeUndefined();
    const files = [
      { name: 'a.png', mime: 'image/png', bytes: png(8) },
      { name: 'b.png', mime: 'image/png', bytes: png(9) },
      { name: 'report.pdf', mime: 'application/pdf', bytes: pdf },
    ];
    const outcome = await dropAtEnd(transferOf(...files));
    expect(outcome.applied?.kind?.value).toBe(BYTEDROP_KIND.value);
    expect(outcome.applied?.insertText).toBe('![a.png](a.png) ![b.png](b.png) [report.pdf](report.pdf)');
    await uploadsSettled();
    const text = world.document.getText();
    expect(text).toMatch(
      /^# Post\n\n!\[a\.png\]\(http\S+\) !\[b\.png\]\(http\S+\) \[report\.pdf\]\(http\S+\.pdf\)$/,
    );
    const links = uploaded();
    for (const [index, link] of links.entries()) expect(await served(link.url)).toEqual(files[index]?.bytes);
    expect(fake.progress[0]?.options.title).toBe('Bytedrop: uploading 3 files');
    expect(
      fake.progress[0]?.reports
        .map((report) => report.message)
        .filter(Boolean)
        .at(-1),
    ).toBe('3/3 done');
  });

  it('shows the percentage of a large file as it goes', async () => {
    const big = new Uint8Array(3 * 1024 * 1024).map((_, index) => (index * 7919) % 251);
    await dropAtEnd(transferOf({ name: 'big.bin', mime: 'application/octet-stream', bytes: big }));
    await uploadsSettled();
    const reports = fake.progress[0]?.reports ?? [];
    expect(reports.map((report) => report.message)).toContain('big.bin 100%');
    expect(reports.reduce((sum, report) => sum + (report.increment ?? 0), 0)).toBeCloseTo(100);
    expect(sameBytes(await served(uploaded()[0]?.url as string), big)).toBe(true);
  });
});

describe('a drop of a file on disk', () => {
  it('is copied from disk into the workspace, never read through data() (20 MiB)', async () => {
    const bytes = new Uint8Array(20 * 1024 * 1024).map((_, index) => (index * 31) % 253);
    const path = join(dir, 'clip.bin');
    await writeFile(path, bytes);
    const data = vi.fn(async (): Promise<Uint8Array> => {
      throw new Error('data() must not be called for a file this host can read');
    });
    const outcome = await dropAtEnd(diskDrop('clip.bin', path, data));
    expect(outcome.applied?.insertText).toBe('[clip.bin](clip.bin)');
    await uploadsSettled();
    expect(sameBytes(fake.files.get('/ws/notes/clip.bin'), bytes)).toBe(true);
    expect(sameBytes(await served(uploaded()[0]?.url as string), bytes)).toBe(true);
    expect(data).not.toHaveBeenCalled();
  });

  it('comes through data() when this host cannot open it (the client of a remote window)', async () => {
    const bytes = png(41);
    const data = vi.fn(async () => bytes);
    await dropAtEnd(diskDrop('remote.png', join(dir, 'not-on-this-host.png'), data));
    await uploadsSettled();
    expect(await served(uploaded()[0]?.url as string)).toEqual(bytes);
    expect(data).toHaveBeenCalledTimes(1);
  });

  it('in the workspace already is linked where it is, never copied, never removed', async () => {
    fake.settings.set('bytedrop.keepLocalCopy', false);
    fake.files.set('/ws/img/chart.png', png(43));
    const outcome = await dropAtEnd(
      diskDrop('chart.png', '/ws/img/chart.png', async () => {
        throw new Error('data() must not be called');
      }),
    );
    expect(outcome.applied?.insertText).toBe('![chart.png](../img/chart.png)');
    await uploadsSettled();
    expect(await served(uploaded()[0]?.url as string)).toEqual(png(43));
    expect(fake.files.get('/ws/img/chart.png')).toEqual(png(43));
    expect(fake.files.has('/ws/notes/chart.png')).toBe(false);
  });

  it('stays linked to its copy in the workspace when the upload fails', async () => {
    const path = join(dir, 'kept.png');
    await writeFile(path, png(42));
    await s3.stop();
    try {
      const message = await pastBackoff(async () => {
        await dropAtEnd(diskDrop('kept.png', path, async () => png(0)));
        return fake.nextMessage();
      });
      expect(message).toMatchObject({ severity: 'error', items: expect.arrayContaining(['Retry upload']) });
      expect(world.document.getText()).toBe('# Post\n\n![kept.png](kept.png)');
      expect(fake.files.get('/ws/notes/kept.png')).toEqual(png(42));
      await vi.waitFor(() => expect(fake.progress.every((record) => record.done)).toBe(true), WAIT);
    } finally {
      await s3.restart();
    }
  });
});
