/** "Delete remote file": deletes what Bytedrop uploaded, after checking no other note links it and asking. */
import { describe, expect, it } from 'vitest';
import { Modal, Notice } from './fake-obsidian';
import {
  click,
  imageLinks,
  type Loaded,
  load,
  openedModal,
  paste,
  pasteEvent,
  png,
  pngFile,
  runCommand,
  s3Settings,
  served,
  useS3rverAndCleanFakes,
} from './helpers';

const s3 = useS3rverAndCleanFakes();

/** A note whose second line is the link of a pasted image; the cursor is put inside that link. */
async function withUploadedLink(keepLocalCopies = false): Promise<Loaded & { url: string }> {
  const l = await load(s3Settings(s3, { keepLocalCopies }), { noteText: 'Intro\n' });
  l.editor.setCursor({ line: 1, ch: 0 });
  paste(l, pasteEvent([pngFile(1, 'gone.png')]));
  await l.plugin.whenIdle();
  const url = imageLinks(l.editor.getValue())[0]?.url ?? '';
  expect(await served(url)).toEqual(png(1));
  l.editor.setCursor({ line: 1, ch: 3 });
  Notice.shown.length = 0;
  return { ...l, url };
}

const deletes = () => s3.requests.filter((request) => request.method === 'DELETE');

describe('"Delete remote file"', () => {
  it('deletes the object under the cursor after the user confirms, and removes the link when no local copy is kept', async () => {
    const l = await withUploadedLink();
    runCommand(l, 'delete-remote');
    const modal = await openedModal();
    expect(modal.titleEl.textContent).toBe('Delete 1 file from storage?');
    expect(modal.contentEl.textContent).toContain(
      'gone.png: deleted from storage; there is no local copy, so the link will be removed and the file gone.',
    );
    await click(modal, 'Delete 1 file');
    await l.plugin.whenIdle();

    expect(l.editor.getValue()).toBe('Intro\n');
    expect((await fetch(l.url)).status).toBe(404);
    expect(deletes()).toHaveLength(1);
    expect(Notice.shown).toEqual(['Bytedrop: deleted 1 of 1 file from storage, 1 link removed.']);
  });

  it('deletes nothing while another note links the file, and names that note', async () => {
    const l = await withUploadedLink();
    await l.app.vault.seed('Elsewhere/Reuse.md', `Also here: ![again](${l.url})`);
    runCommand(l, 'delete-remote');
    await l.plugin.whenIdle();
    expect(Modal.open).toEqual([]);
    expect(Notice.shown).toEqual([
      'Bytedrop: nothing deleted. gone.png stays: Elsewhere/Reuse.md still links to it.',
    ]);
    expect(deletes()).toEqual([]);
    expect(await served(l.url)).toEqual(png(1));
  });

  it('does nothing when the user cancels', async () => {
    const l = await withUploadedLink();
    const before = l.editor.getValue();
    runCommand(l, 'delete-remote');
    await click(await openedModal(), 'Cancel');
    await l.plugin.whenIdle();
    expect(l.editor.getValue()).toBe(before);
    expect(deletes()).toEqual([]);
    expect(Notice.shown).toEqual([]);
  });

  it('points the link back at the copy a paste kept', async () => {
    const l = await withUploadedLink(true);
    runCommand(l, 'delete-remote');
    await click(await openedModal(), 'Delete 1 file');
    await l.plugin.whenIdle();
    expect(l.editor.getValue()).toBe('Intro\n![[gone.png]]');
    expect(new Uint8Array(await l.app.vault.readBinary(l.app.vault.getFileByPath('gone.png')!))).toEqual(
      png(1),
    );
    expect((await fetch(l.url)).status).toBe(404);
  });

  it('points the link back at the local copy kept by "Upload local attachments", keeping its size', async () => {
    const l = await load(s3Settings(s3), { noteText: 'See ![[kept.png|300]]' });
    await l.app.vault.seed('kept.png', png(2).slice().buffer);
    runCommand(l, 'upload-local-attachments');
    await l.plugin.whenIdle();
    const url = imageLinks(l.editor.getValue())[0]?.url ?? '';
    expect(l.editor.getValue()).toBe(`See ![kept.png|300](${url})`);

    l.editor.setCursor({ line: 0, ch: 6 });
    runCommand(l, 'delete-remote');
    const modal = await openedModal();
    expect(modal.contentEl.textContent).toContain(
      'kept.png: deleted from storage; the link will show the local copy kept.png.',
    );
    await click(modal, 'Delete 1 file');
    await l.plugin.whenIdle();
    expect(l.editor.getValue()).toBe('See ![[kept.png|300]]');
    expect((await fetch(url)).status).toBe(404);
    expect(Notice.shown.at(-1)).toBe(
      'Bytedrop: deleted 1 of 1 file from storage, 1 link now shows the local copy.',
    );
  });

  it('leaves links that are not Bytedrop’s alone, and says so', async () => {
    const l = await load(s3Settings(s3), { noteText: '![x](https://example.com/y.png)' });
    l.editor.setCursor({ line: 0, ch: 5 });
    runCommand(l, 'delete-remote');
    await l.plugin.whenIdle();
    expect(Modal.open).toEqual([]);
    expect(Notice.shown).toEqual([
      'Bytedrop: no uploaded file here. Put the cursor on a link to a file Bytedrop uploaded, or select such links.',
    ]);
  });
});
