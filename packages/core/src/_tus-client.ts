/**
 * The server uploader's tus 1.0 client (`${url}/tus/`): a large file goes in chunks, each read from the Blob only when
 * it is sent, so no request body is larger than one chunk (Obsidian's `requestUrl` holds each body in memory). The
 * upload's URL is handed to the caller (`UploadOptions.resumable`) before any byte is sent; a later call with it
 * HEADs the upload and continues from `Upload-Offset`, or starts over when the server no longer has it.
 *
 * Written here rather than on tus-js-client: its package entry is Node's (http, fs, proper-lockfile) outside
 * browsers, so Node builds of core and the VS Code bundle would carry a second HTTP stack next to `fetch`; its
 * browser-neutral `BaseUpload` is reachable only through private `lib.esm`/`lib.es5` paths; it weighs 13 kB gzipped
 * where this file adds 1.3 kB to core's browser bundle; and its callbacks, timer-driven retries and `DetailedError`
 * would each need an adapter to get `AbortSignal`, per-chunk `Upload-Checksum` and `BytedropError` codes.
 */
import { throwIfAborted } from './_abort';
import { reach, refusalOf } from './_server-answer';
import { bytesToBase64, hexToBase64 } from './_verify';
import { BytedropError, isBytedropError } from './errors';
import { createHasher } from './hash';
import type { ResumableUpload } from './types';

const TUS_VERSION = '1.0.0';
/** A chunk that failed in a way worth trying again (cut connection, 409/423/460, a busy proxy) is tried this often. */
const RETRIES = 3;
const RETRY_STATUSES = new Set([409, 423, 460, 502, 503, 504]);

/** One tus upload of `blob` to the server at `base`. */
export interface TusTransfer {
  base: string;
  send: typeof fetch;
  /** Sent with every request (the access key). */
  headers: Record<string, string>;
  blob: Blob;
  filename: string;
  contentType: string | undefined;
  /** Ask the server to keep image metadata (`keep-metadata` in `Upload-Metadata`). */
  keep: boolean;
  chunkSize: number;
  signal: AbortSignal | undefined;
  resumable: ResumableUpload | undefined;
  onProgress: ((loaded: number, total: number) => void) | undefined;
}

/** `Upload-Metadata`: `key base64(value)` pairs, values UTF-8. */
function metadataOf(pairs: Record<string, string | undefined>): string {
  return Object.entries(pairs)
    .filter((pair): pair is [string, string] => pair[1] !== undefined && pair[1] !== '')
    .map(([key, value]) => `${key} ${bytesToBase64(new TextEncoder().encode(value))}`)
    .join(',');
}

async function sha256Base64(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const hasher = await createHasher('sha256');
  hasher.update(bytes);
  return hexToBase64(await hasher.digest());
}

const offsetOf = (response: Response): number | undefined => {
  const value = Number(response.headers.get('upload-offset') ?? Number.NaN);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
};

/**
 * Sends `transfer.blob` through tus and resolves to the server's `GET` of the finished upload (the JSON of
 * `POST /upload`), or `undefined` when the server has no tus endpoint (an older one, or tus not set up), so the
 * caller sends the file the usual way.
 */
export async function tusUpload(transfer: TusTransfer): Promise<Response | undefined> {
  const { base, blob, signal } = transfer;
  const endpoint = `${base}/tus/`;
  const what = `upload of '${transfer.filename}'`;
  const call = (url: string, method: string, headers: Record<string, string> = {}, body?: BodyInit) =>
    reach(
      transfer.send,
      base,
      url,
      {
        method,
        headers: { ...transfer.headers, 'tus-resumable': TUS_VERSION, ...headers },
        ...(body === undefined ? {} : { body }),
      },
      signal,
    );

  const options = await call(endpoint, 'OPTIONS');
  await options.body?.cancel();
  if (!(options.headers.get('tus-version') ?? '').split(/\s*,\s*/).includes(TUS_VERSION)) return undefined;
  const checksum = /(^|,)\s*sha256\s*(,|$)/i.test(options.headers.get('tus-checksum-algorithm') ?? '');

  /** Where the upload at `url` stands: its offset, or `undefined` when the server no longer has it (404, 410). */
  async function locate(url: string): Promise<number | undefined> {
    const response = await call(url, 'HEAD');
    await response.body?.cancel();
    // 403: another key's upload (the key changed since): this key starts its own.
    if ([403, 404, 410].includes(response.status)) return undefined;
    if (!response.ok) throw await refusalOf(base, response);
    const length = Number(response.headers.get('upload-length'));
    // Another file's upload under this URL: never append these bytes to it.
    if (length !== blob.size) return undefined;
    return offsetOf(response);
  }

  async function create(): Promise<string | undefined> {
    const response = await call(endpoint, 'POST', {
      'upload-length': String(blob.size),
      'upload-metadata': metadataOf({
        filename: transfer.filename,
        filetype: transfer.contentType,
        'keep-metadata': transfer.keep ? 'true' : undefined,
      }),
    });
    const location = response.headers.get('location');
    if (response.status !== 201 || location === null) {
      const refused = await refusalOf(base, response);
      // A server whose tus endpoint has no storage behind it (a local disk without `tus.backend`).
      if (response.status === 404 || refused.code === 'ERR_CONFIG') return undefined;
      throw refused;
    }
    await response.body?.cancel();
    const url = new URL(location, endpoint).href;
    await transfer.resumable?.save(url);
    return url;
  }

  let url = transfer.resumable?.url;
  let offset = url === undefined ? undefined : await locate(url);
  if (url === undefined || offset === undefined) {
    url = await create();
    if (url === undefined) return undefined;
    offset = 0;
  }
  // The MD5 of the local file, sent on the request that completes the upload (`Bytedrop-Content-MD5`): the server
  // refuses (460) an upload whose bytes are not this file's, e.g. a resumed one whose first part was sent before the
  // file changed; the upload is gone then, and `recover` starts a new one. Fed as chunks are read; a resumed upload's
  // first part is read again from the file for it.
  const md5 = await createHasher('md5');
  let hashedTo = 0;
  let wholeMd5: string | undefined;
  const hashThrough = async (offset: number, chunk: Uint8Array): Promise<void> => {
    for (let at = hashedTo; at < offset; at = hashedTo) {
      const end = Math.min(at + transfer.chunkSize, offset);
      md5.update(new Uint8Array(await blob.slice(at, end).arrayBuffer()));
      hashedTo = end;
      throwIfAborted(signal, what);
    }
    // A chunk sent again (after a failure) is hashed once.
    if (offset + chunk.byteLength > hashedTo) {
      md5.update(chunk.subarray(hashedTo - offset));
      hashedTo = offset + chunk.byteLength;
    }
    if (hashedTo === blob.size) wholeMd5 ??= hexToBase64(await md5.digest());
  };
  let failures = 0;
  /** After a failed chunk: where the server stands now, or a new upload when it lost this one. */
  const recover = async (error: BytedropError): Promise<void> => {
    if (++failures > RETRIES) throw error;
    const at = await locate(url as string);
    if (at === undefined) {
      url = await create();
      if (url === undefined) throw error;
    }
    offset = at ?? 0;
  };
  while (offset < blob.size) {
    throwIfAborted(signal, what);
    // One chunk in memory at a time: read when it is sent, dropped after.
    const chunk = new Uint8Array(
      await blob.slice(offset, Math.min(offset + transfer.chunkSize, blob.size)).arrayBuffer(),
    );
    await hashThrough(offset, chunk);
    const last = offset + chunk.byteLength === blob.size;
    const headers: Record<string, string> = {
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
      ...(checksum ? { 'upload-checksum': `sha256 ${await sha256Base64(chunk)}` } : {}),
      ...(last && wholeMd5 !== undefined ? { 'bytedrop-content-md5': wholeMd5 } : {}),
    };
    let response: Response;
    try {
      response = await call(url, 'PATCH', headers, chunk);
    } catch (error) {
      if (!isBytedropError(error, 'ERR_NETWORK')) throw error;
      await recover(error);
      continue;
    }
    if (response.status === 204 || response.ok) {
      await response.body?.cancel();
      const next = offsetOf(response);
      if (next === undefined || next <= offset) {
        throw new BytedropError(
          'ERR_PROVIDER',
          `the Bytedrop server at ${base} took a chunk of ${url} without a new Upload-Offset: check that 'url' points at a Bytedrop server`,
          { status: response.status },
        );
      }
      offset = next;
      failures = 0;
      transfer.onProgress?.(offset, blob.size);
      continue;
    }
    const refused = await refusalOf(base, response, (status) =>
      status === 413
        ? `a proxy in front of it refused a request body of ${chunk.byteLength} bytes: raise its body limit (nginx: client_max_body_size) above the chunk size, or lower 'chunkSize'`
        : undefined,
    );
    if (!RETRY_STATUSES.has(response.status)) throw refused;
    await recover(refused);
  }
  const answer = await call(url, 'GET', { accept: 'application/json' });
  return answer;
}
