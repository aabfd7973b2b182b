/**
 * "Keep image metadata": off by default, so a pasted photo's location and camera data never reach the bucket; on,
 * the photo is uploaded byte for byte. The setting is in the tab and saved in data.json.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { exifTags, makeImage, PRIVATE_TAGS, saved, scratch } from '../../core/test/_support/images';
import type { BytedropSettingTab } from '../src/settings-tab';
import type { FakeElement, Plugin, Setting, ToggleComponent } from './fake-obsidian';
import { load, paste, pasteEvent, s3Settings, served, useS3rverAndCleanFakes } from './helpers';

const s3 = useS3rverAndCleanFakes();
let dir: string;
let photo: Uint8Array<ArrayBuffer>;

beforeAll(async () => {
  dir = await scratch();
  photo = new Uint8Array((await makeImage(dir, 'p.jpg', ['-size', '30x20', 'xc:gold'], PRIVATE_TAGS)).bytes);
});

function toggle(plugin: unknown, name: string): ToggleComponent {
  const tab = (plugin as Plugin).settingTabs[0] as unknown as BytedropSettingTab & {
    containerEl: FakeElement;
  };
  tab.display();
  const setting = [...tab.containerEl.walk()]
    .map((el) => (el as FakeElement & { setting?: Setting }).setting)
    .find((candidate) => candidate?.name === name);
  if (!setting) throw new Error(`no setting named '${name}'`);
  return setting.components[0] as ToggleComponent;
}

async function pastedBytes(keepMetadata?: boolean): Promise<Uint8Array> {
  const l = await load(s3Settings(s3, keepMetadata === undefined ? {} : { keepMetadata }));
  paste(l, pasteEvent([new File([photo], 'photo.jpg', { type: 'image/jpeg' })]));
  await l.plugin.whenIdle();
  const url = /\((http[^)]+)\)/.exec(l.editor.getValue())?.[1];
  if (!url) throw new Error(`no link in the note: ${l.editor.getValue()}`);
  return served(url);
}

describe('Keep image metadata', () => {
  it('is off by default: the stored photo has no GPS or camera tags', async () => {
    const tags = await exifTags(await saved(dir, 'default.jpg', await pastedBytes()));
    expect(tags['GPS:GPSLatitude']).toBeUndefined();
    expect(tags['IFD0:Make']).toBeUndefined();
  });

  it('on: the photo is uploaded byte for byte', async () => {
    expect(await pastedBytes(true)).toEqual(photo);
  });

  it('is a toggle in the settings tab, saved in data.json', async () => {
    const l = await load(s3Settings(s3));
    const control = toggle(l.plugin, 'Keep image metadata');
    expect(control.getValue()).toBe(false);
    await control.simulate(true);
    expect(JSON.parse((l.plugin as unknown as Plugin).dataJson ?? '{}').keepMetadata).toBe(true);
    expect(l.plugin.settings.keepMetadata).toBe(true);
  });
});
