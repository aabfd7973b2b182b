import { describe, expect, it } from 'vitest';
import { Notice, requestLog } from './fake-obsidian';
import {
  drop,
  dropEvent,
  holdRequests,
  imageLinks,
  type Loaded,
  load,
  paste,
  pasteEvent,
  png,
  pngFile,
  s3Settings,
  served,
  useS3rverAndCleanFakes,
} from './helpers';

const s3 = useS3rverAndCleanFakes();

async function loaded(overrides = {}, options = {}): Promise<Loaded> {
  return load(s3Settings(s3, overrides), options);
}

describe('paste and drop', () => {
  it('onload builds no S3 client and sends nothing; the first paste builds it', async () => {
    const l = await loaded();
    expect(l.plugin.target.built).toBe(false);
    expect(requestLog).toHaveLength(0);
    expect(s3.requests).toHaveLength(0);
    expect(l.app.workspace.listenerCount('editor-paste')).toBe(1);
    expect(l.app.workspace.listenerCount('editor-drop')).toBe(1);

    paste(l, pasteEvent([pngFile(1)]));
    await l.plugin.whenIdle();
    expect(l.plugin.target.built).toBe(true);
    expect(s3.requests.some((request) => request.method === 'PUT')).toBe(true);
  });

  it('pastes one image: placeholder, then the local copy, then a link that serves the bytes; the copy is kept', async () => {
    const l = await loaded({}, { noteText: 'Look: \nend' });
    l.editor.setCursor({ line: 0, ch: 6 });
    const held = holdRequests();
    const evt = pasteEvent([pngFile(2)]);
    paste(l, evt);
    expect(evt.defaultPrevented).toBe(true);
    // Returned at once: a placeholder only, nothing read, written or sent.
    expect(l.editor.getValue()).toMatch(/^Look: !\[Saving image\.png…\]\(bytedrop:[a-z0-9]+\)\nend$/);
    expect(l.app.vault.getFiles()).toHaveLength(1);
    expect(requestLog).toEqual([]);

    // Before any byte goes over the network, the file is in the vault where Obsidian puts pastes, and linked.
    await held.reached;
    const local = /^Look: !\[\[(Pasted image \d{14}\.png)\]\]\nend$/.exec(l.editor.getValue())?.[1] ?? '';
    expect(local).not.toBe('');
    expect(new Uint8Array(await l.app.vault.readBinary(l.app.vault.getFileByPath(local)!))).toEqual(png(2));
    held.release();

    await l.plugin.whenIdle();
    const text = l.editor.getValue();
    const links = imageLinks(text);
    expect(links).toHaveLength(1);
    expect(text.startsWith('Look: ![')).toBe(true);
    expect(text.endsWith(')\nend')).toBe(true);
    expect(links[0]?.url.startsWith(`${s3.endpoint}/${s3.bucket}/`)).toBe(true);
    // Verified before the swap: a HEAD after the PUT.
    expect(s3.requests.map((request) => request.method)).toEqual(['HEAD', 'PUT', 'HEAD']);
    expect(await served(links[0]?.url ?? '')).toEqual(png(2));
    expect(Notice.shown).toEqual([]);
    expect(l.app.vault.getFileByPath(local)).not.toBeNull();
  });

  it('pastes three images: one link each, in order, every object in S3', async () => {
    const l = await loaded();
    paste(l, pasteEvent([pngFile(10, 'a.png'), pngFile(11, 'b.png'), pngFile(12, 'c.png')]));
    await l.plugin.whenIdle();
    const links = imageLinks(l.editor.getValue());
    expect(links).toHaveLength(3);
    expect(l.editor.getValue().split('\n')).toHaveLength(3);
    for (const [index, seed] of [10, 11, 12].entries()) {
      expect(links[index]?.url).toContain(['a', 'b', 'c'][index]);
      expect(await served(links[index]?.url ?? '')).toEqual(png(seed));
    }
    expect(s3.requests.filter((request) => request.method === 'PUT')).toHaveLength(3);
  });

  it('puts the link where the placeholder is after the user typed before and after it mid-upload', async () => {
    const l = await loaded({}, { noteText: 'A\nB' });
    l.editor.setCursor({ line: 1, ch: 0 });
    const held = holdRequests();
    paste(l, pasteEvent([pngFile(20)]));
    // The user types at once, around the placeholder, before the copy is even written.
    l.editor.typeAt(0, 'Intro line\n');

    // The request is on its way (held at the gate); the user keeps writing around the local link.
    await held.reached;
    const local = /!\[\[Pasted image \d+\.png\]\]/.exec(l.editor.getValue())?.[0] ?? '';
    expect(local).not.toBe('');
    l.editor.typeAt(l.editor.getValue().length, ' and the end');
    l.editor.typeAt(l.editor.getValue().indexOf(local), 'before ');
    held.release();
    await l.plugin.whenIdle();

    const text = l.editor.getValue();
    expect(text).toMatch(
      /^Intro line\nA\nbefore !\[[^\]]*\]\(http:\/\/127\.0\.0\.1:\d+\/bytedrop-test\/[^)]+\)B and the end$/,
    );
    expect(text).not.toContain('bytedrop:');
  });

  it('updates the file in the vault when the user switched to another note mid-upload', async () => {
    const l = await loaded({}, { noteText: 'Trip notes\n' });
    const other = await l.app.vault.seed('Notes/Other.md', 'Other note');
    l.editor.setCursor({ line: 1, ch: 0 });
    const held = holdRequests();
    paste(l, pasteEvent([pngFile(30)]));
    await held.reached;

    await l.view.openFile(other); // saves Trip.md (with the local link) and shows Other.md
    expect(l.app.vault.readSync(l.note)).toMatch(/^Trip notes\n!\[\[Pasted image \d+\.png\]\]$/);
    held.release();
    await l.plugin.whenIdle();

    const trip = l.app.vault.readSync(l.note);
    expect(trip).toMatch(/^Trip notes\n!\[[^\]]*\]\(http:\/\/127\.0\.0\.1:\d+\/bytedrop-test\/[^)]+\)$/);
    expect(l.editor.getValue()).toBe('Other note');
    expect(l.app.vault.readSync(other)).toBe('Other note');
  });

  it('respects defaultPrevented: another handler took the event, so nothing happens', async () => {
    const l = await loaded({}, { noteText: 'keep' });
    const evt = pasteEvent([pngFile(50)]);
    evt.preventDefault();
    paste(l, evt);
    await l.plugin.whenIdle();
    expect(l.editor.getValue()).toBe('keep');
    expect(l.editor.changes).toEqual([]);
    expect(requestLog).toHaveLength(0);
  });

  it('leaves text pastes alone', async () => {
    const l = await loaded({}, { noteText: 'keep' });
    const evt = pasteEvent([], 'some text');
    paste(l, evt);
    await l.plugin.whenIdle();
    expect(evt.defaultPrevented).toBe(false);
    expect(l.editor.getValue()).toBe('keep');
    expect(requestLog).toHaveLength(0);
  });

  it('obeys frontmatter `bytedrop: false`: Obsidian keeps the paste', async () => {
    const l = await loaded({}, { noteText: '---\nbytedrop: false\n---\nBody' });
    const evt = pasteEvent([pngFile(60)]);
    paste(l, evt);
    await l.plugin.whenIdle();
    expect(evt.defaultPrevented).toBe(false);
    expect(l.editor.getValue()).toBe('---\nbytedrop: false\n---\nBody');
    expect(requestLog).toHaveLength(0);
  });

  it('uses `bytedrop-prefix`, {note} and {folder} in the key', async () => {
    const l = await loaded(
      { keyTemplate: '{folder}/{note}/{name}.{ext}' },
      { notePath: 'Journal/Lisbon trip.md', noteText: '---\nbytedrop-prefix: blog/\n---\n' },
    );
    l.editor.setCursor({ line: 3, ch: 0 });
    paste(l, pasteEvent([pngFile(61, 'tram.png')]));
    await l.plugin.whenIdle();
    const [link] = imageLinks(l.editor.getValue());
    const key = decodeURIComponent(new URL(link?.url ?? 'http://x').pathname).replace(`/${s3.bucket}/`, '');
    expect(key).toMatch(/^blog\/Journal\/Lisbon.trip\/tram\.png$/);
    expect(await served(link?.url ?? '')).toEqual(png(61));
  });

  it('uploads dropped images, and keeps Obsidian’s drop when Alt is held', async () => {
    const l = await loaded();
    const held = dropEvent([pngFile(70)], { altKey: true });
    drop(l, held);
    expect(held.defaultPrevented).toBe(false);
    const plain = dropEvent([pngFile(71)]);
    drop(l, plain);
    expect(plain.defaultPrevented).toBe(true);
    await l.plugin.whenIdle();
    expect(imageLinks(l.editor.getValue())).toHaveLength(1);
  });

  it('puts a dropped file where the pointer is, when the editor can tell (CodeMirror posAtCoords)', async () => {
    const l = await loaded({}, { noteText: 'first\nsecond' });
    l.editor.setCursor({ line: 0, ch: 0 });
    // CodeMirror maps screen coordinates to an offset; here one pixel is one character.
    Object.assign(l.editor, { cm: { posAtCoords: ({ x }: { x: number }) => x } });
    drop(l, dropEvent([pngFile(72)], { clientX: 'first\n'.length, clientY: 40 }));
    await l.plugin.whenIdle();
    expect(l.editor.getValue()).toMatch(/^first\n!\[[^\]]*\]\(http[^)]+\)second$/);
  });

  it('"Paste without uploading" saves clipboard files as local attachments and pastes text as text', async () => {
    const l = await loaded({}, { noteText: '' });
    const { pasteWithoutUploading } = await import('../src/paste-plain');
    const blob = new Blob([png(90)], { type: 'image/png' });
    await pasteWithoutUploading(l.app as never, l.editor as never, l.note as never, {
      read: async () => [
        { types: ['image/png'], getType: async () => blob },
        { types: ['text/plain'], getType: async () => new Blob(['caption']) },
      ],
    });
    expect(l.editor.getValue()).toMatch(/^!\[\[Pasted image \d{14}\.png\]\]\ncaption$/);
    expect(requestLog).toHaveLength(0);
    const name = /Pasted image \d{14}\.png/.exec(l.editor.getValue())?.[0] ?? '';
    expect(new Uint8Array(await l.app.vault.readBinary(l.app.vault.getFileByPath(name)!))).toEqual(png(90));
    expect(l.plugin.commands.map((command) => command.id)).toContain('bytedrop:paste-without-uploading');
  });

  it('uploads only the kinds the settings allow; PDFs go through once allowed', async () => {
    const pdf = () =>
      new File(['%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'], 'paper.pdf', { type: 'application/pdf' });
    const l = await loaded();
    const first = pasteEvent([pdf()]);
    paste(l, first);
    expect(first.defaultPrevented).toBe(false);

    l.plugin.settings.uploadKinds = 'images-pdf';
    const second = pasteEvent([pdf()]);
    paste(l, second);
    expect(second.defaultPrevented).toBe(true);
    await l.plugin.whenIdle();
    expect(l.editor.getValue()).toMatch(
      /^\[paper\.pdf\]\(http:\/\/127\.0\.0\.1:\d+\/bytedrop-test\/[^)]+\.pdf\)$/,
    );
  });
});
