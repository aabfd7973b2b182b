/**
 * Reads the `bytedrop.*` settings of a document's scope. Only the listed keys are read: a secret pasted into
 * settings.json is never looked at.
 */
import type { BytedropConfigInput, LinkFormat, ProviderName } from '@bytedrop/core';
import * as vscode from 'vscode';
import type { TusSettings } from './tus-settings';

/** The settings one upload needs. */
export interface BytedropSettings {
  target: 's3' | 'server';
  /** Raw S3 settings for core's `parseConfig` (empty strings dropped), without the secret. */
  s3: Partial<BytedropConfigInput>;
  serverUrl?: string;
  /** The server target's resumable-upload sizes as set (`tus-settings.ts` checks them). */
  tus: TusSettings;
  linkFormat: LinkFormat;
  linkTemplate: string;
  languages: string[];
  /** Keep the file written into the workspace once it is uploaded (`bytedrop.keepLocalCopy`). */
  keepLocalCopy: boolean;
  /** Upload images with their EXIF, GPS and other metadata (`bytedrop.keepImageMetadata`); stripped by default. */
  keepImageMetadata: boolean;
  /** A 144 DPI image (a Retina screenshot) gets half its pixels as its size in links (`bytedrop.retinaAtScreenSize`). */
  retinaAtScreenSize: boolean;
}

/** A trimmed non-empty string, or undefined: VS Code's empty-string defaults mean "not set". */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Reads the settings that apply to `scope` (a document's URI, so folder settings win in multi-root workspaces).
 *
 * @example
 * ```ts
 * const settings = readSettings(document.uri);
 * if (settings.target === 'server') createServerUploader({ url: settings.serverUrl!, accessKey });
 * ```
 */
export function readSettings(scope?: vscode.Uri): BytedropSettings {
  const config = vscode.workspace.getConfiguration('bytedrop', scope);
  const provider = text(config.get('provider'));
  const maxFileSizeMB = config.get<number>('maxFileSizeMB') ?? 0;
  // A dropdown ('default' | 'true' | 'false') so the Settings editor can set it; older settings hold a boolean.
  const pathStyle = String(config.get('forcePathStyle'));
  const forcePathStyle = pathStyle === 'true' ? true : pathStyle === 'false' ? false : undefined;
  const s3: Partial<BytedropConfigInput> = {
    // Cast: core's check names a provider that is not one (a hand-edited settings.json).
    provider: provider === 'auto' ? undefined : (provider as ProviderName | undefined),
    endpoint: text(config.get('endpoint')),
    region: text(config.get('region')),
    bucket: text(config.get('bucket')),
    accessKeyId: text(config.get('accessKeyId')),
    publicBaseUrl: text(config.get('publicBaseUrl')),
    forcePathStyle,
    keyTemplate: text(config.get('keyTemplate')),
    maxFileSize: maxFileSizeMB > 0 ? Math.round(maxFileSizeMB * 1024 * 1024) : undefined,
    stripMetadata: config.get<boolean>('keepImageMetadata') === true ? false : undefined,
  };
  const serverUrl = text(config.get('serverUrl'));
  return {
    target: config.get('target') === 'server' ? 'server' : 's3',
    s3: Object.fromEntries(Object.entries(s3).filter(([, value]) => value !== undefined)),
    ...(serverUrl ? { serverUrl } : {}),
    tus: { thresholdMB: config.get('tusThresholdMB'), chunkSizeMB: config.get('tusChunkSizeMB') },
    linkFormat: config.get<LinkFormat>('linkFormat') ?? 'markdown',
    linkTemplate: config.get<string>('linkTemplate') ?? '![{alt}]({url})',
    languages: config.get<string[]>('languages') ?? ['markdown'],
    keepLocalCopy: config.get<boolean>('keepLocalCopy') !== false,
    keepImageMetadata: config.get<boolean>('keepImageMetadata') === true,
    retinaAtScreenSize: config.get<boolean>('retinaAtScreenSize') !== false,
  };
}
