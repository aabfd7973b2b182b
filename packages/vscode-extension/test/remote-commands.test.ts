/**
 * Your files, both ways: Delete remote, Change link base URL and Bring files back, over a real s3rver (and a
 * stand-in Bytedrop server for delete URLs). What S3 holds is checked with plain HTTP from outside.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { commands, fake, Uri, workspace } from './_fake/vscode';
import { linksUnder, served, uploadsSettled, WAIT } from './_setup/expect';
import { startStandInServer } from './_setup/server';
import { createWorld, endOf, png, transferOf, type World } from './_setup/world';

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

/** Pastes an image, waits for its upload, and returns its URL. */
async function pasted(name: string, seed: number, count = fake.progress.length + 1): Promise<string> {
  await fake.paste(
    world.document,
    [endOf(world.document)],
    transferOf({ name, mime: 'image/png', bytes: png(seed) }),
  );
  await uploadsSettled(count);
  return linksUnder(base, world.document.getText()).at(-1)?.url as string;
}

const status = async (url: string) => (await fetch(url)).status;
const onDisk = (path: string) => new TextDecoder().decode(fake.files.get(path));

/** Puts the cursor inside the first occurrence of `text` in the note. */
function cursorOn(text: string): void {
  fake.showEditor(world.document, world.document.getText().indexOf(text) + 2);
}

describe('Bytedrop: Delete remote', () => {
  it('deletes the object of the link under the cursor and points the link at the kept local copy', async () => {
    const url = await pasted('shot.png', 50);
    cursorOn('![shot.png]');
    const running = commands.executeCommand('bytedrop.deleteRemote');
    const confirm = await fake.nextMessage((message) => message.items.includes('Delete'));
    expect(confirm.message).toBe(
      `Bytedrop: delete ${url} from the bucket '${s3.bucket}'? The links will point at the local copies kept in the workspace.`,
    );
    confirm.respond('Delete');
    await running;
    expect(await status(url)).toBe(404);
    expect(world.document.getText()).toBe('# Post\n\n![shot.png](shot.png)');
    expect(fake.messages.at(-1)?.message).toBe(`Bytedrop: deleted ${url}.`);
  });

  it('says which notes still link the file, and deletes nothing unless told to', async () => {
    const url = await pasted('shot.png', 51);
    await workspace.fs.writeFile(
      Uri.file('/ws/other/elsewhere.md'),
      new TextEncoder().encode(`See ![x](${url})\n`),
    );
    cursorOn('![shot.png]');
    const running = commands.executeCommand('bytedrop.deleteRemote');
    const warning = await fake.nextMessage((message) => message.items.includes('Delete anyway'));
    expect(warning.message).toBe(
      `Bytedrop: ${url} is still linked from other/elsewhere.md; deleting it breaks those links.`,
    );
    warning.respond(undefined);
    await running;
    expect(await status(url)).toBe(200);
    expect(world.document.getText()).toContain(url);
  });

  it('removes the link once confirmed when no local copy was kept', async () => {
    fake.settings.set('bytedrop.keepLocalCopy', false);
    const url = await pasted('shot.png', 52);
    cursorOn('![shot.png]');
    const running = commands.executeCommand('bytedrop.deleteRemote');
    const confirm = await fake.nextMessage((message) => message.items.includes('Delete'));
    expect(confirm.message).toMatch(/The links are removed from the note\.$/);
    confirm.respond('Delete');
    await running;
    expect(await status(url)).toBe(404);
    expect(world.document.getText()).toBe('# Post\n\n');
  });

  it('deletes a Bytedrop server’s file through the delete URL recorded at upload', async () => {
    const server = await startStandInServer({
      endpoint: s3.endpoint,
      publicBaseUrl: base,
      bucket: s3.bucket,
      accessKey: 'server-key',
    });
    try {
      fake.settings.set('bytedrop.target', 'server');
      fake.settings.set('bytedrop.serverUrl', server.url);
      await world.context.secrets.store('bytedrop.serverAccessKey', 'server-key');
      const url = await pasted('shot.png', 53);
      cursorOn('![shot.png]');
      const running = commands.executeCommand('bytedrop.deleteRemote');
      const confirm = await fake.nextMessage((message) => message.items.includes('Delete'));
      expect(confirm.message).toContain('from the Bytedrop server?');
      confirm.respond('Delete');
      await running;
      expect(await status(url)).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('refuses a link that is not an upload of Bytedrop’s', async () => {
    world.document = fake.openDocument('/ws/notes/links.md', '![x](https://example.com/x.png)\n');
    cursorOn('![x]');
    await commands.executeCommand('bytedrop.deleteRemote');
    expect(fake.messages.at(-1)).toMatchObject({
      severity: 'error',
      message:
        'Bytedrop: not deleted: https://example.com/x.png is not a file Bytedrop uploaded (not under Bytedrop: Public Base Url).',
    });
  });
});

describe('Bytedrop: Change link base URL', () => {
  it('lists every change first, then rewrites links (not code) in open and closed notes on confirmation', async () => {
    const open = `![a](${base}/2026/a.png "A") and [doc](${base}/d.pdf) and ![o](https://other.example/x.png)\n\`![c](${base}/code.png)\`\n`;
    world.document = fake.openDocument('/ws/notes/open.md', open);
    await workspace.fs.writeFile(
      Uri.file('/ws/closed.md'),
      new TextEncoder().encode(`![r][r1]\n\n[r1]: ${base}/r.png\n<img src="${base}/i.png">\n`),
    );
    fake.showEditor(world.document);
    fake.inputBoxAnswers.push(base, 'https://cdn.example.com/');
    const running = commands.executeCommand('bytedrop.changeBaseUrl');
    const confirm = await fake.nextMessage((message) => message.items.includes('Rewrite links'));
    expect(confirm.message).toBe(
      `Bytedrop: rewrite 4 links in 2 notes from ${base}/ to https://cdn.example.com/? Each change is listed in the Bytedrop output.`,
    );
    // The dry run wrote nothing yet.
    expect(world.document.getText()).toBe(open);
    expect(fake.outputChannels.get('Bytedrop')).toEqual([
      `Bytedrop: Change link base URL from ${base}/ to https://cdn.example.com/ (dry run):`,
      `  closed.md:3  ${base}/r.png → https://cdn.example.com/r.png`,
      `  closed.md:4  ${base}/i.png → https://cdn.example.com/i.png`,
      `  notes/open.md:1  ${base}/2026/a.png → https://cdn.example.com/2026/a.png`,
      `  notes/open.md:1  ${base}/d.pdf → https://cdn.example.com/d.pdf`,
    ]);
    confirm.respond('Rewrite links');
    await running;
    expect(world.document.getText()).toBe(
      `![a](https://cdn.example.com/2026/a.png "A") and [doc](https://cdn.example.com/d.pdf) and ![o](https://other.example/x.png)\n\`![c](${base}/code.png)\`\n`,
    );
    expect(onDisk('/ws/closed.md')).toBe(
      '![r][r1]\n\n[r1]: https://cdn.example.com/r.png\n<img src="https://cdn.example.com/i.png">\n',
    );
    expect(fake.messages.at(-1)).toMatchObject({
      message: `Bytedrop: rewrote 4 links in 2 notes. Bytedrop: Public Base Url still says ${base}: change it so new uploads use https://cdn.example.com/ too.`,
      items: ['Open Bytedrop settings'],
    });
  });

  it('changes nothing when the user does not confirm', async () => {
    const text = `![a](${base}/a.png)\n`;
    world.document = fake.openDocument('/ws/notes/open.md', text);
    fake.showEditor(world.document);
    fake.inputBoxAnswers.push(base, 'https://cdn.example.com');
    const running = commands.executeCommand('bytedrop.changeBaseUrl');
    (await fake.nextMessage((message) => message.items.includes('Rewrite links'))).respond(undefined);
    await running;
    expect(world.document.getText()).toBe(text);
  });
});

describe('Bytedrop: Bring files back', () => {
  it('downloads uploads linked from every note into the workspace and relinks them; kept copies are relinked as they are', async () => {
    const kept = await pasted('kept.png', 60);
    fake.settings.set('bytedrop.keepLocalCopy', false);
    const gone = await pasted('gone.png', 61, 2);
    expect(fake.files.has('/ws/notes/gone.png')).toBe(false);
    await workspace.fs.writeFile(
      Uri.file('/ws/other/also.md'),
      new TextEncoder().encode(`<img src="${gone}">\n`),
    );
    const requests = s3.requests.length;
    fake.showEditor(world.document);
    fake.quickPickAnswers.push('Every note in the workspace');
    await commands.executeCommand('bytedrop.bringBack');
    const name = decodeURIComponent(gone.split('/').at(-1) as string);
    expect(world.document.getText()).toBe(`# Post\n\n![kept.png](kept.png)![gone.png](${name})`);
    expect(fake.files.get(`/ws/notes/${name}`)).toEqual(png(61));
    expect(onDisk('/ws/other/also.md')).toBe(`<img src="../notes/${name}">\n`);
    // Only the file with no kept copy was downloaded.
    expect(
      s3.requests
        .slice(requests)
        .filter((request) => request.method === 'GET')
        .map((r) => r.url),
    ).toEqual([expect.stringContaining(gone.slice(base.length))]);
    expect(fake.messages.at(-1)?.message).toBe(
      'Bytedrop: brought back 2 files (1 downloaded, 1 kept copies) and relinked 3 links.',
    );
    expect(await served(kept)).toEqual(png(60));
  });

  it('leaves a link whose file cannot be downloaded, and says so', async () => {
    world.document = fake.openDocument('/ws/notes/missing.md', `![m](${base}/never/uploaded.png)\n`);
    fake.showEditor(world.document);
    fake.quickPickAnswers.push('This note');
    await commands.executeCommand('bytedrop.bringBack');
    await vi.waitFor(() => expect(fake.messages.at(-1)?.severity).toBe('error'), WAIT);
    expect(fake.messages.at(-1)?.message).toBe(
      `Bytedrop: brought back 0 files (0 downloaded, 0 kept copies) and relinked 0 links. Could not download ${base}/never/uploaded.png (HTTP 404): those links still point at the uploads.`,
    );
    expect(world.document.getText()).toBe(`![m](${base}/never/uploaded.png)\n`);
  });
});
