/**
 * Core's errors in Obsidian's words. Core words its messages for every host (config keys, environment variables,
 * the CLI's `bytedrop doctor`); an Obsidian user knows the settings tab, the command palette and buttons. The error
 * keeps its `code` (logged with it); the user reads what failed, by the names they see, and how to fix it.
 */
import { isBytedropError } from '@bytedrop/core';
import { listOf, SETTING } from './setting-names';
import type { BytedropSettings, SecretReader } from './settings';
import { missingSettings } from './setup';

/** What a notice can offer besides its text: a button that fixes what it names. */
export type NoticeAction = 'open-settings' | 'retry';

/** A message for the user and the buttons that fix what it names. */
export interface Worded {
  message: string;
  actions: NoticeAction[];
}

/** Core's config fields and the settings that hold them. */
const FIELDS: Readonly<Record<string, string>> = {
  provider: SETTING.provider,
  endpoint: SETTING.endpoint,
  region: SETTING.region,
  bucket: SETTING.bucket,
  accessKeyId: SETTING.accessKeyId,
  secretAccessKey: SETTING.secretKey,
  publicBaseUrl: SETTING.publicBaseUrl,
  forcePathStyle: SETTING.pathStyle,
  keyTemplate: SETTING.keyTemplate,
  maxFileSize: SETTING.maxSize,
  url: SETTING.serverUrl,
  accessKey: SETTING.serverKey,
};

/**
 * A core message with its config field names turned into the settings tab's names, and its environment variables
 * and CLI hints dropped.
 *
 * @example
 * ```ts
 * inObsidianTerms("endpoint '127.0.0.1:9000' has no scheme: write 'http://127.0.0.1:9000'");
 * // "Endpoint '127.0.0.1:9000' has no scheme: write 'http://127.0.0.1:9000'"
 * ```
 */
export function inObsidianTerms(message: string): string {
  return (
    message
      // "(or BYTEDROP_BUCKET)", "(BYTEDROP_ACCESS_KEY_ID and BYTEDROP_SECRET_ACCESS_KEY)", "(S3_BUCKET / BYTEDROP_BUCKET)"
      .replace(/\s*\((?:or )?[A-Z][A-Z0-9_]{3,}(?:\s*(?:and|\/)\s*[A-Z][A-Z0-9_]{3,})*\)/g, '')
      .replace(/,? or neither to use the default AWS credential chain/g, '')
      .replace(/`bytedrop [a-z]+[^`]*`/g, '"Test connection" in Bytedrop’s settings')
      // A quoted field anywhere, a bare one where a problem starts ("endpoint '…' has no scheme", "keyTemplate: …").
      .replace(/'(\w+)'/g, (whole, word: string) => FIELDS[word] ?? whole)
      // A camelCase field is a config key wherever it stands ("set publicBaseUrl to …").
      .replace(/\b[a-z]+(?:[A-Z][a-z]*)+\b/g, (word) => FIELDS[word] ?? word)
      .replace(/(^|; )(\w+)(?=[ :])/g, (whole, before: string, word: string) =>
        FIELDS[word] ? `${before}${FIELDS[word]}` : whole,
      )
  );
}

/** Where uploads go, as the user set it. */
function target(settings: BytedropSettings): string {
  if (settings.target === 'server') return `the Bytedrop server at ${settings.serverUrl.trim()}`;
  const endpoint = settings.endpoint.trim();
  return `the bucket '${settings.bucket.trim()}'${endpoint ? ` at ${endpoint}` : ''}`;
}

/**
 * What to tell the user about a failure, with the buttons that fix it.
 *
 * @example
 * ```ts
 * const { message, actions } = wordError(error, plugin.settings, app.secretStorage);
 * notify(plugin, `Bytedrop: could not upload "shot.png": ${message}.`, actions);
 * ```
 */
export function wordError(failure: unknown, settings: BytedropSettings, secrets: SecretReader): Worded {
  // Core's uploads fail with its errors only; anything else (the vault refusing a file) says what it is already.
  if (!isBytedropError(failure)) {
    return { message: failure instanceof Error ? failure.message : String(failure), actions: [] };
  }
  const error = failure;
  const server = settings.target === 'server';
  const where = target(settings);
  const said = (message: string, ...actions: NoticeAction[]): Worded => ({ message, actions });
  switch (error.code) {
    case 'ERR_CONFIG':
    case 'ERR_TEMPLATE': {
      const missing = missingSettings(settings, secrets);
      return missing.length > 0
        ? said(`fill in ${listOf(missing)} in Bytedrop’s settings`, 'open-settings')
        : said(inObsidianTerms(error.message), 'open-settings');
    }
    case 'ERR_AUTH':
      return server
        ? said(
            `${where} refused the access key: check the secret picked under ${SETTING.serverKey}`,
            'open-settings',
          )
        : said(
            `${where} refused the keys${error.s3Code ? ` (${error.s3Code})` : ''}: check ${SETTING.accessKeyId} and the secret picked under ${SETTING.secretKey}`,
            'open-settings',
          );
    case 'ERR_FORBIDDEN':
      return server
        ? said(`${where} does not let this access key upload: ask the server’s admin`)
        : said(
            `the keys may not write to ${where}: allow them s3:PutObject and s3:GetObject on it at your provider`,
          );
    case 'ERR_BUCKET_NOT_FOUND':
      return said(
        `there is no bucket '${settings.bucket.trim()}' at ${settings.endpoint.trim() || 'Amazon S3'}: check ${SETTING.bucket} and ${SETTING.endpoint}`,
        'open-settings',
      );
    case 'ERR_NETWORK':
      return said(
        `could not reach ${server ? settings.serverUrl.trim() : settings.endpoint.trim() || 'Amazon S3'}: check your connection and ${server ? SETTING.serverUrl : SETTING.endpoint}`,
        'open-settings',
      );
    case 'ERR_TIMEOUT':
      return said(`${where} stopped answering: the connection or the provider stalled; try again`);
    case 'ERR_THROTTLED':
      return said(`${where} is limiting requests: try again in a moment`);
    case 'ERR_CLOCK_SKEW':
      return said(
        `this device’s clock is off, so ${where} refused the request: set the clock right and try again`,
      );
    case 'ERR_TOO_LARGE':
      return settings.maxSizeMb > 0
        ? said(`the file is larger than ${SETTING.maxSize} (${settings.maxSizeMb})`, 'open-settings')
        : said(`${where} refused the file as too large`);
    case 'ERR_UNSUPPORTED_TYPE': {
      const sniffed = /is ([\w.+-]+\/[\w.+-]+) \(sniffed\)/.exec(error.message)?.[1];
      return sniffed
        ? said(
            `its content is ${sniffed}, which the “${SETTING.uploadKinds}” setting leaves out`,
            'open-settings',
          )
        : said(`${where} does not accept this type of file`);
    }
    case 'ERR_QUOTA':
      return said(
        `${where} says this access key’s storage quota is used up: delete files you no longer need, or ask the server’s admin for a larger quota`,
      );
    case 'ERR_SCOPE':
      return said(
        `${where} does not let this access key upload: ask the server’s admin for a key with the upload scope, and pick it in ${SETTING.serverKey}`,
        'open-settings',
      );
    case 'ERR_IMAGE':
      return server
        ? said(`${where} cannot convert images: set ${SETTING.convertImages} to Off`, 'open-settings')
        : said(`the image could not be converted: set ${SETTING.convertImages} to Off`, 'open-settings');
    case 'ERR_CONFLICT':
      return said(
        `every key ${SETTING.keyTemplate} gives this file already holds another file: add {hash} to ${SETTING.keyTemplate}`,
        'open-settings',
      );
    case 'ERR_CHECKSUM':
    case 'ERR_NOT_FOUND':
      return said(`${where} does not hold the file as it was sent: try again`);
    case 'ERR_INPUT':
      return said('the file changed or could not be read while it was uploaded: try again');
    case 'ERR_FILENAME':
      return said(inObsidianTerms(error.message));
    case 'ERR_ABORTED':
      return said('the upload was cancelled');
    default:
      return said(
        `${where} failed${error.status ? ` (HTTP ${error.status}${error.s3Code ? ` ${error.s3Code}` : ''})` : ''}: try again later, or use "Test connection" in Bytedrop’s settings`,
        'open-settings',
      );
  }
}
