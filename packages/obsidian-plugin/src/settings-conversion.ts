/**
 * The "Convert images" part of the settings tab: format, quality and longest side. For an S3 target the device
 * encodes, so the tab checks at once whether it can encode the chosen format and says what happens if not.
 */
import { canEncode, createCanvasEncoder, type ImageFormat } from '@bytedrop/core';
import { Setting } from 'obsidian';
import { SETTING } from './setting-names';
import type { BytedropSettings, ConvertImages } from './settings';

type Save = <K extends keyof BytedropSettings>(
  key: K,
  value: BytedropSettings[K],
  redraw?: boolean,
) => Promise<void>;

const FORMAT_DESC =
  'Off: images are uploaded as they are. WebP or AVIF: they are converted before upload, and the original is kept when the conversion is not smaller. Animated images are never converted.';

/** Adds the conversion settings to `containerEl`; `probe` tells whether this device encodes a format (tests pass one). */
export function displayConversion(
  containerEl: HTMLElement,
  settings: BytedropSettings,
  save: Save,
  probe: (format: ImageFormat) => Promise<boolean> = (format) => canEncode(createCanvasEncoder(), format),
): Promise<void> {
  const format = new Setting(containerEl).setName(SETTING.convertImages).setDesc(FORMAT_DESC);
  format.addDropdown((dropdown) =>
    dropdown
      .addOptions({ off: 'Off', webp: 'WebP', avif: 'AVIF' })
      .setValue(settings.convertImages)
      .onChange((value) => save('convertImages', value as ConvertImages, true)),
  );
  if (settings.convertImages === 'off') return Promise.resolve();
  number(
    containerEl,
    SETTING.convertQuality,
    'From 1 to 100; 80 suits photos.',
    settings.convertQuality,
    100,
    (value) => save('convertQuality', value),
  );
  number(
    containerEl,
    SETTING.convertMaxSide,
    'Larger images are scaled down to this size; 0 keeps their size. 2560 suits notes.',
    settings.convertMaxSide,
    100_000,
    (value) => save('convertMaxSide', value),
    true,
  );
  if (settings.target === 'server') {
    format.setDesc(`${FORMAT_DESC} The Bytedrop server converts them, if its admin allows it.`);
    return Promise.resolve();
  }
  if (settings.keepMetadata) {
    format.setDesc(
      `${FORMAT_DESC} “${SETTING.keepMetadata}” is on: images are uploaded exactly as they are, not converted (this device's encoder would drop their metadata).`,
    );
    return Promise.resolve();
  }
  const chosen = settings.convertImages;
  return (async () => {
    if (await probe(chosen)) return;
    const webp = chosen === 'avif' && (await probe('webp'));
    format.setDesc(
      `${FORMAT_DESC} This device cannot encode ${chosen.toUpperCase()} images: ${
        webp ? 'they are converted to WebP instead' : 'they are uploaded unconverted'
      }.`,
    );
  })();
}

/** A whole-number setting; a value out of range is said in its description and not saved. */
function number(
  containerEl: HTMLElement,
  name: string,
  desc: string,
  value: number,
  most: number,
  save: (value: number) => Promise<void>,
  zero = false,
): void {
  const setting = new Setting(containerEl).setName(name).setDesc(desc);
  setting.addText((text) =>
    text.setValue(String(value)).onChange(async (typed) => {
      const parsed = Number(typed.trim());
      if (!Number.isInteger(parsed) || parsed < (zero ? 0 : 1) || parsed > most) {
        setting.setDesc(`"${typed}" is not valid: write a whole number from ${zero ? 0 : 1} to ${most}.`);
        return;
      }
      setting.setDesc(desc);
      await save(parsed);
    }),
  );
}
