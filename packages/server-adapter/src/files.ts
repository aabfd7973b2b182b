/**
 * `GET /f/*`: serves the local-disk store. Uploaded bytes are untrusted, so every answer is `nosniff` under a CSP
 * sandbox, and only inert types render inline; everything else (SVG and HTML included) is a download.
 */
import { attachmentDisposition, isBytedropError, isInertType } from '@bytedrop/core';
import type { LocalDiskStore } from '@bytedrop/core/node';
import { fail, StorageFailure } from './response';

/**
 * The reading side of a local store: `createLocalDiskStore` from `@bytedrop/core/node` provides it. A type-only
 * import, so this web-standard module loads no Node code.
 */
export type FileReader = Pick<LocalDiskStore, 'read'>;

const encoder = new TextEncoder();
/** S3's longest key, and the longest file name most filesystems take (NAME_MAX): longer cannot be a stored key. */
const MAX_KEY_BYTES = 1024;
const MAX_SEGMENT_BYTES = 255;

/**
 * The key a `/f/…` path names, or `undefined` when it cannot name a served object: not a plain relative key, too
 * long to exist, or inside the local store's own folders (`.bytedrop-tmp/` uploads being staged,
 * `.bytedrop-partial/` writes in progress, `.bytedrop-meta/`), which are never served.
 */
export function keyFromPath(path: string): string | undefined {
  let key: string;
  try {
    key = path
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/');
  } catch {
    return undefined;
  }
  const segments = key.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return undefined;
  if (/[\0\\]/.test(key)) return undefined;
  if (segments[0]!.startsWith('.bytedrop-')) return undefined;
  if (encoder.encode(key).byteLength > MAX_KEY_BYTES) return undefined;
  if (segments.some((segment) => encoder.encode(segment).byteLength > MAX_SEGMENT_BYTES)) return undefined;
  return key;
}

function parseRange(
  header: string | null,
  size: number,
): { start?: number; end?: number } | 'invalid' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Multiple ranges are allowed to be answered with the whole object (RFC 9110 §14.2).
  if (!match) return header.includes(',') ? undefined : 'invalid';
  const [, from, to] = match;
  if (from === '' && to === '') return 'invalid';
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'invalid';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}

function etagMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === bare);
}

/** Answers a GET or HEAD of `/f/<key>`. */
export async function serveFile(request: Request, reader: FileReader, path: string): Promise<Response> {
  const key = keyFromPath(path);
  const notFound = fail('ERR_NOT_FOUND', `no file at /f/${path}: check the link`);
  if (key === undefined) throw notFound;
  let whole: Awaited<ReturnType<FileReader['read']>>;
  try {
    whole = await reader.read(key);
  } catch (error) {
    if (isBytedropError(error, 'ERR_INPUT')) throw notFound;
    // The disk's message names the data path; this answer goes to anyone, the details to the log.
    throw new StorageFailure(error, { private: true });
  }
  if (!whole) throw notFound;

  const headers = new Headers({
    'content-type': whole.contentType,
    etag: whole.etag,
    'last-modified': whole.mtime.toUTCString(),
    'accept-ranges': 'bytes',
    'cache-control': whole.cacheControl ?? 'public, max-age=3600',
    'x-content-type-options': 'nosniff',
    'content-security-policy': 'sandbox',
    'cross-origin-resource-policy': 'cross-origin',
    'access-control-allow-origin': '*',
  });
  // Core stores non-inert types as downloads already; objects written before it, or by hand, are judged here too.
  if (!isInertType(whole.contentType)) {
    headers.set(
      'content-disposition',
      whole.contentDisposition ?? attachmentDisposition(key.split('/').at(-1)!),
    );
  }

  const range = parseRange(request.headers.get('range'), whole.size);
  const notModified = etagMatches(request.headers.get('if-none-match'), whole.etag);
  if (notModified || range !== undefined || request.method === 'HEAD') await whole.stream.cancel();
  if (notModified) return new Response(null, { status: 304, headers });
  if (range === 'invalid') {
    headers.set('content-range', `bytes */${whole.size}`);
    return new Response(null, { status: 416, headers });
  }
  const status = range ? 206 : 200;
  if (range) headers.set('content-range', `bytes ${range.start}-${range.end}/${whole.size}`);
  const length = range ? range.end! - range.start! + 1 : whole.size;
  headers.set('content-length', String(length));
  if (request.method === 'HEAD') return new Response(null, { status, headers });
  if (!range) return new Response(whole.stream, { status, headers });

  const part = await reader.read(key, range);
  if (!part) throw notFound;
  return new Response(part.stream, { status, headers });
}
