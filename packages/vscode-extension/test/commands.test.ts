/** The upload commands and Test connection, over the real core and a real s3rver. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { pastBackoff } from '../../core/test/_support/backoff';
import { SECRET_ACCESS_KEY } from '../src/constants';
import { commands, fake, Uri } from './_fake/vscode';
import { served, uploadsSettled, WAIT } from './_setup/expect';
import { createWorld, png, type World } from './_setup/world';

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

const urlIn = (line: string | undefined) => line?.match(/(?:\]\(|: |src=")(http[^)\s"]+)/)?.[1] as string;

describe('Bytedrop: Upload files…', () => {
  it('links the picked files at the cursor, copied into the workspace first, then uploaded', async () => {
    fake.files.set('/home/me/Desktop/chart.png', png(20));
    fake.files.set('/ws/notes/local.png', png(21));
    fake.openDialogAnswers.push([Uri.file('/home/me/Desktop/chart.png'), Uri.file('/ws/notes/local.png')]);
    fake.showEditor(world.document, 2); // after "# "
    await commands.executeCommand('bytedrop.uploadFiles');
    const match = world.document
      .getText()
      .match(/^# !\[chart\.png\]\((\S+)\) !\[local\.png\]\((\S+)\)Post\n\n$/);
    expect(await served(match?.[1] as string)).toEqual(png(20));
    expect(await served(match?.[2] as string)).toEqual(png(21));
    expect(fake.files.get('/ws/notes/chart.png')).toEqual(png(20));
  });

  it('a picked file on disk is copied from disk, never read whole by the command', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bytedrop-pick-'));
    try {
      await writeFile(join(dir, 'on-disk.png'), png(22));
      fake.openDialogAnswers.push([Uri.file(join(dir, 'on-disk.png'))]);
      fake.showEditor(world.document, 2);
      await commands.executeCommand('bytedrop.uploadFiles');
      expect(await served(urlIn(world.document.getText()))).toEqual(png(22));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('inserts the bare URL, never Markdown, into a language Bytedrop does not link in (a .ts file)', async () => {
    const code = fake.openDocument('/ws/src/logo.ts', "export const logo = '';\n", 'typescript');
    fake.files.set('/ws/assets/logo.png', png(24));
    fake.openDialogAnswers.push([Uri.file('/ws/assets/logo.png')]);
    fake.showEditor(code, "export const logo = '".length);
    await commands.executeCommand('bytedrop.uploadFiles');
    expect(code.getText()).toMatch(
      new RegExp(`^export const logo = '${base.replace(/[.:/]/g, '\\$&')}/\\S+\\.png';\\n$`),
    );
    expect(fake.files.has('/ws/src/logo.png')).toBe(false);
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
});

describe('Bytedrop: Upload local images in this document', () => {
  it('uploads inline, reference and <img src> links, keeping text and titles; says which files are missing', async () => {
    fake.files.set('/ws/notes/img/a b.png', png(30));
    fake.files.set('/ws/assets/logo.png', png(31));
    fake.files.set('/ws/notes/report.pdf', new TextEncoder().encode('%PDF-1.4\n'));
    fake.files.set('/ws/notes/ref.png', png(34));
    fake.files.set('/ws/notes/tag.png', png(35));
    const text = [
      '![A](<img/a b.png> "Title")',
      '![logo](/assets/logo.png)',
      'See [the report](report.pdf) and [another note](other.md).',
      '![remote](https://example.com/x.png) ![missing](gone.png) [anchor](#top)',
      '![again](img/a%20b.png) ![r][r1]',
      '<img src="tag.png" alt="Tag" width="200">',
      '',
      '[r1]: ref.png "Ref"',
    ].join('\n');
    world.document = fake.openDocument('/ws/notes/local.md', text);
    fake.showEditor(world.document);
    await commands.executeCommand('bytedrop.uploadLocalFiles');
    const warning = await fake.nextMessage();
    expect(warning).toMatchObject({
      severity: 'warning',
      message: 'Bytedrop: uploading 5 linked files. Left as they are: gone.png (no such file).',
    });
    await uploadsSettled();
    const lines = world.document.getText().split('\n');
    expect(lines[0]).toMatch(/^!\[A\]\(http:\S+\/a-b-[0-9a-f]{16}\.png "Title"\)$/);
    expect(await served(urlIn(lines[0]))).toEqual(png(30));
    expect(await served(urlIn(lines[1]))).toEqual(png(31));
    expect(lines[2]).toMatch(/^See \[the report\]\(http:\S+\.pdf\) and \[another note\]\(other\.md\)\.$/);
    expect(lines[3]).toBe('![remote](https://example.com/x.png) ![missing](gone.png) [anchor](#top)');
    // The same file linked another way gets the same URL.
    expect(urlIn(lines[4])).toBe(urlIn(lines[0]));
    expect(lines[5]).toMatch(/^<img src="http:\S+\.png" alt="Tag" width="200">$/);
    expect(await served(urlIn(lines[5]))).toEqual(png(35));
    expect(lines[7]).toMatch(/^\[r1\]: http:\S+\.png "Ref"$/);
    expect(await served(urlIn(lines[7]))).toEqual(png(34));
    // The user's own files stay.
    expect(fake.files.get('/ws/notes/tag.png')).toEqual(png(35));
  });

  it('leaves links inside code spans and fenced code blocks as written', async () => {
    fake.files.set('/ws/notes/a.png', png(33));
    const code = ['```markdown', '![example](a.png)', '```', 'Write `![alt](a.png)` to embed.'];
    world.document = fake.openDocument('/ws/notes/code.md', [...code, '![real](a.png)'].join('\n'));
    fake.showEditor(world.document);
    await commands.executeCommand('bytedrop.uploadLocalFiles');
    await uploadsSettled();
    const lines = world.document.getText().split('\n');
    expect(lines.slice(0, 4)).toEqual(code);
    expect(lines[4]).toMatch(/^!\[real\]\(http:\S+\.png\)$/);
  });

  it('says so when there is nothing to upload, naming the missing files', async () => {
    world.document = fake.openDocument('/ws/notes/gone.md', '![a](gone.png) ![b](folder)\n');
    fake.files.set('/ws/notes/folder/x', new Uint8Array(1));
    await (await import('./_fake/vscode')).workspace.fs.createDirectory(Uri.file('/ws/notes/folder'));
    fake.showEditor(world.document);
    await commands.executeCommand('bytedrop.uploadLocalFiles');
    expect(fake.messages[0]).toMatchObject({
      severity: 'info',
      message:
        'Bytedrop: this document links no local images or files to upload. Left as they are: gone.png (no such file), folder (a folder).',
    });
  });

  it('keeps the local link of a file that fails and offers Retry', async () => {
    fake.files.set('/ws/notes/a.png', png(32));
    world.document = fake.openDocument('/ws/notes/local.md', '![a](a.png)\n');
    fake.showEditor(world.document);
    await s3.stop();
    try {
      const message = await pastBackoff(async () => {
        await commands.executeCommand('bytedrop.uploadLocalFiles');
        return fake.nextMessage();
      });
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

  it('names the failing check and its fix, in the Settings editor’s words', async () => {
    fake.settings.set('bytedrop.bucket', 'no-such-bucket');
    expect(await commands.executeCommand('bytedrop.testConnection')).toBe(false);
    expect(fake.messages.at(-1)).toMatchObject({
      severity: 'error',
      items: ['Open Bytedrop settings', 'Show details'],
    });
    expect(fake.messages.at(-1)?.message).toContain("bucket 'no-such-bucket' does not exist");
    expect((fake.outputChannels.get('Bytedrop') ?? []).join('\n')).toMatch(
      /FAIL Bucket reachable: .+ — fix: create the bucket/,
    );
  });

  it('with a wrong secret access key, names the keys in VS Code’s words and offers to set the secret', async () => {
    await world.context.secrets.store(SECRET_ACCESS_KEY, 'not-the-secret');
    expect(await commands.executeCommand('bytedrop.testConnection')).toBe(false);
    const shown = fake.messages.at(-1);
    expect(shown).toMatchObject({
      severity: 'error',
      items: ['Set secret access key', 'Open Bytedrop settings', 'Show details'],
    });
    expect(shown?.message).toMatch(/^Bytedrop: Bucket reachable: the provider rejected the credentials/);
    expect(shown?.message).not.toMatch(/S3_|BYTEDROP_/);
  });

  it('for a Bytedrop server, checks /health with the stored access key, and says when the server refuses it', async () => {
    const { createServer } = await import('node:http');
    const seen: string[] = [];
    // As @bytedrop/server: /health with a key checks it (401 when wrong) and then reports storage.
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '(no key)'}`);
      const reply = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.headers.authorization !== 'Bearer k_live_1')
        return reply(401, { success: false, code: 'ERR_AUTH', msg: 'wrong access key' });
      reply(200, {
        status: 'ok',
        storage: { status: 'ok', kind: 's3' },
        bans: { status: 'ok', kind: 'memory' },
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      fake.settings.set('bytedrop.target', 'server');
      fake.settings.set('bytedrop.serverUrl', `http://127.0.0.1:${port}/`);
      expect(await commands.executeCommand('bytedrop.testConnection')).toBe(false);
      expect(fake.messages.at(-1)).toMatchObject({
        message: 'Bytedrop: Bytedrop is not set up to upload to a Bytedrop server: set the server access key',
        items: ['Open Bytedrop settings', 'Set server access key', 'Show details'],
      });
      fake.inputBoxAnswers.push('k_wrong');
      await commands.executeCommand('bytedrop.setServerAccessKey');
      expect(await commands.executeCommand('bytedrop.testConnection')).toBe(false);
      expect(fake.messages.at(-1)).toMatchObject({
        severity: 'error',
        message: `Bytedrop: the Bytedrop server at http://127.0.0.1:${port}/ refused the access key: set the right one (ERR_AUTH)`,
        items: ['Set server access key', 'Show details'],
      });
      fake.inputBoxAnswers.push('k_live_1');
      await commands.executeCommand('bytedrop.setServerAccessKey');
      expect(await commands.executeCommand('bytedrop.testConnection')).toBe(true);
      expect(seen).toEqual(['GET /health Bearer k_wrong', 'GET /health Bearer k_live_1']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('for a Bytedrop server whose storage fails, says so in the server’s words', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) =>
      res.writeHead(503, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          status: 'failing',
          storage: { status: 'failing', kind: 's3', msg: 'connect ECONNREFUSED 127.0.0.1:9' },
          bans: { status: 'ok', kind: 'memory' },
        }),
      ),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      fake.settings.set('bytedrop.target', 'server');
      fake.settings.set('bytedrop.serverUrl', `http://127.0.0.1:${port}`);
      fake.inputBoxAnswers.push('k_live_1');
      await commands.executeCommand('bytedrop.setServerAccessKey');
      expect(await commands.executeCommand('bytedrop.testConnection')).toBe(false);
      expect(fake.messages.at(-1)?.message).toBe(
        `Bytedrop: GET http://127.0.0.1:${port}/health: HTTP 503: the server's s3 storage is failing: connect ECONNREFUSED 127.0.0.1:9`,
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
