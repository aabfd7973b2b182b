/**
 * The settings tab, per Obsidian's guidelines: sentence case, section headings with `setHeading()`, no innerHTML.
 * Secrets are picked with Obsidian's SecretComponent, so data.json stores only a secret's name.
 */
import {
  DEFAULT_KEY_TEMPLATE,
  defaultRegion,
  PROVIDER_NAMES,
  PROVIDERS,
  type ProviderName,
} from '@bytedrop/core';
import { type App, Notice, type Plugin, PluginSettingTab, SecretComponent, Setting } from 'obsidian';
import { previewKey } from './key-preview';
import { KIND_LABELS } from './kinds';
import { SETTING } from './setting-names';
import type { BytedropSettings, PathStyle, TargetKind, UploadKinds } from './settings';
import { displayConversion } from './settings-conversion';
import { displayLinkSettings } from './settings-links';
import { displayTusSettings } from './settings-tus';
import { summarize, testConnection } from './test-connection';
import { inObsidianTerms, wordError } from './wording';

/** What the tab needs from the plugin. */
export interface SettingsHost extends Plugin {
  settings: BytedropSettings;
  saveSettings(): Promise<void>;
}

type TextKey = 'endpoint' | 'region' | 'bucket' | 'accessKeyId' | 'publicBaseUrl' | 'serverUrl';

export class BytedropSettingTab extends PluginSettingTab {
  readonly #host: SettingsHost;
  /** Settles once the tab has checked that this device can encode the chosen conversion format. */
  conversionChecked: Promise<void> = Promise.resolve();

  constructor(app: App, host: SettingsHost) {
    super(app, host);
    this.#host = host;
  }

  override display(): void {
    const { containerEl } = this;
    const settings = this.#host.settings;
    containerEl.empty();
    const save = async <K extends keyof BytedropSettings>(
      key: K,
      value: BytedropSettings[K],
      redraw = false,
    ) => {
      settings[key] = value;
      await this.#host.saveSettings();
      if (redraw) this.display();
    };

    new Setting(containerEl)
      .setName('Upload to')
      .setDesc('An S3-compatible bucket, or a Bytedrop server you run.')
      .addDropdown((dropdown) =>
        dropdown
          .addOptions({ s3: 'S3 bucket', server: 'Bytedrop server' })
          .setValue(settings.target)
          .onChange((value) => save('target', value as TargetKind, true)),
      );

    if (settings.target === 's3') this.#displayS3(save);
    else this.#displayServer(save);

    const result = containerEl.createDiv({ cls: 'bytedrop-test-result' });
    new Setting(containerEl)
      .setName('Test connection')
      .setDesc('Uploads and deletes a tiny object, then says exactly what is wrong, if anything.')
      .addButton((button) =>
        button.setButtonText('Test connection').onClick(async () => {
          button.setDisabled(true);
          result.empty();
          try {
            const report = await testConnection(settings, this.app.secretStorage);
            for (const check of report.checks) {
              const mark = check.status === 'ok' ? '✓' : check.status === 'fail' ? '✗' : '–';
              const line = result.createDiv({ cls: `bytedrop-check bytedrop-check-${check.status}` });
              line.setText(
                `${mark} ${check.title}: ${inObsidianTerms(check.message)}${check.fix ? `. Fix: ${inObsidianTerms(check.fix)}` : ''}`,
              );
            }
            new Notice(summarize(report));
          } catch (error) {
            result.createDiv({
              cls: 'bytedrop-check bytedrop-check-fail',
              text: `✗ ${wordError(error, settings, this.app.secretStorage).message}`,
            });
          } finally {
            button.setDisabled(false);
          }
        }),
      );

    new Setting(containerEl).setName(settings.target === 's3' ? 'Keys and links' : 'Links').setHeading();
    // A Bytedrop server picks its own keys, so the template is offered only where it has an effect.
    if (settings.target === 's3') {
      const preview = new Setting(containerEl).setName('Key template');
      const showPreview = (template: string) => {
        const { key, onClash, error } = previewKey(template);
        preview.setDesc(
          error
            ? `Invalid template: ${error}`
            : `Where uploads go in the bucket. Example: ${key ?? ''}. A different file already there is never replaced: the upload takes ${onClash ?? ''} instead.`,
        );
      };
      showPreview(settings.keyTemplate);
      preview.addText((text) =>
        text
          .setPlaceholder(DEFAULT_KEY_TEMPLATE)
          .setValue(settings.keyTemplate)
          .onChange(async (value) => {
            showPreview(value);
            await save('keyTemplate', value);
          }),
      );
    }

    displayLinkSettings(containerEl, settings, save);

    new Setting(containerEl).setName('Behaviour').setHeading();
    new Setting(containerEl)
      .setName('Upload on paste and drop')
      .setDesc(
        'Off keeps Obsidian’s default. Hold Alt while dropping, or use "Paste without uploading", to skip once.',
      )
      .addToggle((toggle) =>
        toggle.setValue(settings.uploadOnPaste).onChange((value) => save('uploadOnPaste', value)),
      );
    new Setting(containerEl)
      .setName('Which files to upload')
      .setDesc('Other files are saved in the vault as usual.')
      .addDropdown((dropdown) =>
        dropdown
          .addOptions(KIND_LABELS)
          .setValue(settings.uploadKinds)
          .onChange((value) => save('uploadKinds', value as UploadKinds)),
      );
    const maxSize = new Setting(containerEl)
      .setName('Max size (MiB)')
      .setDesc('Larger files are saved in the vault instead. 0 means no limit.');
    maxSize.addText((text) =>
      text
        .setPlaceholder('0')
        .setValue(String(settings.maxSizeMb))
        .onChange(async (value) => {
          const size = Number(value.trim() || '0');
          if (!Number.isFinite(size) || size < 0) {
            maxSize.setDesc(`"${value}" is not a size: write a number of MiB, e.g. 25, or 0 for no limit.`);
            return;
          }
          maxSize.setDesc('Larger files are saved in the vault instead. 0 means no limit.');
          await save('maxSizeMb', size);
        }),
    );
    new Setting(containerEl)
      .setName(SETTING.keepLocal)
      .setDesc(
        'A pasted or dropped file is saved in the vault first, then uploaded. Once the upload is verified, keep that copy (and the files "Upload local attachments" uploaded)? Off: they go to the trash, unless another note links them.',
      )
      .addToggle((toggle) =>
        toggle.setValue(settings.keepLocalCopies).onChange((value) => save('keepLocalCopies', value)),
      );
    new Setting(containerEl)
      .setName(SETTING.keepMetadata)
      .setDesc(
        "Off (recommended): a photo's location, camera and other EXIF, XMP and IPTC metadata are removed before upload, without touching its pixels; the orientation and colour profile stay. On: images are uploaded exactly as they are, so this device does not convert them either (its encoder would drop the metadata).",
      )
      .addToggle((toggle) =>
        toggle.setValue(settings.keepMetadata).onChange((value) => save('keepMetadata', value)),
      );
    this.conversionChecked = displayConversion(containerEl, settings, save);
  }

  #displayS3(
    save: <K extends keyof BytedropSettings>(
      key: K,
      value: BytedropSettings[K],
      redraw?: boolean,
    ) => Promise<void>,
  ): void {
    const { containerEl } = this;
    const settings = this.#host.settings;
    const preset = PROVIDERS[settings.provider];
    new Setting(containerEl).setName('S3 bucket').setHeading();
    new Setting(containerEl)
      .setName('Provider')
      .setDesc('Applies the provider’s known quirks (region, addressing, checksums).')
      .addDropdown((dropdown) =>
        dropdown
          .addOptions(Object.fromEntries(PROVIDER_NAMES.map((name) => [name, PROVIDERS[name].label])))
          .setValue(settings.provider)
          .onChange((value) => save('provider', value as ProviderName, true)),
      );
    this.#text(
      'Endpoint',
      'The S3 API address, with https://.',
      'endpoint',
      preset.endpointExample ?? '',
      save,
    );
    this.#text(
      'Region',
      'Leave empty for the provider’s default.',
      'region',
      defaultRegion(settings.provider, settings.endpoint || undefined),
      save,
    );
    this.#text('Bucket', '', 'bucket', 'my-notes', save);
    this.#text('Access key ID', '', 'accessKeyId', '', save);
    new Setting(containerEl)
      .setName('Secret access key')
      .setDesc('Kept in Obsidian’s keychain, never in the plugin’s data file.')
      .addComponent((el) =>
        new SecretComponent(this.app, el)
          .setValue(settings.secretKeyName)
          .onChange((value) => save('secretKeyName', value)),
      );
    this.#text(
      'Public base URL',
      'Where uploads are served from (custom domain, CDN, r2.dev). Empty uses the bucket’s own URL.',
      'publicBaseUrl',
      'https://cdn.example.com',
      save,
    );
    new Setting(containerEl)
      .setName('Path-style addressing')
      .setDesc('Self-hosted servers often need path style; the provider preset knows the usual choice.')
      .addDropdown((dropdown) =>
        dropdown
          .addOptions({
            auto: `Provider default (${preset.forcePathStyle ? 'path' : 'virtual host'})`,
            path: 'Path style',
            virtual: 'Virtual host',
          })
          .setValue(settings.pathStyle)
          .onChange((value) => save('pathStyle', value as PathStyle)),
      );
  }

  #displayServer(
    save: <K extends keyof BytedropSettings>(
      key: K,
      value: BytedropSettings[K],
      redraw?: boolean,
    ) => Promise<void>,
  ): void {
    const { containerEl } = this;
    const settings = this.#host.settings;
    new Setting(containerEl).setName('Bytedrop server').setHeading();
    this.#text(
      'Server URL',
      'The address of your Bytedrop server.',
      'serverUrl',
      'https://drop.example.com',
      save,
    );
    new Setting(containerEl)
      .setName('Server access key')
      .setDesc('Kept in Obsidian’s keychain, never in the plugin’s data file.')
      .addComponent((el) =>
        new SecretComponent(this.app, el)
          .setValue(settings.serverKeyName)
          .onChange((value) => save('serverKeyName', value)),
      );
    displayTusSettings(containerEl, settings, save);
  }

  #text(
    name: string,
    desc: string,
    key: TextKey,
    placeholder: string,
    save: (key: TextKey, value: string) => Promise<void>,
  ): void {
    const setting = new Setting(this.containerEl).setName(name);
    if (desc) setting.setDesc(desc);
    setting.addText((text) =>
      text
        .setPlaceholder(placeholder)
        .setValue(this.#host.settings[key])
        .onChange((value) => save(key, value)),
    );
  }
}
