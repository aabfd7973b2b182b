/** Which files the "Which files to upload" setting lets through (by declared type, else by extension). */
import type { UploadKinds } from './settings';

const IMAGE_EXTENSIONS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'webp',
  'avif',
  'svg',
  'bmp',
  'ico',
  'tif',
  'tiff',
  'heic',
  'heif',
]);

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function isUploadable(file: { name: string; type?: string }, kinds: UploadKinds): boolean {
  if (kinds === 'any') return true;
  const type = file.type?.toLowerCase() ?? '';
  const ext = extensionOf(file.name);
  const image = type.startsWith('image/') || IMAGE_EXTENSIONS.has(ext);
  if (kinds === 'images') return image;
  return image || type === 'application/pdf' || ext === 'pdf';
}
