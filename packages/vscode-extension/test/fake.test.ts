/**
 * The fake `vscode` module behaves like VS Code where the extension depends on it. These pin the behaviours the
 * other tests rely on, each checked against VS Code's sources (HierarchicalKind, MainThreadBulkEdits, ExtHostDocuments).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CancellationTokenSource,
  DataTransfer,
  DocumentDropOrPasteEditKind,
  fake,
  Position,
  Range,
  Uri,
  WorkspaceEdit,
  workspace,
} from './_fake/vscode';

beforeEach(() => fake.reset());

describe('DocumentDropOrPasteEditKind', () => {
  const image = DocumentDropOrPasteEditKind.Empty.append('markdown', 'link', 'image');
  const bytedrop = image.append('bytedrop');
  it('appends with dots and contains its sub-kinds, not its parents or siblings', () => {
    expect(bytedrop.value).toBe('markdown.link.image.bytedrop');
    expect(image.contains(bytedrop)).toBe(true);
    expect(bytedrop.contains(image)).toBe(false);
    expect(image.contains(DocumentDropOrPasteEditKind.Empty.append('markdown', 'link', 'imagex'))).toBe(
      false,
    );
    expect(DocumentDropOrPasteEditKind.Empty.contains(bytedrop)).toBe(true);
    expect(bytedrop.intersects(image)).toBe(true);
    expect(bytedrop.intersects(DocumentDropOrPasteEditKind.Text)).toBe(false);
  });
});

describe('WorkspaceEdit', () => {
  it('counts resources with text edits in size, not file operations (ExtHostWorkspaceEdit.size)', () => {
    const edit = new WorkspaceEdit();
    edit.createFile(Uri.file('/ws/a.png'), { contents: new Uint8Array([1]) });
    expect(edit.size).toBe(0);
    edit.insert(Uri.file('/ws/a.md'), new Position(0, 0), 'x');
    edit.insert(Uri.file('/ws/a.md'), new Position(0, 0), 'y');
    expect(edit.size).toBe(1);
  });
});

describe('documents and edits', () => {
  it('has real offsets and bumps the version on every change', () => {
    const document = fake.openDocument('/ws/a.md', 'ab\ncd\n');
    expect(document.positionAt(4)).toEqual(new Position(1, 1));
    expect(document.offsetAt(new Position(1, 99))).toBe(5);
    expect(document.getText(new Range(0, 1, 1, 1))).toBe('b\nc');
    fake.type(document, 3, 'X');
    expect(document.getText()).toBe('ab\nXcd\n');
    expect(document.version).toBe(2);
  });

  it('applyEdit refuses an edit when the document changed after the extension read it', async () => {
    const document = fake.openDocument('/ws/a.md', 'hello');
    const edit = new WorkspaceEdit();
    edit.replace(document.uri, new Range(0, 0, 0, 5), 'bye');
    fake.duringNextApplyEdit(() => fake.type(document, 0, '!'));
    expect(await workspace.applyEdit(edit)).toBe(false);
    expect(document.getText()).toBe('!hello');
    const again = new WorkspaceEdit();
    again.replace(document.uri, new Range(0, 1, 0, 6), 'bye');
    expect(await workspace.applyEdit(again)).toBe(true);
    expect(document.getText()).toBe('!bye');
  });

  it('rejects overlapping edits like VS Code', () => {
    const document = fake.openDocument('/ws/a.md', 'hello');
    expect(() =>
      document.applyTextEdits([
        { range: new Range(0, 0, 0, 3), newText: 'x' },
        { range: new Range(0, 2, 0, 4), newText: 'y' },
      ]),
    ).toThrow('Overlapping');
  });
});

describe('DataTransfer and cancellation', () => {
  it('iterates every file item, and lower-cases mime types', async () => {
    const transfer = new DataTransfer();
    transfer.append('image/PNG', fake.fileItem('a.png', new Uint8Array([1])));
    transfer.append('image/png', fake.fileItem('b.png', new Uint8Array([2])));
    expect([...transfer].map(([mime, item]) => [mime, item.asFile()?.name])).toEqual([
      ['image/png', 'a.png'],
      ['image/png', 'b.png'],
    ]);
    expect(await transfer.get('IMAGE/png')?.asFile()?.data()).toEqual(new Uint8Array([1]));
  });

  it('fires cancellation once, and at once for late listeners', async () => {
    const source = new CancellationTokenSource();
    const calls: string[] = [];
    source.token.onCancellationRequested(() => calls.push('early'));
    source.cancel();
    source.cancel();
    await new Promise<void>((resolve) =>
      source.token.onCancellationRequested(() => {
        calls.push('late');
        resolve();
      }),
    );
    expect(calls).toEqual(['early', 'late']);
    expect(source.token.isCancellationRequested).toBe(true);
  });

  it('workspace.fs.writeFile creates parent folders; stat of a missing file throws FileNotFound', async () => {
    await workspace.fs.writeFile(Uri.file('/ws/a/b/c.png'), new Uint8Array([1]));
    expect((await workspace.fs.stat(Uri.file('/ws/a/b'))).type).toBe(2);
    await expect(workspace.fs.stat(Uri.file('/ws/nope'))).rejects.toMatchObject({ code: 'FileNotFound' });
  });
});
