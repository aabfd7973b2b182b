/**
 * Builds the uploader of the configured target from settings plus the secret. The secret comes from SecretStorage
 * (the OS keychain), else from the extension host's environment; never from settings. A missing setting fails with
 * `ERR_CONFIG` in the Settings editor's words (the paste itself never gets this far: see setup.ts).
 */
import {
  type BytedropConfigInput,
  BytedropError,
  type BytedropUploader,
  createServerUploader,
  createUploader,
  type Uploader,
} from '@bytedrop/core';
import type * as vscode from 'vscode';
import type { Secrets } from './secrets';
import { type BytedropSettings, readSettings } from './settings';
import { setupProblem } from './setup';
import { tusOptions } from './tus-settings';

/**
 * The raw S3 config of a scope with its secret filled in, for `createUploader` and the doctor.
 *
 * @example
 * ```ts
 * const report = await runDoctor(await s3Input(readSettings(uri), secrets));
 * ```
 */
export async function s3Input(settings: BytedropSettings, secrets: Secrets): Promise<BytedropConfigInput> {
  const secretAccessKey = await secrets.current('s3');
  // Cast: an unset bucket reaches core, whose ERR_CONFIG says which setting to fill in.
  return { ...settings.s3, ...(secretAccessKey ? { secretAccessKey } : {}) } as BytedropConfigInput;
}

/**
 * The uploader for the document at `scope`: S3 with the user's keys, or a Bytedrop server.
 *
 * @example
 * ```ts
 * const uploader = await createTargetUploader(document.uri, secrets);
 * await uploader.upload(bytes, { filename: 'shot.png' });
 * ```
 */
export async function createTargetUploader(scope: vscode.Uri, secrets: Secrets): Promise<Uploader> {
  await Promise.all([secrets.current('s3'), secrets.current('server')]);
  const problem = setupProblem(scope, secrets);
  if (problem) throw new BytedropError('ERR_CONFIG', problem.message.replace(/\.$/, ''));
  const settings = readSettings(scope);
  if (settings.target === 'server') {
    const { maxFileSize } = settings.s3;
    return createServerUploader({
      url: settings.serverUrl as string,
      accessKey: (await secrets.current('server')) as string,
      // bytedrop.maxFileSizeMB applies to every target: a larger file stays in the workspace instead of being sent.
      ...(typeof maxFileSize === 'number' ? { maxFileSize } : {}),
      // The server strips by default too; it is asked to keep the metadata when the user wants it kept.
      ...(settings.keepImageMetadata ? { keepMetadata: true } : {}),
      ...tusOptions(settings.tus),
    });
  }
  return createUploader(await s3Input(settings, secrets));
}

/**
 * The S3 uploader of a scope (with its store, to delete, presign or name keys), or undefined for a Bytedrop server
 * target or when S3 is not set up.
 *
 * @example
 * ```ts
 * const s3 = await s3Target(document.uri, secrets);
 * await s3?.store.delete('2026/11/22/shot-1a2b.png');
 * ```
 */
export async function s3Target(scope: vscode.Uri, secrets: Secrets): Promise<BytedropUploader | undefined> {
  if (readSettings(scope).target !== 's3') return undefined;
  const uploader = await createTargetUploader(scope, secrets).catch(() => undefined);
  return uploader && 'store' in uploader ? (uploader as BytedropUploader) : undefined;
}

/**
 * The public base URL of an S3 uploader's objects, ending in `/`.
 *
 * @example
 * ```ts
 * publicBase(uploader); // 'https://cdn.example.com/'
 * ```
 */
export function publicBase(uploader: BytedropUploader): string {
  return uploader.store.publicUrl('');
}
