/**
 * Builds the uploader of the configured target from settings plus the secret. The secret comes from SecretStorage
 * (the OS keychain), else from the extension host's environment; never from settings.
 */
import {
  type BytedropConfigInput,
  BytedropError,
  createServerUploader,
  createUploader,
  type Uploader,
} from '@bytedrop/core';
import type * as vscode from 'vscode';
import {
  SECRET_ACCESS_KEY,
  SECRET_ACCESS_KEY_ENV,
  SERVER_ACCESS_KEY,
  SERVER_ACCESS_KEY_ENV,
} from './constants';
import { type BytedropSettings, readSettings } from './settings';

/** Where a secret is read from, in order. */
async function secret(
  secrets: vscode.SecretStorage,
  key: string,
  envName: string,
): Promise<string | undefined> {
  const stored = await secrets.get(key);
  if (stored) return stored;
  const fromEnv = process.env[envName];
  return fromEnv && fromEnv.trim() !== '' ? fromEnv.trim() : undefined;
}

/**
 * The raw S3 config of a scope with its secret filled in, for `createUploader` and the doctor.
 *
 * @example
 * ```ts
 * const report = await runDoctor(await s3Input(readSettings(uri), context.secrets));
 * ```
 */
export async function s3Input(
  settings: BytedropSettings,
  secrets: vscode.SecretStorage,
): Promise<BytedropConfigInput> {
  const secretAccessKey = await secret(secrets, SECRET_ACCESS_KEY, SECRET_ACCESS_KEY_ENV);
  if (settings.s3.accessKeyId && !secretAccessKey) {
    throw new BytedropError(
      'ERR_CONFIG',
      `no secret access key for access key id '${String(settings.s3.accessKeyId)}': run 'Bytedrop: Set secret access key' (or set ${SECRET_ACCESS_KEY_ENV} where VS Code's extension host runs)`,
    );
  }
  // Cast: an unset bucket reaches core, whose ERR_CONFIG says which setting to fill in.
  return { ...settings.s3, ...(secretAccessKey ? { secretAccessKey } : {}) } as BytedropConfigInput;
}

/**
 * The uploader for the document at `scope`: S3 with the user's keys, or a Bytedrop server.
 * Throws `ERR_CONFIG` naming the missing setting or secret and how to set it.
 *
 * @example
 * ```ts
 * const uploader = await createTargetUploader(document.uri, context.secrets);
 * await uploader.upload(bytes, { filename: 'shot.png' });
 * ```
 */
export async function createTargetUploader(
  scope: vscode.Uri,
  secrets: vscode.SecretStorage,
): Promise<Uploader> {
  const settings = readSettings(scope);
  if (settings.target === 'server') {
    if (!settings.serverUrl) {
      throw new BytedropError(
        'ERR_CONFIG',
        "bytedrop.serverUrl is empty: set it to your Bytedrop server's URL",
      );
    }
    const accessKey = await secret(secrets, SERVER_ACCESS_KEY, SERVER_ACCESS_KEY_ENV);
    if (!accessKey) {
      throw new BytedropError(
        'ERR_CONFIG',
        `no server access key: run 'Bytedrop: Set server access key' (or set ${SERVER_ACCESS_KEY_ENV})`,
      );
    }
    const { maxFileSize } = settings.s3;
    return createServerUploader({
      url: settings.serverUrl,
      accessKey,
      // bytedrop.maxFileSizeMB applies to every target: a larger file stays in the workspace instead of being sent.
      ...(typeof maxFileSize === 'number' ? { maxFileSize } : {}),
    });
  }
  return createUploader(await s3Input(settings, secrets));
}
