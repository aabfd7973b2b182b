/**
 * An `Uploader` that talks to a self-hosted @bytedrop/server instead of S3: hosts that hold only an access key
 * (teams, ShareX-style setups) get the same `upload()` as with their own bucket. Isomorphic: `fetch` and `FormData`.
 */
import { throwIfAborted } from './_abort';
import { assertAllowedType } from './_allowed';
import { isReplayable, OWN_HASHING_READ, toAsyncIterable } from './_body';
import { imageFactsOf, reach, readPayload, refusal, text } from './_server-answer';
import { meter, tooLargeError } from './_stream';
import { tusUpload } from './_tus-client';
import { BytedropError } from './errors';
import { sanitizeFilename } from './filename';
import type { ImageFormat } from './image-encoder';
import { checkHttpUrl } from './providers';
import { TUS_SIZE_RANGES } from './server-tus-sizes';
import { SNIFF_BYTES, sniffContentType } from './sniff';
import type { BodyInput, Uploader, UploadOptions, UploadResult } from './types';

/**
 * Options of `createServerUploader`.
 *
 * @example
 * ```ts
 * const options: ServerUploaderOptions = { url: 'https://drop.example.com', accessKey: 'k_live_…', fetch: myFetch };
 * ```
 */
export interface ServerUploaderOptions {
  /** The server's base URL, e.g. `https://drop.example.com` (uploads go to `${url}/upload`). */
  url: string;
  /** An access key of that server, sent as `Authorization: Bearer <key>`. */
  accessKey: string;
  /** A fetch to use instead of the global one (e.g. one that is not subject to CORS in Obsidian). */
  fetch?: typeof fetch;
  /**
   * Largest file sent, in bytes; a larger one fails with `ERR_TOO_LARGE` before the request (the server enforces its
   * own limit too, but only after the bytes went over the network). No limit when unset.
   */
  maxFileSize?: number;
  /**
   * Ask the server to keep images' metadata (location, camera) instead of stripping it, its default: sends
   * `keep-metadata: true`. An upload's own `stripMetadata` wins.
   */
  keepMetadata?: boolean;
  /**
   * Ask the server to convert images (its `convert` header): a format with an optional quality and longest side, or
   * `false` for none whatever the server's default. Absent, the server's own setting holds. A server that cannot
   * convert answers `ERR_IMAGE`.
   */
  convert?: false | { format: ImageFormat; quality?: number; maxSide?: number };
  /**
   * Files larger than this many bytes go through the server's resumable tus endpoint (`${url}/tus/`) in chunks of
   * `chunkSize` instead of one request; `false` sends every file in one request. Default 8 MiB. A server without tus
   * gets the file the usual way; so does an image the server is asked to `convert` (it converts whole uploads only).
   */
  tusThreshold?: number | false;
  /**
   * Bytes per tus request (default 4 MiB): the most one request body holds in memory (Obsidian's `requestUrl` keeps
   * it whole). Keep it under a proxy's body limit (nginx's `client_max_body_size`).
   */
  chunkSize?: number;
}

const MiB = 1024 * 1024;
/** Defaults of `tusThreshold` and `chunkSize`, the same that editors' settings start from. */
const DEFAULT_TUS_THRESHOLD = TUS_SIZE_RANGES.tusThreshold.default * MiB;
const DEFAULT_CHUNK_SIZE = TUS_SIZE_RANGES.chunkSize.default * MiB;

/**
 * An upload result from a server, which also says how to delete the file again.
 *
 * @example
 * ```ts
 * const { url, deleteUrl } = await uploader.upload(file, { filename: file.name });
 * if (deleteUrl) await fetch(deleteUrl, { method: 'DELETE' }); // undo
 * ```
 */
export interface ServerUploadResult extends UploadResult {
  /** `DELETE` this URL to remove the file; it carries a token valid for this file only. */
  deleteUrl?: string;
}

/**
 * What `createServerUploader` returns: an `Uploader` whose results carry the server's `deleteUrl`.
 *
 * @example
 * ```ts
 * const uploader: ServerUploader = createServerUploader({ url: 'https://drop.example.com', accessKey: 'k' });
 * ```
 */
export interface ServerUploader extends Uploader {
  upload(body: BodyInput, options: UploadOptions): Promise<ServerUploadResult>;
}

/**
 * FormData needs a Blob instance (Node 22+ and browsers check; Node 20 accepted look-alikes). One-shot streams and
 * Blob look-alikes such as `openFile`'s lazy file Blob are collected into one (browsers may keep large Blobs on disk).
 */
async function toBlob(body: BodyInput, options: UploadOptions, maxBytes: number | undefined): Promise<Blob> {
  if (isReplayable(body)) {
    if (body instanceof Blob) return body;
    if (typeof (body as { stream?: unknown }).stream !== 'function') return new Blob([body as ArrayBuffer]);
  }
  const chunks: BlobPart[] = [];
  for await (const chunk of meter(toAsyncIterable(body), {
    signal: options.signal,
    filename: options.filename,
    maxBytes,
  })) {
    chunks.push(chunk as Uint8Array<ArrayBuffer>);
  }
  return new Blob(chunks);
}

/** A Blob that reads a file on disk (core's `openFile`): it carries core's own hashing read. */
function isFileBacked(blob: Blob): boolean {
  return typeof (blob as Blob & { [OWN_HASHING_READ]?: unknown })[OWN_HASHING_READ] === 'function';
}

/**
 * Creates an uploader for a Bytedrop server: `POST ${url}/upload` as multipart/form-data with the file in the field
 * `file` (a file from `openFile`: `PUT ${url}/upload/<name>` with the raw file) and `Authorization: Bearer
 * <accessKey>`, resolving to the server's `files[0]`. A refusal
 * (`{ success: false, msg, code }`) becomes a `BytedropError` with the server's code, message and HTTP status; an
 * unreachable server is `ERR_NETWORK`. Progress is reported once, when the server has answered (fetch has no upload
 * progress). One-shot streams are collected into a Blob first; pass a Blob or bytes for large files.
 * A file over `tusThreshold` (8 MiB) goes through the server's tus endpoint instead, in chunks of `chunkSize` (4 MiB)
 * read one at a time, with progress per chunk and each chunk's SHA-256 when the server checks them; the upload's URL
 * goes to `UploadOptions.resumable`, so a later call (after a reload) continues it. The result is the same.
 * `allowedTypes` is checked on the sniffed type before the request, as `createUploader` does; `keyPrefix` and `vars`
 * are the server's to decide and are not sent. A file over `maxFileSize` is refused before the request.
 *
 * @example
 * ```ts
 * const uploader = createServerUploader({ url: 'https://drop.example.com', accessKey: 'k_live_…' });
 * const result = await uploader.upload(file, { filename: file.name });
 * result.url; // 'https://drop.example.com/f/2024/05/01/shot-1a2b3c4d.png'
 * ```
 */
export function createServerUploader(options: ServerUploaderOptions): ServerUploader {
  const base = checkHttpUrl('url', options.url ?? '');
  if (typeof options.accessKey !== 'string' || options.accessKey.trim() === '') {
    throw new BytedropError(
      'ERR_CONFIG',
      'accessKey is empty: paste the access key the Bytedrop server printed at start (or ask its admin for one)',
    );
  }
  const threshold = options.tusThreshold ?? DEFAULT_TUS_THRESHOLD;
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (threshold !== false && !(Number.isSafeInteger(threshold) && threshold >= 0)) {
    throw new BytedropError(
      'ERR_CONFIG',
      `tusThreshold is ${String(threshold)}: give a whole number of bytes (e.g. ${DEFAULT_TUS_THRESHOLD}), or false to send every file in one request`,
    );
  }
  if (!(Number.isSafeInteger(chunkSize) && chunkSize > 0)) {
    throw new BytedropError(
      'ERR_CONFIG',
      `chunkSize is ${String(chunkSize)}: give a whole number of bytes above 0 (e.g. ${DEFAULT_CHUNK_SIZE})`,
    );
  }
  // Bound: browsers throw "Illegal invocation" when fetch is called off `window`.
  const send = options.fetch ?? globalThis.fetch.bind(globalThis);
  const endpoint = `${base}/upload`;
  const convert = options.convert;
  const convertHeader =
    convert === undefined
      ? undefined
      : convert === false
        ? 'off'
        : [
            convert.format,
            ...(convert.quality === undefined ? [] : [`quality=${convert.quality}`]),
            ...(convert.maxSide === undefined ? [] : [`max-side=${convert.maxSide}`]),
          ].join('; ');

  async function post(
    blob: Blob,
    filename: string,
    signal: AbortSignal | undefined,
    keep: boolean,
  ): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.accessKey}`,
      ...(keep ? { 'keep-metadata': 'true' } : {}),
      ...(convertHeader === undefined ? {} : { convert: convertHeader }),
    };
    let request: RequestInit;
    if (isFileBacked(blob)) {
      // A file on disk goes as the raw body of PUT /upload/:name. Node 22+'s fetch crashes the whole process when a
      // FormData part fails to read (nodejs/undici#5835), which a file changed during its send does; a failing raw
      // Blob body rejects the fetch, and the caller reports the changed file.
      request = {
        method: 'PUT',
        headers: { ...headers, ...(blob.type ? { 'content-type': blob.type } : {}) },
        body: blob,
      };
    } else {
      const form = new FormData();
      // The original name: the server sanitises it the same way and needs the extension for its key.
      form.append('file', blob, filename);
      request = { method: 'POST', headers, body: form };
    }
    const url = request.method === 'PUT' ? `${endpoint}/${encodeURIComponent(filename)}` : endpoint;
    return await reach(send, base, url, request, signal);
  }

  async function upload(body: BodyInput, uploadOptions: UploadOptions): Promise<ServerUploadResult> {
    const { signal } = uploadOptions;
    const what = `upload of '${uploadOptions.filename}'`;
    throwIfAborted(signal, what);
    const local = sanitizeFilename(uploadOptions.filename);
    const blob = await toBlob(body, uploadOptions, options.maxFileSize);
    throwIfAborted(signal, what);
    if (options.maxFileSize !== undefined && blob.size > options.maxFileSize) {
      throw tooLargeError(uploadOptions.filename, options.maxFileSize, blob.size);
    }
    const large = threshold !== false && blob.size > threshold;
    let sniffed: string | undefined;
    if (uploadOptions.allowedTypes !== undefined || (large && convert)) {
      const head = new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer());
      sniffed = (await sniffContentType(head, uploadOptions.filename, uploadOptions.contentType)).contentType;
      throwIfAborted(signal, what);
    }
    // The server judges types by its own list; the caller's list is checked here, so a refused file is not sent.
    if (uploadOptions.allowedTypes !== undefined)
      assertAllowedType(uploadOptions.filename, sniffed ?? '', uploadOptions.allowedTypes);
    const keep =
      uploadOptions.stripMetadata === undefined
        ? options.keepMetadata === true
        : !uploadOptions.stripMetadata;
    // An image to convert goes whole: the server converts on the path of one request only.
    const resumable = large && !(convert && sniffed?.startsWith('image/'));
    const response =
      (resumable
        ? await tusUpload({
            base,
            send,
            headers: { authorization: `Bearer ${options.accessKey}` },
            blob,
            filename: uploadOptions.filename,
            contentType: uploadOptions.contentType ?? (blob.type || undefined),
            keep,
            chunkSize,
            signal,
            resumable: uploadOptions.resumable,
            onProgress: (loaded, total) => uploadOptions.onProgress?.({ loaded, total }),
          })
        : undefined) ?? (await post(blob, uploadOptions.filename, signal, keep));
    const payload = await readPayload(response, endpoint);
    throwIfAborted(signal, what);
    if (!response.ok || payload.success !== true) throw refusal(base, response, payload);
    const file = payload.files?.[0];
    const url = text(file?.url) ?? text(payload.url);
    if (file === undefined || url === undefined) {
      throw new BytedropError(
        'ERR_PROVIDER',
        `the Bytedrop server at ${base} answered success without files[0].url: update the server to a version with the files[] response`,
        { status: response.status },
      );
    }
    const size = typeof file.size === 'number' ? file.size : blob.size;
    uploadOptions.onProgress?.({ loaded: size, total: size });
    const deleteUrl = text(file.deleteUrl);
    return {
      key: text(file.key) ?? '',
      url,
      size,
      hash: text(file.hash) ?? '',
      contentType: text(file.contentType) ?? (blob.type || 'application/octet-stream'),
      deduplicated: file.deduplicated === true,
      filename: text(file.filename) ?? (local.ext === '' ? local.name : `${local.name}.${local.ext}`),
      ...imageFactsOf(file),
      ...(deleteUrl === undefined ? {} : { deleteUrl }),
    };
  }

  return { upload };
}
