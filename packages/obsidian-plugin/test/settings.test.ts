import { describe, expect, it } from 'vitest';
import { previewKey } from '../src/key-preview';
import BytedropPlugin from '../src/main';
import { DEFAULT_SETTINGS, normalizeSettings } from '../src/settings';
import {
  type ButtonComponent,
  type DropdownComponent,
  Notice,
  type Plugin,
  type SecretComponent,
  type TextComponent,
  type ToggleComponent,
} from './fake-obsidian';
import { CLI_WORDS, load, paste, pasteEvent, pngFile, s3Settings, useS3rverAndCleanFakes } from './helpers';
import { control, find, settingsIn, tabOf } from './settings-ui';

const s3 = useS3rverAndCleanFakes();

describe('settings', () => {
  it('round-trips through data.json, with the secret kept in SecretStorage only', async () => {
    const l = await load({});
    const tab = tabOf(l.plugin);
    await control<DropdownComponent>(tab, 'Provider').simulate('minio');
    await control<TextComponent>(tabOf(l.plugin), 'Endpoint').simulate(s3.endpoint);
    await control<TextComponent>(tab, 'Bucket').simulate(s3.bucket);
    await control<TextComponent>(tab, 'Access key ID').simulate(s3.accessKeyId);
    await control<TextComponent>(tab, 'Public base URL').simulate(`${s3.endpoint}/${s3.bucket}`);
    // The user creates a secret in Obsidian's keychain and picks it.
    l.app.secretStorage.setSecret('my-s3-key', s3.secretAccessKey);
    await control<SecretComponent>(tab, 'Secret access key').simulate('my-s3-key');
    await control<DropdownComponent>(tab, 'Link format').simulate('html');
    await control<ToggleComponent>(tabOf(l.plugin), 'Keep local copies').simulate(false);
    await control<TextComponent>(tab, 'Max size (MiB)').simulate('25');

    const dataJson = (l.plugin as unknown as Plugin).dataJson ?? '';
    expect(JSON.parse(dataJson)).toMatchObject({
      provider: 'minio',
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      secretKeyName: 'my-s3-key',
      linkFormat: 'html',
      keepLocalCopies: false,
      maxSizeMb: 25,
    });
    expect(Object.keys(JSON.parse(dataJson)).sort()).toEqual(Object.keys(DEFAULT_SETTINGS).sort());

    // A fresh plugin instance loads the same settings and uploads with the secret from SecretStorage.
    (l.plugin as unknown as Plugin).unload();
    expect(l.app.workspace.listenerCount('editor-paste')).toBe(0);
    const again = new BytedropPlugin(l.app as never, l.plugin.manifest);
    (again as unknown as Plugin).dataJson = dataJson;
    await again.onload();
    expect(again.settings).toEqual(l.plugin.settings);
    paste({ ...l, plugin: again as never }, pasteEvent([pngFile(1)]));
    await again.whenIdle();
    expect(l.editor.getValue()).toMatch(
      /^<img src="http:\/\/127\.0\.0\.1:\d+\/bytedrop-test\/[^"]+" alt="[^"]*">$/,
    );
  });

  it('never writes a secret into data.json, whatever the secret is', async () => {
    const l = await load({});
    l.app.secretStorage.setSecret('unique-secret', 'sk-this-must-not-leak-1234');
    const tab = tabOf(l.plugin);
    await control<SecretComponent>(tab, 'Secret access key').simulate('unique-secret');
    await control<DropdownComponent>(tab, 'Upload to').simulate('server');
    l.app.secretStorage.setSecret('server-key', 'srv-this-must-not-leak-5678');
    await control<SecretComponent>(tabOf(l.plugin), 'Server access key').simulate('server-key');
    const dataJson = (l.plugin as unknown as Plugin).dataJson ?? '';
    expect(dataJson).toContain('"secretKeyName": "unique-secret"');
    expect(dataJson).toContain('"serverKeyName": "server-key"');
    expect(dataJson).not.toContain('this-must-not-leak');
  });

  it('reads the old opt-in "Delete local files after uploading them" as Keep local copies off', () => {
    expect(normalizeSettings({ deleteLocalAfterUpload: true }).keepLocalCopies).toBe(false);
    expect(normalizeSettings({ deleteLocalAfterUpload: false }).keepLocalCopies).toBe(true);
    expect(normalizeSettings({ deleteLocalAfterUpload: true, keepLocalCopies: true }).keepLocalCopies).toBe(
      true,
    );
  });

  it('normalizes a damaged data.json back to defaults field by field', () => {
    expect(
      normalizeSettings({
        target: 'ftp',
        bucket: 42,
        maxSizeMb: -1,
        linkFormat: 'html',
        secretAccessKey: 'x',
      }),
    ).toEqual({ ...DEFAULT_SETTINGS, linkFormat: 'html' });
    expect(normalizeSettings(null)).toEqual(DEFAULT_SETTINGS);
  });

  it('follows Obsidian conventions: section headings with setHeading, names in sentence case', async () => {
    const l = await load(s3Settings(s3));
    const settings = settingsIn(tabOf(l.plugin));
    expect(settings.filter((setting) => setting.heading).map((setting) => setting.name)).toEqual([
      'S3 bucket',
      'Keys and links',
      'Behaviour',
    ]);
    for (const { name } of settings) {
      // Sentence case: only the first word capitalised (acronyms like S3, ID, URL, MiB allowed).
      const rest = name.split(' ').slice(1);
      expect(
        rest.filter((word) => /^[A-Z][a-z]/.test(word) && word !== 'MiB'),
        name,
      ).toEqual([]);
    }
  });

  it('previews the rendered key live, and shows the error of an invalid template', async () => {
    expect(previewKey('{note}/{name}.{ext}')).toEqual({
      key: 'Trip-to-Lisbon/Pasted-image-20240131093015.png',
      onClash: 'Trip-to-Lisbon/Pasted-image-20240131093015-1.png',
    });
    expect(previewKey('{yyyy}/{nmae}.{ext}').error).toMatch(/nmae/);

    const l = await load(s3Settings(s3));
    const tab = tabOf(l.plugin);
    await control<TextComponent>(tab, 'Key template').simulate('{folder}/{hash:8}.{ext}');
    expect(find(tab, 'Key template').desc).toBe(
      'Where uploads go in the bucket. Example: Journal/2024/9f86d081.png. A different file already there is never replaced: the upload takes Journal/2024/9f86d081884c7d65.png instead.',
    );
    await control<TextComponent>(tab, 'Key template').simulate('{bogus}');
    expect(find(tab, 'Key template').desc).toMatch(/^Invalid template: .*bogus/);
  });

  it('"Test connection" reports success against a working bucket', async () => {
    const l = await load(s3Settings(s3));
    const tab = tabOf(l.plugin);
    await control<ButtonComponent>(tab, 'Test connection').click();
    expect(Notice.shown.at(-1)).toBe('Bytedrop: connection works.');
    const lines = [...tab.containerEl.walk()].filter((el) => el.hasClass('bytedrop-check'));
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((el) => el.hasClass('bytedrop-check-ok'))).toBe(true);
  });

  it('"Test connection" names a wrong key and a missing bucket', async () => {
    const wrong = await load(s3Settings(s3), { secret: 'wrong' });
    const wrongTab = tabOf(wrong.plugin);
    await control<ButtonComponent>(wrongTab, 'Test connection').click();
    expect(Notice.shown.at(-1)).toMatch(/SignatureDoesNotMatch/);
    const lines = [...wrongTab.containerEl.walk()].filter((el) => el.hasClass('bytedrop-check-fail'));
    expect(lines.map((el) => el.textContent).join('\n')).toMatch(
      /Fix: copy the access key id and secret access key again from the provider; check for spaces$/,
    );

    const missing = await load(s3Settings(s3, { bucket: 'no-such-bucket' }));
    await control<ButtonComponent>(tabOf(missing.plugin), 'Test connection').click();
    expect(Notice.shown.at(-1)).toMatch(/bucket reachable failed: .*no-such-bucket/);
    for (const message of [...Notice.shown, ...lines.map((el) => el.textContent)]) {
      expect(message).not.toMatch(CLI_WORDS);
    }
  });

  it('"Test connection" says when the public base URL does not serve the uploaded object', async () => {
    // The probe goes to bytedrop-test, but this URL serves the other bucket.
    const l = await load(s3Settings(s3, { publicBaseUrl: `${s3.endpoint}/bytedrop-other` }));
    const tab = tabOf(l.plugin);
    await control<ButtonComponent>(tab, 'Test connection').click();
    expect(Notice.shown.at(-1)).toMatch(
      /^Bytedrop: public url serves uploads failed: GET .*bytedrop-other.* HTTP 404/,
    );
    const failed = [...tab.containerEl.walk()].filter((el) => el.hasClass('bytedrop-check-fail'));
    expect(failed.map((el) => el.textContent)).toEqual([
      expect.stringMatching(
        /^✗ Public URL serves uploads: .*Fix: set Public base URL to the URL that serves bucket/,
      ),
    ]);
    for (const message of [...Notice.shown, ...failed.map((el) => el.textContent)]) {
      expect(message).not.toMatch(CLI_WORDS);
    }
  });

  it('shows the server fields for the server target', async () => {
    const l = await load({ target: 'server' });
    const names = settingsIn(tabOf(l.plugin)).map((setting) => setting.name);
    expect(names).toContain('Server URL');
    expect(names).toContain('Server access key');
    expect(names).not.toContain('Bucket');
    // The server picks its own keys: a key template here would have no effect.
    expect(names).not.toContain('Key template');
    expect(names).toContain('Link format');
  });
});
