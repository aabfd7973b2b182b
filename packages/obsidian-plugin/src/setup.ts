/**
 * Whether Bytedrop is set up, judged synchronously (a paste handler must decide before it returns): an install that
 * is not never takes a paste or drop, so Obsidian's own paste happens, and it says once what to fill in.
 */
import { PROVIDERS } from '@bytedrop/core';
import { SETTING } from './setting-names';
import type { BytedropSettings, SecretReader } from './settings';

/** The settings an upload needs that are empty, by the names the settings tab shows, all at once. */
export function missingSettings(settings: BytedropSettings, secrets: SecretReader): string[] {
  const secret = (name: string) => (name ? (secrets.getSecret(name) ?? '') : '');
  if (settings.target === 'server') {
    return [
      ...(settings.serverUrl.trim() ? [] : [SETTING.serverUrl]),
      ...(secret(settings.serverKeyName) ? [] : [SETTING.serverKey]),
    ];
  }
  // Obsidian has no AWS credential chain to fall back on: both keys are needed, whatever the provider.
  return [
    ...(settings.endpoint.trim() || !PROVIDERS[settings.provider].requiresEndpoint ? [] : [SETTING.endpoint]),
    ...(settings.bucket.trim() ? [] : [SETTING.bucket]),
    ...(settings.accessKeyId.trim() ? [] : [SETTING.accessKeyId]),
    ...(secret(settings.secretKeyName) ? [] : [SETTING.secretKey]),
  ];
}
