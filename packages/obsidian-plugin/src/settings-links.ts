/**
 * The "Links" part of the settings tab: the link format, its custom template, and the size images get in links
 * (Obsidian reads `![alt|300](url)` as a width; a Retina screenshot shows at the size it had on screen).
 */
import { Setting } from 'obsidian';
import { SETTING } from './setting-names';
import type { BytedropSettings, NoteLinkFormat } from './settings';

type Save = <K extends keyof BytedropSettings>(
  key: K,
  value: BytedropSettings[K],
  redraw?: boolean,
) => Promise<void>;

/** Adds the link settings to `containerEl`. */
export function displayLinkSettings(containerEl: HTMLElement, settings: BytedropSettings, save: Save): void {
  new Setting(containerEl)
    .setName(SETTING.linkFormat)
    .setDesc('What replaces the placeholder after an upload.')
    .addDropdown((dropdown) =>
      dropdown
        .addOptions({ markdown: 'Markdown', html: 'HTML', custom: 'Custom' })
        .setValue(settings.linkFormat)
        .onChange((value) => save('linkFormat', value as NoteLinkFormat, true)),
    );
  if (settings.linkFormat === 'custom') {
    new Setting(containerEl)
      .setName(SETTING.customLink)
      .setDesc('Variables: {url} {name} {alt} {key} {size} {width} {height}.')
      .addText((text) =>
        text.setValue(settings.customLinkTemplate).onChange((value) => save('customLinkTemplate', value)),
      );
  }
  new Setting(containerEl)
    .setName(SETTING.imageWidthInLinks)
    .setDesc(
      'Write an image’s width into its link, as ![alt|640](url), so the note keeps its layout while the image loads. HTML links always carry width and height.',
    )
    .addToggle((toggle) =>
      toggle.setValue(settings.imageWidthInLinks).onChange((value) => save('imageWidthInLinks', value)),
    );
  new Setting(containerEl)
    .setName(SETTING.retinaAtScreenSize)
    .setDesc(
      'A 144 DPI image (a Retina screenshot) gets half its pixels as its size in links: the size it had on screen. Off gives its pixels.',
    )
    .addToggle((toggle) =>
      toggle.setValue(settings.retinaAtScreenSize).onChange((value) => save('retinaAtScreenSize', value)),
    );
}
