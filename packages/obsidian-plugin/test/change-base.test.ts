/** "Change link base URL": a dry run first, then every link under the old base moves to the new one, vault-wide. */
import { describe, expect, it } from 'vitest';
import { Modal, Notice, type TextComponent } from './fake-obsidian';
import {
  click,
  load,
  openedModal,
  runCommand,
  s3Settings,
  settingIn,
  useS3rverAndCleanFakes,
} from './helpers';

const s3 = useS3rverAndCleanFakes();

const NOTE_A = [
  'Open note: ![a](https://old.cdn/x/a.png) and [doc](<https://old.cdn/x/my doc.pdf> "Spec")',
  'Not under the base: ![b](https://old.cdn/xy/b.png) ![c](https://other.cdn/x/c.png)',
  'Code: `![a](https://old.cdn/x/a.png)`',
].join('\n');
const NOTE_B = ['<img src="https://old.cdn/x/c.png" width="300">', '', '[r1]: https://old.cdn/x/e.png'].join(
  '\n',
);

async function fill(modal: Modal, from: string, to: string): Promise<void> {
  await (settingIn(modal.contentEl, 'Old base URL').components[0] as TextComponent).simulate(from);
  await (settingIn(modal.contentEl, 'New base URL').components[0] as TextComponent).simulate(to);
}

describe('"Change link base URL"', () => {
  it('previews without writing, then rewrites every link under the old base in every note, never in code', async () => {
    const l = await load(s3Settings(s3, { publicBaseUrl: 'https://old.cdn/x' }), {
      notePath: 'A.md',
      noteText: NOTE_A,
    });
    const b = await l.app.vault.seed('Folder/B.md', NOTE_B);
    const c = await l.app.vault.seed('C.md', 'Nothing here');
    runCommand(l, 'change-base-url');
    const modal = await openedModal();
    await fill(modal, 'https://old.cdn/x/', 'https://new.cdn/y');
    await click(modal, 'Preview');

    expect(modal.contentEl.textContent).toContain('4 links in 2 notes will change:');
    expect(modal.contentEl.textContent).toContain(
      'A.md: https://old.cdn/x/my doc.pdf → https://new.cdn/y/my doc.pdf',
    );
    expect(modal.contentEl.textContent).toContain(
      'Folder/B.md: https://old.cdn/x/e.png → https://new.cdn/y/e.png',
    );
    expect(l.editor.getValue()).toBe(NOTE_A);
    expect(l.app.vault.readSync(b)).toBe(NOTE_B);

    await click(modal, 'Change 4 links');
    await l.plugin.whenIdle();
    expect(Modal.open).toEqual([]);
    expect(l.editor.getValue()).toBe(
      [
        'Open note: ![a](https://new.cdn/y/a.png) and [doc](<https://new.cdn/y/my doc.pdf> "Spec")',
        'Not under the base: ![b](https://old.cdn/xy/b.png) ![c](https://other.cdn/x/c.png)',
        'Code: `![a](https://old.cdn/x/a.png)`',
      ].join('\n'),
    );
    expect(l.app.vault.readSync(b)).toBe(
      ['<img src="https://new.cdn/y/c.png" width="300">', '', '[r1]: https://new.cdn/y/e.png'].join('\n'),
    );
    expect(l.app.vault.readSync(c)).toBe('Nothing here');
    expect(Notice.shown).toEqual([
      'Bytedrop: changed 4 links in 2 notes. “Public base URL” is still https://old.cdn/x: new uploads use it until you change it.',
    ]);
    expect(Notice.instances[0]?.buttons().map((button) => button.text)).toEqual(['Open Bytedrop settings']);
  });

  it('says what is wrong with the URLs, and offers no change until they are right', async () => {
    const l = await load(s3Settings(s3), { noteText: '![a](https://old.cdn/a.png)' });
    runCommand(l, 'change-base-url');
    const modal = await openedModal();
    await fill(modal, 'old.cdn', 'https://new.cdn');
    await click(modal, 'Preview');
    expect(modal.contentEl.textContent).toContain(
      "Old base URL 'old.cdn' is not an http(s) URL: write it like https://cdn.example.com",
    );
    await fill(modal, 'https://old.cdn/', 'https://old.cdn');
    await click(modal, 'Preview');
    expect(modal.contentEl.textContent).toContain('The old and new base URLs are the same.');
    await fill(modal, 'https://gone.cdn', 'https://new.cdn');
    await click(modal, 'Preview');
    expect(modal.contentEl.textContent).toContain('No note links anything under https://gone.cdn.');
    await expect(click(modal, 'Change 1 link')).rejects.toThrow(/no button/);
    expect(l.editor.getValue()).toBe('![a](https://old.cdn/a.png)');
  });
});
