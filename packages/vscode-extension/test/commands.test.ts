/** The command palette entries, over the real core and a real s3rver. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { commands, fake, Uri, workspace } from './_fake/vscode';
import { createWorld, PLACEHOLDER, png, type World } from './_setup/world';

const WAIT = { timeout: 20_000, interval: 20 };
let s3: S3Harness;
let world: World;
let base: string;

beforeAll(async () => {
  s3 = await startS3rver();
  base = `${s3.endpoint}/${s3.bucket}`;
});
afterAll(() => s3.dispose());
beforeEach(async () => {
  world = await createWorld({ endpoint: s3.endpoint, publicBaseUrl: base, bucket: s3.bucket });
});

async function served(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

describe('Bytedrop: Upload files…', () => {
  it('uploads the picked files and puts their links at the cursor', async () => {
    const outside = png(20);
    const inside = png(21);
    fake.files.set('/home/me/Desktop/chart.png', outside);
    fake.files.set('/ws/notes/local.png', inside);
    fake.openDialogAnswers.push([Uri.file('/home/me/Desktop/chart.png'), Uri.file('/ws/notes/local.png')]);
    fake.showEditor(world.document, 2); // after "# "
    await commands.executeCommand('bytedrop.uploadFiles');
    const text = world.document.getText();
    expect(text).not.toMatch(PLACEHOLDER);
    const match = text.match(/^# !\[chart\.png\]\((\S+)\) !\[local\.png\]\((\S+)\)Post\n\n$/);
    expect(match).not.toBeNull();
    expect(await served(match?.[1] as string)).toEqual(outside);
    expect(await served(match?.[2] as string)).toEqual(inside);
  });

  it('a picked file the extension host can open is streamed from disk, not read whole through workspace.fs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bytedrop-pick-'));
    try {
      const bytes = png(22);
      await writeFile(join(dir, 'on-disk.png'), bytes);
      const readFile = vi.spyOn(workspace.fs, 'readFile');
      fake.openDialogAnswers.push([Uri.file(join(dir, 'on-disk.png'))]);
      fake.showEditor(world.document, 2);
      await commands.executeCommand('bytedrop.uploadFiles');
      const url = world.document.getText().match(/!\[on-disk\.png\]\((\S+)\)/)?.[1];
      expect(await served(url as string)).toEqual(bytes);
      expect(readFile).not.toHaveBeenCalled();
      readFile.mockRestore();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does nothing when the picker is dismissed, and asks for an editor when none is open', async () => {
    fake.showEditor(world.document);
    fake.openDialogAnswers.push(undefined);
    await commands.executeCommand('bytedrop.uploadFiles');
    expect(world.document.getText()).toBe('# Post\n\n');
    fake.reset();
    const { activate } = await import('../src/extension');
    activate((await import('./_fake/vscode')).createExtensionContext() as never);
    await commands.executeCommand('bytedrop.uploadFiles');
    expect(fake.messages[0]?.message).toContain('open a Markdown document first');
  });

  it('on failure links a picked workspace file where it is, and copies an outside file next to the note', async () => {
    await s3.stop();
    try {
      fake.files.set('/tmp/outside.png', png(22));
      fake.files.set('/ws/img/inside.png', png(23));
      fake.openDialogAnswers.push([Uri.file('/tmp/outside.png'), Uri.file('/ws/img/inside.png')]);
      fake.showEditor(world.document);
      await commands.executeCommand('bytedrop.uploadFiles');
      expect(world.document.getText()).toBe(
        '# Post\n\n![outside.png](outside.png) ![inside.png](../img/inside.png)',
      );
      expect(fake.files.get('/ws/notes/outside.png')).toEqual(png(22));
      expect(fake.files.has('/ws/notes/inside.png')).toBe(false);
      expect((await fake.nextMessage()).items).toContain('Retry upload');
    } finally {
      await s3.restart();
    }
  });
});

describe('Bytedrop: Upload local images in this document', () => {
  it('replaces relative links to local files with uploaded URLs, keeping text, titles and other links', async () => {
    fake.files.set('/ws/notes/img/a b.png', png(30));
    fake.files.set('/ws/assets/logo.png', png(31));
    fake.files.set('/ws/notes/report.pdf', new TextEncoder().encode('%PDF-1.4\n'));
    const text = [
      '![A](<img/a b.png> "Title")',
      '![logo](/assets/logo.png)',
      'See [the report](report.pdf) and [another note](other.md).',
      '![remote](https://example.com/x.png) ![missing](gone.png) [anchor](#top)',
      '![again](img/a%20b.png)',
    ].join('\n');
    world.document = fake.openDocument('/ws/notes/local.md', text);
    fake.showEditor(world.document);
    await commands.executeCommand('bytedrop.uploadLocalFiles');
    const lines = world.document.getText().split('\n');
    const url = (line: string) => line.match(/\]\((\S+?)[ )]/)?.[1] as string;
    expect(lines[0]).toMatch(
      new RegExp(`^!\\[A\\]\\(${base.replace(/[.:/]/g, '\\$&')}/\\S+/a-b-[0-9a-f]{8}\\.png "Title"\\)$`),
    );
    expect(await served(url(lines[0] as string))).toEqual(png(30));
    expect(await served(url(lines[1] as string))).toEqual(png(31));
    expect(lines[2]).toMatch(/^See \[the report\]\(http:\S+\.pdf\) and \[another note\]\(other\.md\)\.$/);
    expect(lines[3]).toBe('![remote](https://example.com/x.png) ![missing](gone.png) [anchor](#top)');
    // The same file linked another way is uploaded to the same content-addressed URL.
    expect(url(lines[4] as string)).toBe(url(lines[0] as string));
  });

  it('leaves links inside code spans and fenced code blocks as written', async () => {
    fake.files.set('/ws/notes/a.png', png(33));
    const code = ['```markdown', '![example](a.png)', '```', 'Write `![alt](a.png)` to embed.'];
    world.document = fake.openDocument('/ws/notes/code.md', [...code, '![real](a.png)'].join('\n'));
    fake.showEditor(world.document);
    await commands.executeCommand('bytedrop.uploadLocalFiles');
    const lines = world.document.getText().split('\n');
    expect(lines.slice(0, 4)).toEqual(code);
    expect(lines[4]).toMatch(/^!\[real\]\(http:\S+\.png\)$/);
  });

  it('says so when there is nothing to upload', async () => {
    fake.showEditor(world.document);
    await commands.executeCommand('bytedrop.uploadLocalFiles');
    expect(fake.messages[0]).toMatchObject({ severity: 'info' });
    expect(fake.messages[0]?.message).toContain('links no local images');
  });

  it('keeps the local link of a file that fails and offers Retry', async () => {
    fake.files.set('/ws/notes/a.png', png(32));
    world.document = fake.openDocument('/ws/notes/local.md', '![a](a.png)\n');
    fake.showEditor(world.document);
    await s3.stop();
    try {
      await commands.executeCommand('bytedrop.uploadLocalFiles');
      const message = await fake.nextMessage();
      expect(world.document.getText()).toBe('![a](a.png)\n');
      expect(message.items).toContain('Retry upload');
      await s3.restart();
      message.respond('Retry upload');
      await vi.waitFor(() => expect(world.document.getText()).toContain(base), WAIT);
    } finally {
      await s3.restart().catch(() => undefined);
    }
  });
});

describe('Bytedrop: Test connection', () => {
  it('runs core’s doctor against the bucket and reports OK', async () => {
    expect(await commands.executeCommand('bytedrop.testConnection')).toBe(true);
    expect(fake.messages.at(-1)).toMatchObject({ severity: 'info', items: ['Show details'] });
    const lines = fake.outputChannels.get('Bytedrop') ?? [];
    expect(lines.filter((line) => line.startsWith('ok'))).toHaveLength(6);
  });

  it('names the failing check and its fix', async () => {
    fake.settings.set('bytedrop.bucket', 'no-such-bucket');
    expect(await commands.executeCommand('bytedrop.testConnection')).toBe(false);
    expect(fake.messages.at(-1)?.severity).toBe('error');
    expect(fake.messages.at(-1)?.message).toContain("bucket 'no-such-bucket' does not exist");
    expect((fake.outputChannels.get('Bytedrop') ?? []).join('\n')).toMatch(
      /FAIL Bucket reachable: .+ — fix: create the bucket/,
    );
  });

  it('for a Bytedrop server, checks /health and that an access key is stored', async () => {
    const { createServer } = await import('node:http');
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      fake.settings.set('bytedrop.target', 'server');
      fake.settings.set('bytedrop.serverUrl', `http://127.0.0.1:${port}/`);
      expect(await commands.executeCommand('bytedrop.testConnection')).toBe(false);
      expect(fake.messages.at(-1)?.message).toContain(
        "no server access key: run 'Bytedrop: Set server access key'",
      );
      fake.inputBoxAnswers.push('k_live_1');
      await commands.executeCommand('bytedrop.setServerAccessKey');
      expect(await commands.executeCommand('bytedrop.testConnection')).toBe(true);
      expect(paths).toEqual(['GET /health', 'GET /health']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
