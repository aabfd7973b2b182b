/**
 * "Convert images": off by default; WebP or AVIF with a quality and a longest side. The device encodes (core's canvas
 * encoder); where it cannot encode a format, AVIF falls back to WebP and then to the image as it is, said once in a
 * notice and in the settings tab, never silently. A server target is asked to convert instead. "Keep image metadata"
 * wins on the device (the canvas would drop the metadata): images go exactly as they are, and the tab says so. An
 * image that cannot be converted (undecodable, a decompression bomb) is uploaded as it is, with a notice, whether the
 * device or a Bytedrop server was to convert it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BytedropError, createUploader, type EncodeRequest, type ImageEncoder } from '@bytedrop/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { conversionFromEnv } from '../../core/src/node/conversion';
import { createSharpEncoder } from '../../core/src/node/encoders/sharp';
import { createLocalDiskStore } from '../../core/src/node/stores/local-disk';
import { pngBomb } from '../../core/test/_support/bomb';
import { makeImage, PRIVATE_TAGS, scratch } from '../../core/test/_support/images';
import { serve } from '../../server-adapter/src/node';
import { canvasConversion, fallbackEncoder } from '../src/image-conversion';
import { normalizeSettings } from '../src/settings';
import type { BytedropSettingTab } from '../src/settings-tab';
import { createTargetUploader } from '../src/target';
import {
  type DropdownComponent,
  type FakeElement,
  Notice,
  type Plugin,
  requestLog,
  type TextComponent,
} from './fake-obsidian';
import { load, paste, pasteEvent, s3Settings, served, settingIn, useS3rverAndCleanFakes } from './helpers';

const s3 = useS3rverAndCleanFakes();
let photo: Uint8Array<ArrayBuffer>;

beforeAll(async () => {
  const made = await makeImage(
    await scratch(),
    'p.jpg',
    ['-size', '90x60', 'plasma:', '-seed', '4'],
    PRIVATE_TAGS,
  );
  photo = new Uint8Array(made.bytes);
});

const REQUEST: EncodeRequest = {
  contentType: 'image/jpeg',
  format: 'avif',
  quality: 80,
  maxSide: undefined,
  maxPixels: 1e8,
  keepMetadata: false,
};

/** sharp, but like a device that cannot encode AVIF (Chromium's canvas). */
function webpOnly(): ImageEncoder {
  const sharp = createSharpEncoder();
  return {
    encode: (input, request) =>
      request.format === 'avif'
        ? Promise.reject(new BytedropError('ERR_IMAGE', 'this device cannot encode AVIF images'))
        : sharp.encode(input, request),
  };
}

function tab(plugin: unknown): BytedropSettingTab & { containerEl: FakeElement } {
  const settingTab = (plugin as Plugin).settingTabs[0] as unknown as BytedropSettingTab & {
    containerEl: FakeElement;
  };
  settingTab.display();
  return settingTab;
}

describe('Convert images', () => {
  it('AVIF falls back to WebP where the device cannot encode it, said once', async () => {
    const said: string[] = [];
    const encoder = fallbackEncoder((message) => said.push(message), webpOnly());
    for (let i = 0; i < 2; i++) {
      const bytes = await encoder.encode(photo, REQUEST);
      expect(Buffer.from(bytes.subarray(8, 12)).toString('latin1')).toBe('WEBP');
    }
    expect(said).toEqual([expect.stringMatching(/cannot encode AVIF images; converting to WEBP instead/)]);
  });

  it('a device with no canvas encoder uploads the image unconverted (still stripped), with one notice', async () => {
    const l = await load(s3Settings(s3, { convertImages: 'webp' }));
    for (const name of ['a.jpg', 'b.jpg']) {
      paste(l, pasteEvent([new File([photo], name, { type: 'image/jpeg' })]));
      await l.plugin.whenIdle();
    }
    const urls = [...l.editor.getValue().matchAll(/\((http[^)]+)\)/g)].map((match) => match[1] as string);
    expect(urls).toHaveLength(2);
    expect(urls[0]).toMatch(/\.jpg$/);
    const stored = await served(urls[0]!);
    expect(Buffer.from(stored).includes('Jane Doe')).toBe(false);
    expect(Notice.shown.filter((message) => /cannot encode WEBP/.test(message))).toEqual([
      expect.stringMatching(/uploading images unconverted.*Convert images/),
    ]);
  });

  it('is a dropdown in the settings tab; quality and size are checked, and the tab says what this device cannot do', async () => {
    const l = await load(s3Settings(s3));
    let settingTab = tab(l.plugin);
    const format = settingIn(settingTab.containerEl, 'Convert images');
    expect((format.components[0] as DropdownComponent).getValue()).toBe('off');
    expect(() => settingIn(settingTab.containerEl, 'Conversion quality')).toThrow();
    await (format.components[0] as DropdownComponent).simulate('avif');
    expect(l.plugin.settings.convertImages).toBe('avif');
    settingTab = tab(l.plugin);
    await settingTab.conversionChecked;
    expect(settingIn(settingTab.containerEl, 'Convert images').desc).toMatch(
      /This device cannot encode AVIF images: they are uploaded unconverted/,
    );
    const quality = settingIn(settingTab.containerEl, 'Conversion quality');
    await (quality.components[0] as TextComponent).simulate('150');
    expect(quality.desc).toMatch(/"150" is not valid: write a whole number from 1 to 100/);
    expect(l.plugin.settings.convertQuality).toBe(80);
    const side = settingIn(settingTab.containerEl, 'Longest side (px)');
    await (side.components[0] as TextComponent).simulate('2560');
    expect(l.plugin.settings.convertMaxSide).toBe(2560);
  });

  it('a server target is asked to convert, with the quality and size set', async () => {
    const l = await load({
      target: 'server',
      serverUrl: 'http://127.0.0.1:9',
      serverKeyName: 'k',
      convertImages: 'webp',
      convertMaxSide: 1600,
    });
    l.app.secretStorage.setSecret('k', 'key');
    const uploader = createTargetUploader(l.plugin.settings, l.app.secretStorage);
    await uploader.upload(photo, { filename: 'x.jpg' }).catch(() => undefined);
    expect(requestLog.at(-1)?.headers?.convert).toBe('webp; quality=80; max-side=1600');
  });

  it('with "Keep image metadata" on, the device converts nothing: images go exactly as they are, and the tab says so', async () => {
    const settings = s3Settings(s3, { convertImages: 'webp', keepMetadata: true });
    expect(canvasConversion(normalizeSettings(settings), () => undefined)).toBeUndefined();
    const l = await load(settings);
    paste(l, pasteEvent([new File([photo], 'keep.jpg', { type: 'image/jpeg' })]));
    await l.plugin.whenIdle();
    const url = /\((http[^)]+)\)/.exec(l.editor.getValue())?.[1];
    expect(url).toMatch(/\.jpg$/);
    expect(Buffer.from(await served(url!)).equals(Buffer.from(photo))).toBe(true);
    // No encoder was even tried (this one has none, and would have said so).
    expect(Notice.shown.filter((message) => /cannot encode|unconverted/.test(message))).toEqual([]);
    const settingTab = tab(l.plugin);
    await settingTab.conversionChecked;
    expect(settingIn(settingTab.containerEl, 'Convert images').desc).toMatch(
      /“Keep image metadata” is on: images are uploaded exactly as they are, not converted/,
    );
    expect(settingIn(settingTab.containerEl, 'Keep image metadata').desc).toMatch(
      /On: images are uploaded exactly as they are, so this device does not convert them either/,
    );
  });

  it('an image that cannot be converted (undecodable, a decompression bomb) is uploaded as it is, with a notice', async () => {
    const l = await load(s3Settings(s3, { convertImages: 'webp' }));
    const truncated = photo.slice(0, 64);
    paste(l, pasteEvent([new File([truncated], 'cut.jpg', { type: 'image/jpeg' })]));
    await l.plugin.whenIdle();
    paste(l, pasteEvent([new File([pngBomb()], 'bomb.png', { type: 'image/png' })]));
    await l.plugin.whenIdle();
    expect([...l.editor.getValue().matchAll(/\((http[^)]+)\)/g)]).toHaveLength(2);
    expect(Notice.shown.filter((message) => /uploaded unconverted:/.test(message))).toEqual([
      'Bytedrop: cut.jpg was uploaded unconverted: it could not be decoded.',
      expect.stringMatching(
        /^Bytedrop: bomb\.png was uploaded unconverted: it declares more pixels than the limit/,
      ),
    ]);
  });

  it('a Bytedrop server that could not convert an image says so, and the plugin shows it in a notice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bytedrop-obsidian-convert-'));
    const store = createLocalDiskStore({ dir, publicBaseUrl: 'http://unused.test/f' });
    const convert = conversionFromEnv({ BYTEDROP_CONVERT: 'webp' })!;
    const server = await serve({
      port: 0,
      hostname: '127.0.0.1',
      uploader: createUploader({ bucket: 'local-disk' }, { store, convert }),
      store,
      files: store,
      keys: [{ name: 'obsidian', key: 'obsidian-convert-key-0123456789' }],
      secret: 'delete-token-secret-for-tests-0123456789',
    });
    try {
      const l = await load({
        target: 'server',
        serverUrl: server.url,
        serverKeyName: 'k',
        convertImages: 'webp',
      });
      l.app.secretStorage.setSecret('k', 'obsidian-convert-key-0123456789');
      paste(l, pasteEvent([new File([pngBomb()], 'bomb.png', { type: 'image/png' })]));
      await l.plugin.whenIdle();
      expect(l.editor.getValue()).toMatch(/\(http[^)]+\.png\)/);
      expect(Notice.shown).toContainEqual(
        expect.stringMatching(/^Bytedrop: bomb\.png was uploaded unconverted: it declares more pixels/),
      );
    } finally {
      await server.close(true);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
