import { describe, expect, it } from 'vitest';
import { findLocalEmbeds } from '../src/local-attachments';
import { Notice, requestLog } from './fake-obsidian';
import { imageLinks, load, png, runCommand, s3Settings, served, useS3rverAndCleanFakes } from './helpers';

const s3 = useS3rverAndCleanFakes();

describe('findLocalEmbeds', () => {
  it('finds embeds, reference definitions and HTML media pointing into the vault; not URLs, links or code', () => {
    const text = [
      '![[a.png]] ![[pics/d.png|300]] ![alt text](b%20c.png) ![](<e f.png>) ![x](https://cdn.example.com/y.png)',
      '[[not-embed.png]] [plain](f.pdf) <a href="g.pdf">g</a> `![[code.png]]`',
      '[r1]: refs/h.png "Title"',
      '<img src="i.png" width="200"> <video src="j.mp4"></video>',
    ].join('\n');
    expect(findLocalEmbeds(text)).toEqual([
      { original: '![[a.png]]', path: 'a.png' },
      { original: '![[pics/d.png|300]]', path: 'pics/d.png', alt: '300' },
      { original: '![alt text](b%20c.png)', path: 'b c.png', alt: 'alt text' },
      { original: '![](<e f.png>)', path: 'e f.png' },
      { original: '[r1]: refs/h.png "Title"', path: 'refs/h.png', alt: 'r1' },
      { original: '<img src="i.png" width="200">', path: 'i.png' },
      { original: '<video src="j.mp4">', path: 'j.mp4' },
    ]);
  });
});

describe('"Upload local attachments in this note"', () => {
  it('converts ![[a.png]] and ![](b%20c.png) to uploaded links; other embeds stay', async () => {
    const text = 'Intro ![[a.png]]\n![Bridge](b%20c.png)\n![[Other note]]\n![[a.png]] again';
    const l = await load(s3Settings(s3), { noteText: text });
    await l.app.vault.seed('a.png', png(1).slice().buffer);
    await l.app.vault.seed('Notes/b c.png', png(2).slice().buffer);
    await l.app.vault.seed('Other note.md', 'hi');

    runCommand(l, 'upload-local-attachments');
    await l.plugin.whenIdle();

    const result = l.editor.getValue();
    expect(result).not.toContain('![[a.png]]');
    expect(result).not.toContain('b%20c.png)');
    expect(result).toContain('![[Other note]]');
    const links = imageLinks(result);
    expect(links).toHaveLength(3);
    expect(links[1]?.alt).toBe('Bridge');
    expect(links[0]?.url).toBe(links[2]?.url); // the same file embedded twice is uploaded once
    expect(await served(links[0]?.url ?? '')).toEqual(png(1));
    expect(await served(links[1]?.url ?? '')).toEqual(png(2));
    expect(requestLog.filter((request) => request.method === 'PUT')).toHaveLength(2);
    // Deleting local files is opt-in: both are still there.
    expect(l.app.vault.getFileByPath('a.png')).not.toBeNull();
    expect(l.app.vault.getFileByPath('Notes/b c.png')).not.toBeNull();
    expect(Notice.shown).toEqual(['Bytedrop: uploaded 2 of 2 local attachments.']);
  });

  it('never touches code: copies of the embed in a fenced block or inline code stay as written', async () => {
    const text = 'Real ![[a.png]]\n\n```md\n![[a.png]]\n```\n\nInline `![[a.png]]` and `![x](a.png)` stay.';
    const l = await load(s3Settings(s3), { noteText: text });
    await l.app.vault.seed('a.png', png(8).slice().buffer);
    runCommand(l, 'upload-local-attachments');
    await l.plugin.whenIdle();
    const result = l.editor.getValue();
    const [link] = imageLinks(result);
    expect(result).toBe(
      `Real ![a.png](${link?.url})\n\n\`\`\`md\n![[a.png]]\n\`\`\`\n\nInline \`![[a.png]]\` and \`![x](a.png)\` stay.`,
    );
    expect(await served(link?.url ?? '')).toEqual(png(8));
  });

  it('keeps an embed’s size (`|300`, `|alt|200x100`) in Markdown and in HTML links', async () => {
    const text = '![[pic.png|300]] ![[pic.png|Bridge at dusk|200x100]]';
    const markdown = await load(s3Settings(s3), { noteText: text });
    await markdown.app.vault.seed('pic.png', png(9).slice().buffer);
    runCommand(markdown, 'upload-local-attachments');
    await markdown.plugin.whenIdle();
    const url = imageLinks(markdown.editor.getValue())[0]?.url ?? '';
    expect(markdown.editor.getValue()).toBe(`![pic.png|300](${url}) ![Bridge at dusk|200x100](${url})`);

    const html = await load(s3Settings(s3, { linkFormat: 'html' }), { noteText: text });
    await html.app.vault.seed('pic.png', png(9).slice().buffer);
    runCommand(html, 'upload-local-attachments');
    await html.plugin.whenIdle();
    expect(html.editor.getValue()).toBe(
      `<img src="${url}" alt="pic.png" width="300"> <img src="${url}" alt="Bridge at dusk" width="200" height="100">`,
    );
  });

  it('uploads reference definitions and <img src> too, keeping their syntax, and says what it skipped and why', async () => {
    const text = [
      'Intro ![[a.png]]',
      '![Chart][r1]',
      '<img src="c.png" width="200">',
      '![[missing.png]] ![[notes.txt]] ![[Other note]]',
      '',
      '[r1]: pics/b.png "Q1"',
    ].join('\n');
    const l = await load(s3Settings(s3), { noteText: text });
    await l.app.vault.seed('a.png', png(11).slice().buffer);
    await l.app.vault.seed('pics/b.png', png(12).slice().buffer);
    await l.app.vault.seed('c.png', png(13).slice().buffer);
    await l.app.vault.seed('notes.txt', 'plain text');
    await l.app.vault.seed('Other note.md', 'hi');
    runCommand(l, 'upload-local-attachments');
    await l.plugin.whenIdle();

    const lines = l.editor.getValue().split('\n');
    const url = String.raw`http://127\.0\.0\.1:\d+/bytedrop-test/[^)"\s]+`;
    expect(lines[0]).toMatch(new RegExp(`^Intro !\\[a\\.png\\]\\(${url}\\)$`));
    expect(lines[1]).toBe('![Chart][r1]');
    expect(lines[2]).toMatch(new RegExp(`^<img src="${url}" width="200">$`));
    expect(lines[3]).toBe('![[missing.png]] ![[notes.txt]] ![[Other note]]');
    expect(lines[5]).toMatch(new RegExp(`^\\[r1\\]: ${url} "Q1"$`));
    const served12 = /\[r1\]: (\S+)/.exec(lines[5] ?? '')?.[1] ?? '';
    expect(await served(served12)).toEqual(png(12));
    expect(Notice.shown).toEqual([
      'Bytedrop: uploaded 3 of 3 local attachments. Skipped: missing.png (not in the vault); notes.txt (“Which files to upload” is Images).',
    ]);
  });

  it('replaces a link only after its upload succeeded: a file over the size limit stays local', async () => {
    const l = await load(s3Settings(s3, { maxSizeMb: 0.001 }), { noteText: '![[small.png]] ![[big.png]]' });
    await l.app.vault.seed('small.png', png(3, 200).slice().buffer);
    await l.app.vault.seed('big.png', png(4, 4096).slice().buffer);
    runCommand(l, 'upload-local-attachments');
    await l.plugin.whenIdle();
    const result = l.editor.getValue();
    expect(result).toMatch(/^!\[[^\]]*\]\(http:\/\/127\.0\.0\.1:\d+\/[^)]+\) !\[\[big\.png\]\]$/);
    expect(Notice.shown[0]).toMatch(/uploaded 1 of 2 .*Kept as local: big\.png: /);
  });

  it('with "Keep local copies" off, trashes uploaded files no other note uses, keeps shared ones', async () => {
    const l = await load(s3Settings(s3, { keepLocalCopies: false }), {
      noteText: '![[solo.png]] ![[shared.png]]',
    });
    await l.app.vault.seed('solo.png', png(5).slice().buffer);
    await l.app.vault.seed('shared.png', png(6).slice().buffer);
    await l.app.vault.seed('Elsewhere.md', 'Uses ![[shared.png]] too');
    runCommand(l, 'upload-local-attachments');
    await l.plugin.whenIdle();
    expect(imageLinks(l.editor.getValue())).toHaveLength(2);
    expect(l.app.vault.getFileByPath('solo.png')).toBeNull();
    expect(l.app.vault.getFileByPath('shared.png')).not.toBeNull();
    expect(Notice.shown[0]).toBe('Bytedrop: uploaded 2 of 2 local attachments, moved 1 to the trash.');
  });

  it('updates the file on disk when the note was closed before the uploads finished', async () => {
    const l = await load(s3Settings(s3), { noteText: '![[late.png]]' });
    await l.app.vault.seed('late.png', png(7).slice().buffer);
    runCommand(l, 'upload-local-attachments');
    await l.app.workspace.close(l.view);
    await l.plugin.whenIdle();
    expect(imageLinks(l.app.vault.readSync(l.note))).toHaveLength(1);
  });
});
