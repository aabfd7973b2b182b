/**
 * The names the settings tab shows, in one place: messages name settings exactly as the user sees them there, and
 * a renamed setting cannot leave a message pointing at a name that no longer exists.
 */
export const SETTING = {
  target: 'Upload to',
  provider: 'Provider',
  endpoint: 'Endpoint',
  region: 'Region',
  bucket: 'Bucket',
  accessKeyId: 'Access key ID',
  secretKey: 'Secret access key',
  publicBaseUrl: 'Public base URL',
  pathStyle: 'Path-style addressing',
  serverUrl: 'Server URL',
  serverKey: 'Server access key',
  tusThreshold: 'Resumable uploads above (MiB)',
  tusChunk: 'Resumable chunk size (MiB)',
  keyTemplate: 'Key template',
  linkFormat: 'Link format',
  customLink: 'Custom link',
  imageWidthInLinks: 'Image width in links',
  retinaAtScreenSize: 'Retina images at screen size',
  uploadOnPaste: 'Upload on paste and drop',
  uploadKinds: 'Which files to upload',
  maxSize: 'Max size (MiB)',
  keepLocal: 'Keep local copies',
  keepMetadata: 'Keep image metadata',
  convertImages: 'Convert images',
  convertQuality: 'Conversion quality',
  convertMaxSide: 'Longest side (px)',
} as const;

/** `A`, `A and B`, `A, B and C`. */
export function listOf(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
