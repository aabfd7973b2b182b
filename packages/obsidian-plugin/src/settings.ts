/**
 * The plugin's settings as saved in data.json, and how they become a core config.
 * Secrets are never here: data.json holds only the *names* of secrets in Obsidian's SecretStorage
 * (it syncs with the vault; the keychain does not).
 */
import type { BytedropConfigInput, LinkFormat, ProviderName } from '@bytedrop/core';
import { DEFAULT_KEY_TEMPLATE, PROVIDER_NAMES, TUS_SIZE_RANGES } from '@bytedrop/core';

/** Where uploads go. */
export type TargetKind = 's3' | 'server';
/** Which pasted or dropped files are uploaded; the others keep Obsidian's default behaviour. */
export type UploadKinds = 'images' | 'images-pdf' | 'any';
/** Path-style addressing: the provider preset's default, or forced either way. */
export type PathStyle = 'auto' | 'path' | 'virtual';
/** Image conversion before upload: off, or the format images are converted to. */
export type ConvertImages = 'off' | 'webp' | 'avif';
/** Link formats offered in the plugin ('url' alone is no embed, so it is not offered). */
export type NoteLinkFormat = Extract<LinkFormat, 'markdown' | 'html' | 'custom'>;

export interface BytedropSettings {
  target: TargetKind;
  provider: ProviderName;
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  /** Name of the SecretStorage entry that holds the S3 secret access key. */
  secretKeyName: string;
  publicBaseUrl: string;
  pathStyle: PathStyle;
  keyTemplate: string;
  serverUrl: string;
  /** Name of the SecretStorage entry that holds the Bytedrop server's access key. */
  serverKeyName: string;
  /** Server target: files larger than this many MiB go through the server's tus endpoint (`settings-tus.ts`). */
  tusThresholdMb: number;
  /** Server target: MiB per tus request. */
  tusChunkMb: number;
  linkFormat: NoteLinkFormat;
  customLinkTemplate: string;
  /** Write an uploaded image's width into a Markdown link (`![alt|640](url)`). Off by default. */
  imageWidthInLinks: boolean;
  /** A 144 DPI image (Retina screenshot) gets half its pixels as its size in links. On by default. */
  retinaAtScreenSize: boolean;
  uploadKinds: UploadKinds;
  /** Largest file uploaded, in MiB; 0 means no limit. */
  maxSizeMb: number;
  /** Upload on paste and drop; off leaves Obsidian's default (the commands still work). */
  uploadOnPaste: boolean;
  /**
   * Keep the vault's copy of a file once its upload is verified: the copy written at paste or drop, and the files
   * "Upload local attachments" uploaded. Off, they go to Obsidian's trash unless another note still links them.
   */
  keepLocalCopies: boolean;
  /**
   * Keep images' location and camera metadata (EXIF, GPS, XMP, IPTC). Off (the default), core strips it losslessly
   * before the upload, and a server target is asked to do the same.
   */
  keepMetadata: boolean;
  /**
   * Convert images before upload (S3: this device's own encoder; server target: the server is asked to). Off by
   * default. Animated images and images that cannot be decoded are uploaded as they are.
   */
  convertImages: ConvertImages;
  /** Quality of the conversion, 1–100. */
  convertQuality: number;
  /** Longest side of converted images in pixels; 0 keeps their size. */
  convertMaxSide: number;
  /** The one-time notice that offers setup to an install that is not set up was shown (not a setting). */
  setupOffered: boolean;
}

export const DEFAULT_SETTINGS: Readonly<BytedropSettings> = Object.freeze({
  target: 's3',
  provider: 'custom',
  endpoint: '',
  region: '',
  bucket: '',
  accessKeyId: '',
  secretKeyName: '',
  publicBaseUrl: '',
  pathStyle: 'auto',
  keyTemplate: DEFAULT_KEY_TEMPLATE,
  serverUrl: '',
  serverKeyName: '',
  tusThresholdMb: TUS_SIZE_RANGES.tusThreshold.default,
  tusChunkMb: TUS_SIZE_RANGES.chunkSize.default,
  linkFormat: 'markdown',
  customLinkTemplate: '![{alt}]({url})',
  imageWidthInLinks: false,
  retinaAtScreenSize: true,
  uploadKinds: 'images',
  maxSizeMb: 0,
  uploadOnPaste: true,
  keepLocalCopies: true,
  keepMetadata: false,
  convertImages: 'off',
  convertQuality: 80,
  convertMaxSide: 0,
  setupOffered: false,
});

const CHOICES: Partial<Record<keyof BytedropSettings, readonly string[]>> = {
  target: ['s3', 'server'],
  provider: PROVIDER_NAMES,
  pathStyle: ['auto', 'path', 'virtual'],
  linkFormat: ['markdown', 'html', 'custom'],
  uploadKinds: ['images', 'images-pdf', 'any'],
  convertImages: ['off', 'webp', 'avif'],
};

/**
 * Reads data.json leniently: known keys of the right type are kept, anything else (an older version's fields,
 * a hand edit gone wrong) falls back to the default, so a bad file never stops the plugin from loading.
 */
export function normalizeSettings(data: unknown): BytedropSettings {
  const input = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  // Before 0.1, deleting was an opt-in for "Upload local attachments" only (`deleteLocalAfterUpload`).
  if (input.keepLocalCopies === undefined && input.deleteLocalAfterUpload === true)
    settings.keepLocalCopies = false;
  for (const [key, fallback] of Object.entries(DEFAULT_SETTINGS)) {
    const value = input[key];
    if (typeof value !== typeof fallback) continue;
    const choices = CHOICES[key as keyof BytedropSettings];
    if (choices && !choices.includes(value as string)) continue;
    if (typeof value === 'number' && (!Number.isFinite(value) || value < 0)) continue;
    settings[key] = value;
  }
  return settings as unknown as BytedropSettings;
}

/** What the settings need from SecretStorage. */
export interface SecretReader {
  getSecret(id: string): string | null;
}

/** The "Max size" setting in bytes, or undefined for no limit (0). */
export function maxFileSizeBytes(settings: BytedropSettings): number | undefined {
  return settings.maxSizeMb > 0 ? Math.round(settings.maxSizeMb * 1024 * 1024) : undefined;
}

/** The raw S3 config for core's `createUploader`/`runDoctor` (they validate it and name any bad field). */
export function s3ConfigInput(settings: BytedropSettings, secrets: SecretReader): BytedropConfigInput {
  const secretAccessKey = settings.secretKeyName ? secrets.getSecret(settings.secretKeyName) : null;
  return {
    provider: settings.provider,
    endpoint: settings.endpoint.trim(),
    region: settings.region.trim(),
    bucket: settings.bucket.trim(),
    accessKeyId: settings.accessKeyId.trim(),
    secretAccessKey: secretAccessKey ?? '',
    publicBaseUrl: settings.publicBaseUrl.trim(),
    keyTemplate: settings.keyTemplate.trim() || DEFAULT_KEY_TEMPLATE,
    ...(settings.pathStyle === 'auto' ? {} : { forcePathStyle: settings.pathStyle === 'path' }),
    maxFileSize: maxFileSizeBytes(settings),
    stripMetadata: !settings.keepMetadata,
  };
}
