/**
 * What a Bytedrop server answers an upload with (`{ success, msg, code, files: [...] }`), read defensively: a field
 * that is not well-formed is left out, never trusted.
 */
import type { ErrorCode } from './errors';
import type { ConversionSkipped } from './image-encoder';
import type { MetadataKept, MetadataKind } from './images';
import type { ImageFacts } from './types';

/** One stored file as the server describes it. */
export interface ServerFile {
  url?: unknown;
  key?: unknown;
  size?: unknown;
  hash?: unknown;
  contentType?: unknown;
  deduplicated?: unknown;
  filename?: unknown;
  deleteUrl?: unknown;
  stripped?: unknown;
  metadataKept?: unknown;
  width?: unknown;
  height?: unknown;
  pixelRatio?: unknown;
  converted?: { from?: unknown; size?: unknown };
  conversionSkipped?: unknown;
}

/** The whole answer. */
export interface ServerResponse {
  success?: unknown;
  msg?: unknown;
  code?: unknown;
  url?: unknown;
  files?: ServerFile[];
}

/** When a server sends no (known) code, the HTTP status decides. */
export const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'ERR_INPUT',
  401: 'ERR_AUTH',
  403: 'ERR_FORBIDDEN',
  404: 'ERR_CONFIG',
  413: 'ERR_TOO_LARGE',
  415: 'ERR_UNSUPPORTED_TYPE',
  422: 'ERR_IMAGE',
};

export const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

export const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;

/** The image fields of a server's answer, those that are well-formed. */
export function imageFactsOf(file: ServerFile): ImageFacts {
  const facts: ImageFacts = {};
  if (Array.isArray(file.stripped))
    facts.stripped = file.stripped.filter((kind): kind is MetadataKind => typeof kind === 'string');
  if (typeof file.metadataKept === 'string') facts.metadataKept = file.metadataKept as MetadataKept;
  const width = count(file.width);
  const height = count(file.height);
  const ratio = count(file.pixelRatio);
  if (width !== undefined && height !== undefined) Object.assign(facts, { width, height });
  if (ratio !== undefined) facts.pixelRatio = ratio;
  const from = text(file.converted?.from);
  const before = count(file.converted?.size);
  if (from !== undefined && before !== undefined) facts.converted = { from, size: before };
  if (typeof file.conversionSkipped === 'string')
    facts.conversionSkipped = file.conversionSkipped as ConversionSkipped;
  return facts;
}
