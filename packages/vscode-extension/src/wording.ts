/**
 * Core's errors in VS Code's words. Core words its messages for every host (config keys, environment variables,
 * CLI flags); a VS Code user knows Settings editor names, commands and buttons. The code is kept at the end of each
 * message, so a report or a search still finds the cause.
 */
import { type BytedropError, toBytedropError } from '@bytedrop/core';
import { settingName } from './setting-names';
import type { BytedropSettings } from './settings';

/** The buttons a message may carry: each one fixes the problem it names. */
export const OPEN_SETTINGS = 'Open Bytedrop settings';
export const SET_SECRET = 'Set secret access key';
export const SET_SERVER_KEY = 'Set server access key';

/** A message for the user and the buttons that fix what it names. */
export interface Worded {
  message: string;
  actions: string[];
}

/** Core's config field names and the settings that hold them. */
const FIELDS: Record<string, string> = {
  bucket: 'bytedrop.bucket',
  endpoint: 'bytedrop.endpoint',
  region: 'bytedrop.region',
  accessKeyId: 'bytedrop.accessKeyId',
  publicBaseUrl: 'bytedrop.publicBaseUrl',
  provider: 'bytedrop.provider',
  keyTemplate: 'bytedrop.keyTemplate',
  forcePathStyle: 'bytedrop.forcePathStyle',
  maxFileSize: 'bytedrop.maxFileSizeMB',
  url: 'bytedrop.serverUrl',
};

/**
 * A core message with its config field names turned into setting names and its environment variables and CLI
 * hints dropped.
 *
 * @example
 * ```ts
 * inVsCodeTerms("bucket is missing: set 'bucket' (or BYTEDROP_BUCKET) to your bucket's name");
 * // "Bytedrop: Bucket is missing: set Bytedrop: Bucket to your bucket's name"
 * ```
 */
export function inVsCodeTerms(message: string): string {
  const named = (word: string) => (FIELDS[word] ? settingName(FIELDS[word]) : undefined);
  return (
    message
      // "(or BYTEDROP_BUCKET)", "(BYTEDROP_ACCESS_KEY_ID and BYTEDROP_SECRET_ACCESS_KEY)", "(S3_BUCKET / BYTEDROP_BUCKET)"
      .replace(/\s*\((?:or )?[A-Z][A-Z0-9_]{3,}(?:(?: and | \/ |, )[A-Z][A-Z0-9_]{3,})*\)/g, '')
      .replace(/,? or neither to use the default AWS credential chain/g, '')
      .replace(/`bytedrop [a-z]+[^`]*`/g, 'Bytedrop: Test connection')
      // A quoted field anywhere, a bare one where a problem starts ("bucket is missing", "keyTemplate: …").
      .replace(/'(\w+)'/g, (whole, word: string) => named(word) ?? whole)
      .replace(/(^|; )(\w+)(?=[ :])/g, (whole, before: string, word: string) => {
        const name = named(word);
        return name ? `${before}${name}` : whole;
      })
  );
}

const MB = 1024 * 1024;

/**
 * What to tell the user about a failed upload, with the buttons that fix it.
 *
 * @example
 * ```ts
 * const { message, actions } = word(error, readSettings(document));
 * void vscode.window.showErrorMessage(`Bytedrop: could not upload shot.png: ${message}`, ...actions);
 * ```
 */
export function word(failure: unknown, settings: BytedropSettings): Worded {
  const error: BytedropError = toBytedropError(failure);
  const server = settings.target === 'server';
  const where = server
    ? `the Bytedrop server at ${settings.serverUrl ?? '(no URL)'}`
    : `${String(settings.s3.endpoint ?? 'AWS S3')}`;
  const said = (text: string, ...actions: string[]): Worded => ({
    message: `${text} (${error.code})`,
    actions,
  });
  switch (error.code) {
    case 'ERR_CONFIG':
    case 'ERR_TEMPLATE':
      return said(inVsCodeTerms(error.message), OPEN_SETTINGS);
    case 'ERR_AUTH':
      return server
        ? said(`${where} refused the access key: set the right one`, SET_SERVER_KEY)
        : said(
            `${where} refused the keys${error.s3Code ? ` (${error.s3Code})` : ''}: check ${settingName('bytedrop.accessKeyId')} and set the secret access key again`,
            SET_SECRET,
            OPEN_SETTINGS,
          );
    case 'ERR_FORBIDDEN':
      return said(
        server
          ? `${where} does not let this access key upload: ask its admin`
          : `the keys may not write to the bucket '${String(settings.s3.bucket)}': give them write access, or check ${settingName('bytedrop.bucket')}`,
        ...(server ? [] : [OPEN_SETTINGS]),
      );
    case 'ERR_BUCKET_NOT_FOUND':
      return said(
        `there is no bucket '${String(settings.s3.bucket)}' at ${where}: check ${settingName('bytedrop.bucket')} and ${settingName('bytedrop.endpoint')}`,
        OPEN_SETTINGS,
      );
    case 'ERR_NETWORK':
      return said(
        `cannot reach ${where}: check the connection and ${settingName(server ? 'bytedrop.serverUrl' : 'bytedrop.endpoint')}`,
        OPEN_SETTINGS,
      );
    case 'ERR_TIMEOUT':
      return said(`${where} did not answer in time: retry when the connection is better`);
    case 'ERR_THROTTLED':
      return said(`${where} is limiting requests: retry in a moment`);
    case 'ERR_CLOCK_SKEW':
      return said(`this computer's clock is too far from ${where}'s: set the clock right, then retry`);
    case 'ERR_TOO_LARGE': {
      const limit = Number(settings.s3.maxFileSize ?? 0) / MB;
      return said(
        limit > 0
          ? `the file is larger than ${settingName('bytedrop.maxFileSizeMB')} (${limit} MB): raise it to upload the file`
          : `${where} refused the file as too large`,
        ...(limit > 0 ? [OPEN_SETTINGS] : []),
      );
    }
    case 'ERR_UNSUPPORTED_TYPE':
      return said(`${where} does not accept this type of file`);
    case 'ERR_QUOTA':
      return said(
        `${where} says this access key's storage quota is used up: delete files you no longer need, or ask the server's admin for a larger quota`,
      );
    case 'ERR_SCOPE':
      return said(
        `${where} does not let this access key upload: ask the server's admin for a key with the upload scope`,
        OPEN_SETTINGS,
      );
    case 'ERR_CONFLICT':
      return said(
        `every key ${settingName('bytedrop.keyTemplate')} gives for the file holds another file: add {hash} or {uuid} to it`,
        OPEN_SETTINGS,
      );
    case 'ERR_CHECKSUM':
    case 'ERR_NOT_FOUND':
      return said('the bucket does not hold the file as it was sent: retry the upload');
    case 'ERR_INPUT':
      return said('the file changed or could not be read while it was uploaded: retry once it is complete');
    case 'ERR_FILENAME':
      return said(`the file's name cannot be used: ${inVsCodeTerms(error.message)}`);
    case 'ERR_ABORTED':
      return said('cancelled');
    default:
      return said(`${where} failed: ${inVsCodeTerms(error.message)}`);
  }
}
