/**
 * Image sizes in links: "Image width in links" (off by default) writes `![alt|W](url)`, HTML links carry width and
 * height, and "Retina images at screen size" (on by default) halves a 144 DPI screenshot, so it shows in the note at
 * the size it had on screen. The sizes come from core's reading of the pasted PNG (made here by ImageMagick).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { makeImage, scratch } from '../../core/test/_support/images';
import { uploadedLink } from '../src/link-text';
import { type BytedropSettings, DEFAULT_SETTINGS } from '../src/settings';
import type { BytedropSettingTab } from '../src/settings-tab';
import type { FakeElement, Plugin, Setting, ToggleComponent } from './fake-obsidian';
import { load, paste, pasteEvent, s3Settings, served, useS3rverAndCleanFakes } from './helpers';

const s3 = useS3rverAndCleanFakes();
/** 400 × 200 pixels saved at 144 DPI, as macOS saves a Retina screenshot: 200 × 100 on screen. */
let retina: Uint8Array<ArrayBuffer>;

beforeAll(async () => {
  const args = ['-size', '400x200', 'gradient:navy-gold', '-units', 'PixelsPerInch', '-density', '144'];
  retina = new Uint8Array((await makeImage(await scratch(), 'retina.png', args)).bytes);
});

/** Pastes the Retina screenshot with `overrides`; returns the note's text and the link's URL. */
async function pasteRetina(overrides: Partial<BytedropSettings>): Promise<{ text: string; url: string }> {
  const l = await load(s3Settings(s3, overrides));
  paste(l, pasteEvent([new File([retina], 'shot.png', { type: 'image/png' })]));
  await l.plugin.whenIdle();
  const text = l.editor.getValue();
  const url = /(https?:\/\/[^)"\s]+)/.exec(text)?.[1] ?? '';
  // Served, stripped of ImageMagick's text chunks (the default), with pHYs kept: still a PNG.
  expect([...(await served(url)).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  return { text, url };
}

describe('image sizes in links', () => {
  it('off by default: a Markdown link without a size', async () => {
    const { text, url } = await pasteRetina({});
    expect(text).toBe(`![shot.png](${url})`);
  });

  it('"Image width in links" writes the width a Retina screenshot had on screen: ![alt|200](url)', async () => {
    const { text, url } = await pasteRetina({ imageWidthInLinks: true });
    expect(text).toBe(`![shot.png|200](${url})`);
  });

  it('"Retina images at screen size" off gives its pixels: ![alt|400](url)', async () => {
    const { text, url } = await pasteRetina({ imageWidthInLinks: true, retinaAtScreenSize: false });
    expect(text).toBe(`![shot.png|400](${url})`);
  });

  it('an HTML link carries width and height, halved for Retina or in pixels', async () => {
    const halved = await pasteRetina({ linkFormat: 'html' });
    expect(halved.text).toBe(`<img src="${halved.url}" alt="shot.png" width="200" height="100">`);
    const pixels = await pasteRetina({ linkFormat: 'html', retinaAtScreenSize: false });
    expect(pixels.text).toBe(`<img src="${pixels.url}" alt="shot.png" width="400" height="200">`);
  });

  it('a custom link gets {width} and {height}, and the |W in {alt} when the width setting is on', async () => {
    const { text, url } = await pasteRetina({
      linkFormat: 'custom',
      customLinkTemplate: '![{alt}]({url}) {width}x{height}',
      imageWidthInLinks: true,
    });
    expect(text).toBe(`![shot.png|200](${url}) 200x100`);
  });

  it('a relinked ![[pic.png|300]] keeps its own size, in HTML too, never beside the image’s own width', () => {
    const result = {
      url: 'https://cdn.example/pic.png',
      key: 'pic.png',
      size: 10,
      contentType: 'image/png',
      filename: 'pic.png',
      width: 800,
      height: 600,
    };
    const html = { ...DEFAULT_SETTINGS, linkFormat: 'html' as const, imageWidthInLinks: true };
    expect(uploadedLink(result, html, { size: '300' })).toBe(
      '<img src="https://cdn.example/pic.png" alt="pic.png" width="300">',
    );
    expect(uploadedLink(result, { ...html, linkFormat: 'markdown' }, { size: '300' })).toBe(
      '![pic.png|300](https://cdn.example/pic.png)',
    );
  });

  it('the settings tab offers both toggles, with their defaults, and saves them', async () => {
    const l = await load(s3Settings(s3));
    const tab = (l.plugin as unknown as Plugin).settingTabs[0] as unknown as BytedropSettingTab & {
      containerEl: FakeElement;
    };
    tab.display();
    const settings = [...tab.containerEl.walk()]
      .map((el) => (el as FakeElement & { setting?: Setting }).setting)
      .filter((setting): setting is Setting => setting !== undefined);
    const toggle = (name: string) =>
      settings.find((setting) => setting.name === name)?.components[0] as ToggleComponent;
    expect(toggle('Image width in links').getValue()).toBe(false);
    expect(toggle('Retina images at screen size').getValue()).toBe(true);
    await toggle('Image width in links').simulate(true);
    await toggle('Retina images at screen size').simulate(false);
    expect(l.plugin.settings).toMatchObject({ imageWidthInLinks: true, retinaAtScreenSize: false });
  });
});
