/**
 * The tus 1.0 protocol's headers: what the server advertises, how the request headers are read (lengths, offsets,
 * metadata, checksums), and the errors whose status the protocol fixes (409, 410, 412, 423, 460).
 */
import { BytedropError, type ErrorCode } from '@bytedrop/core';
import type { ChunkCheck } from './tus-store';

export const TUS_VERSION = '1.0.0';
export const TUS_EXTENSIONS =
  'creation,creation-with-upload,creation-defer-length,termination,expiration,checksum,concatenation';
export const TUS_CHECKSUMS = 'sha1,sha256';
/** The content type of every PATCH body. */
export const OFFSET_TYPE = 'application/offset+octet-stream';
/** The header carrying the stored file's public URL on the answer that finished an upload. */
export const URL_HEADER = 'bytedrop-url';
/**
 * The whole file's MD5 (base64 of the digest, as `Content-MD5`), sent by a client on the request that completes an
 * upload: the assembled bytes are checked against it before they are stored. A client that resumed an upload after a
 * restart proves with it that the bytes sent before are still its file's (tus checks each request, not the whole).
 */
export const CONTENT_MD5_HEADER = 'bytedrop-content-md5';

/** What a browser page must be allowed to send, and to read, for tus clients (tus-js-client, Uppy) to work. */
export const TUS_REQUEST_HEADERS =
  'Tus-Resumable, Upload-Length, Upload-Offset, Upload-Metadata, Upload-Defer-Length, Upload-Checksum, Upload-Concat, Bytedrop-Content-MD5, X-HTTP-Method-Override, X-Requested-With';
export const TUS_EXPOSED_HEADERS =
  'Location, Upload-Offset, Upload-Length, Upload-Metadata, Upload-Expires, Upload-Defer-Length, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm, Upload-Concat, Bytedrop-Url';

/** Headers on every tus answer: the version, and no caching (a cached HEAD would resume at a stale offset). */
export const TUS_BASE_HEADERS: Readonly<Record<string, string>> = {
  'tus-resumable': TUS_VERSION,
  'cache-control': 'no-store',
};

/** A `BytedropError` whose answer has the status tus prescribes. */
export function tusError(code: ErrorCode, status: number, message: string): BytedropError {
  return Object.assign(new BytedropError(code, message), { tusStatus: status });
}

/** A non-negative integer header, `undefined` when absent; `ERR_INPUT` (400) naming it otherwise. */
export function integerHeader(request: Request, name: string): number | undefined {
  const value = request.headers.get(name);
  if (value === null) return undefined;
  if (!/^\d{1,16}$/.test(value.trim())) {
    throw new BytedropError('ERR_INPUT', `${name} '${value.slice(0, 40)}' is not a non-negative integer`);
  }
  return Number(value.trim());
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes `Upload-Metadata` (`key base64,key base64`); `ERR_INPUT` for a pair that is not a key and base64. */
export function parseMetadata(header: string | null): Record<string, string> {
  const metadata: Record<string, string> = {};
  if (header === null || header.trim() === '') return metadata;
  for (const pair of header.split(',')) {
    const [key, value = '', extra] = pair.trim().split(' ');
    if (!key || extra !== undefined || !BASE64.test(value)) {
      throw new BytedropError(
        'ERR_INPUT',
        `Upload-Metadata pair '${pair.trim().slice(0, 80)}' is not \`key base64value\`: encode each value with base64 (tus clients do this for you)`,
      );
    }
    metadata[key] = Buffer.from(value, 'base64').toString('utf8');
  }
  return metadata;
}

/** `Bytedrop-Content-MD5`, checked to be base64 of 16 bytes; `undefined` without it, `ERR_INPUT` naming it if bad. */
export function contentMd5Of(request: Request): string | undefined {
  const value = request.headers.get(CONTENT_MD5_HEADER)?.trim();
  if (value === undefined) return undefined;
  if (!/^[A-Za-z0-9+/]{22}==$/.test(value)) {
    throw new BytedropError(
      'ERR_INPUT',
      `Bytedrop-Content-MD5 '${value.slice(0, 40)}' is not an MD5: send the base64 of the whole file's 16-byte MD5 digest (24 characters ending in ==)`,
    );
  }
  return value;
}

/** The hash-wasm function of each `Upload-Checksum` algorithm (`_wasm-hashers.ts`, loaded with the first check). */
const CHECKSUM_HASHERS: Record<string, 'createSHA1' | 'createSHA256' | undefined> = {
  sha1: 'createSHA1',
  sha256: 'createSHA256',
};

/** The check of `Upload-Checksum: <algorithm> <base64 digest>`, or `undefined` without that header. */
export async function checksumOf(header: string | null): Promise<ChunkCheck | undefined> {
  if (header === null) return undefined;
  const [algorithm = '', digest = ''] = header.trim().split(' ');
  const create = CHECKSUM_HASHERS[algorithm.toLowerCase()];
  if (!create) {
    throw new BytedropError(
      'ERR_INPUT',
      `Upload-Checksum algorithm '${algorithm.slice(0, 20)}' is not supported: use one of ${TUS_CHECKSUMS}`,
    );
  }
  if (!BASE64.test(digest) || digest === '') {
    throw new BytedropError(
      'ERR_INPUT',
      'Upload-Checksum digest is not base64: send `<algorithm> <base64 digest>`',
    );
  }
  const hasher = await (await import('./_wasm-hashers'))[create]();
  return {
    update: (chunk) => void hasher.update(chunk),
    matches: async () => Buffer.from(hasher.digest('binary')).toString('base64') === digest,
  };
}
