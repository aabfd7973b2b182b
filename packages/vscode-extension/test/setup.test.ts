/**
 * Natives' manners: an install that is not set up never takes a paste or drop (VS Code's own happens) and says once,
 * in the Settings editor's words, everything that is missing; Bytedrop is the default only once the user makes it
 * so; a secret stored through the command applies to the very next paste.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { BYTEDROP_KIND } from '../src/constants';
import {
  CancellationTokenSource,
  commands,
  DocumentDropOrPasteEditKind,
  DocumentPasteEdit,
  DocumentPasteTriggerKind,
  fake,
  languages,
  Range,
  workspace,
} from './_fake/vscode';
import { linksUnder, uploadsSettled, WAIT } from './_setup/expect';
import { createWorld, endOf, png, restart, transferOf, type World } from './_setup/world';

let s3: S3Harness;
let base: string;

beforeAll(async () => {
  s3 = await startS3rver();
  base = `${s3.endpoint}/${s3.bucket}`;
});
afterAll(() => s3.dispose());

const configured = (secret?: string | false) =>
  createWorld({
    endpoint: s3.endpoint,
    publicBaseUrl: base,
    bucket: s3.bucket,
    ...(secret === undefined ? {} : { secret }),
  });

/** VS Code's own Markdown paste and drop, which copy the file into the workspace. */
function registerBuiltIn(): void {
  const kind = DocumentDropOrPasteEditKind.Empty.append('markdown', 'link', 'image', 'attachment');
  const edit = () => new DocumentPasteEdit('![alt text](shot.png)', 'Insert image', kind);
  languages.registerDocumentPasteEditProvider(
    'markdown',
    { provideDocumentPasteEdits: () => [edit()] },
    { providedPasteEditKinds: [kind], pasteMimeTypes: ['files', 'image/*'] },
  );
}

const pasteShot = (world: World, seed: number) =>
  fake.paste(
    world.document,
    [endOf(world.document)],
    transferOf({ name: 'shot.png', mime: 'image/png', bytes: png(seed) }),
  );

/** No environment variable names (BYTEDROP_BUCKET, S3_ACCESS_KEY), no CLI (`bytedrop doctor`), no config keys. */
const NOT_VSCODE_WORDS = /[A-Z][A-Z0-9]*_[A-Z0-9_]+|bytedrop doctor|'maxFileSize'|config file|environment/;

describe('an install that is not set up', () => {
  it('leaves the paste to VS Code and says once what is missing, all of it, with the buttons that set it', async () => {
    let world = await createWorld();
    registerBuiltIn();
    const requests = s3.requests.length;
    const outcome = await pasteShot(world, 1);
    expect(outcome.applied?.title).toBe('Insert image');
    expect(outcome.edits.map((edit) => edit.title)).toEqual(['Insert image']);
    expect(world.document.getText()).toBe('# Post\n\n![alt text](shot.png)');
    expect(fake.messages).toHaveLength(1);
    const [notice] = fake.messages;
    expect(notice?.message).toBe(
      'The file was pasted as VS Code does without Bytedrop. To upload pastes and drops to your bucket instead, set Bytedrop up: set Bytedrop: Bucket, Bytedrop: Access Key ID and the secret access key.',
    );
    expect(notice?.message).not.toMatch(NOT_VSCODE_WORDS);
    expect(notice?.items).toEqual(['Open Bytedrop settings', 'Set secret access key']);
    notice?.respond('Open Bytedrop settings');
    await vi.waitFor(() =>
      expect(fake.executedCommands).toEqual([
        { id: 'workbench.action.openSettings', args: ['@ext:bytedrop.bytedrop'] },
      ]),
    );

    await pasteShot(world, 2);
    world = restart(world);
    registerBuiltIn();
    await pasteShot(world, 3);
    expect(fake.messages).toEqual([]);
    expect(s3.requests.length).toBe(requests);
  });

  it('half set up: names what is left; "Set secret access key" stores it and the next paste uploads', async () => {
    const world = await configured(false);
    await pasteShot(world, 4);
    const notice = await fake.nextMessage();
    expect(notice.message).toBe(
      'The file was pasted as VS Code does without Bytedrop. Bytedrop is not set up: set the secret access key.',
    );
    expect(notice.items).toEqual(['Open Bytedrop settings', 'Set secret access key']);
    fake.inputBoxAnswers.push('S3RVER');
    notice.respond('Set secret access key');
    await vi.waitFor(() =>
      expect(fake.messages.at(-1)?.message).toBe('Bytedrop: secret access key saved in secret storage.'),
    );
    await pasteShot(world, 5);
    await uploadsSettled();
    expect(linksUnder(base, world.document.getText())).toHaveLength(1);
  });

  it('with a setting core refuses, names the setting and why', async () => {
    const world = await configured();
    fake.settings.set('bytedrop.endpoint', '127.0.0.1:9000');
    await pasteShot(world, 6);
    const notice = await fake.nextMessage();
    expect(notice.message).toMatch(
      /^The file was pasted as VS Code does without Bytedrop\. Bytedrop's settings need a fix: Bytedrop: Endpoint '127\.0\.0\.1:9000' has no scheme/,
    );
    expect(notice.message).not.toMatch(NOT_VSCODE_WORDS);
    expect(world.document.getText()).toBe('# Post\n\n');
  });
});

describe('the default paste', () => {
  it('is VS Code’s own until "Make Bytedrop the default paste/drop"', async () => {
    const world = await configured();
    registerBuiltIn();
    const before = await pasteShot(world, 13);
    expect(before.edits.map((edit) => edit.kind.value)).toEqual([
      BYTEDROP_KIND.value,
      'markdown.link.image.attachment',
    ]);
    expect(before.applied?.kind.value).toBe('markdown.link.image.attachment');
    await workspace.getConfiguration('editor').update('pasteAs.preferences', ['text']);
    await commands.executeCommand('bytedrop.makeDefault');
    expect(workspace.getConfiguration('editor').get('pasteAs.preferences')).toEqual([
      BYTEDROP_KIND.value,
      'text',
    ]);
    expect(workspace.getConfiguration('editor').get('dropIntoEditor.preferences')).toEqual([
      BYTEDROP_KIND.value,
    ]);
    const after = await pasteShot(world, 14);
    expect(after.applied?.kind.value).toBe(BYTEDROP_KIND.value);
    await vi.waitFor(() => expect(linksUnder(base, world.document.getText())).toHaveLength(1), WAIT);
  });
});

describe('when Bytedrop stays out', () => {
  it('ignores a language that is not configured, and answers once it is', async () => {
    const world = await configured();
    const script = fake.openDocument('/ws/notes/notes.txt', 'text\n', 'plaintext');
    const transfer = transferOf({ name: 'shot.png', mime: 'image/png', bytes: png(10) });
    expect((await fake.paste(script, [endOf(script)], transfer)).edits).toEqual([]);
    await workspace.getConfiguration('bytedrop').update('languages', ['markdown', 'plaintext']);
    const answered = await fake.paste(script, [endOf(script)], transfer);
    expect(answered.applied?.kind.value).toBe(BYTEDROP_KIND.value);
    await uploadsSettled();
    expect(script.getText()).toMatch(/^text\n!\[shot\.png\]\(http:\S+\.png\)$/);
    expect(world.document.getText()).toBe('# Post\n\n');
  });

  it('returns nothing when "Paste As" asks for another kind, and answers for its parent kind', async () => {
    const world = await configured();
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
    const parent = (await ask(DocumentDropOrPasteEditKind.Empty.append('markdown', 'link', 'image'))) as {
      kind: DocumentDropOrPasteEditKind;
    }[];
    expect(parent.map((edit) => edit.kind.value)).toEqual([BYTEDROP_KIND.value]);
  });

  it('writes nothing when the user types while the provider works (VS Code cancels the paste)', async () => {
    const world = await configured();
    const requests = s3.requests.length;
    const outcome = await fake.paste(
      world.document,
      [new Range(2, 0, 2, 0)],
      transferOf({ name: 'shot.png', mime: 'image/png', bytes: png(12) }),
      { whileProviding: () => fake.type(world.document, 0, 'x') },
    );
    expect(outcome.applied).toBeUndefined();
    expect(world.document.getText()).toBe('x# Post\n\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(
      [...fake.files.keys()].filter((path) => path.startsWith('/storage/') || path.endsWith('.png')),
    ).toEqual([]);
    expect(s3.requests.length).toBe(requests);
  });
});
