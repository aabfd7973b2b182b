/**
 * Which files the "Which files to upload" setting lets through. Before the upload, by declared type or else by
 * extension (a paste must be taken or left synchronously); during it, core checks the sniffed type against the same
 * patterns (`allowedTypes`), so a renamed file is kept locally instead of uploaded.
 */
import { typeMatches } from '@bytedrop/core';
import type { UploadKinds } from './settings';

/** The media types each choice uploads; `undefined` is every type. */
export const KIND_TYPES: Readonly<Record<UploadKinds, readonly string[] | undefined>> = {
  images: ['image/*'],
  'images-pdf': ['image/*', 'application/pdf'],
  any: undefined,
};

/** Each choice as the settings tab shows it. */
export const KIND_LABELS: Readonly<Record<UploadKinds, string>> = {
  images: 'Images',
  'images-pdf': 'Images and PDFs',
  any: 'Any file',
};

// Only what the choices name: files without a declared type (vault files, some drops) are judged by these.
const TYPE_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
  bmp: 'image/bmp',
  ico: 'image/vnd.microsoft.icon',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
};

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function isUploadable(file: { name: string; type?: string }, kinds: UploadKinds): boolean {
  const patterns = KIND_TYPES[kinds];
  if (patterns === undefined) return true;
  const byName = TYPE_BY_EXTENSION[extensionOf(file.name)] ?? '';
  return typeMatches(file.type ?? '', patterns) || typeMatches(byName, patterns);
}
