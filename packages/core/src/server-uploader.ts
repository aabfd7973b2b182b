/**
 * An `Uploader` that talks to a self-hosted @bytedrop/server instead of S3: hosts that hold only an access key
 * (teams, ShareX-style setups) get the same `upload()` as with their own bucket. Isomorphic: `fetch` and `FormData`.
 */
import { abortedError, throwIfAborted } from './_abort';
import { assertAllowedType } from './_allowed';
import { isReplayable, OWN_HASHING_READ, toAsyncIterable } from './_body';
import { CODE_BY_STATUS, imageFactsOf, type ServerResponse, text } from './_server-answer';
import { meter, tooLargeError } from './_stream';
import { BytedropError, ERROR_CODES, type ErrorCode } from './errors';
import { sanitizeFilename } from './filename';
import type { ImageFormat } from './image-encoder';
import { checkHttpUrl } from './providers';
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
}

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
    try {
      return await send(url, { ...request, ...(signal === undefined ? {} : { signal }) });
    } catch (error) {
      if (signal?.aborted) throw abortedError(`upload to ${base}`, error);
      const cause = (error as { cause?: { code?: unknown } }).cause?.code ?? (error as Error).message;
      throw new BytedropError(
        'ERR_NETWORK',
        `could not reach the Bytedrop server at ${base} (${String(cause)}): check 'url' and that the server is running and reachable`,
        { cause: error },
      );
    }
  }

  async function readPayload(response: Response): Promise<ServerResponse> {
    const raw = await response.text();
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed === 'object' && parsed !== null) return parsed as ServerResponse;
    } catch {
      // handled below: a proxy's HTML error page or a server that is not Bytedrop
    }
    throw new BytedropError(
      response.status === 404 ? 'ERR_CONFIG' : 'ERR_PROVIDER',
      `${endpoint} answered HTTP ${response.status} without a Bytedrop JSON body (${JSON.stringify(raw.slice(0, 80))}): check that 'url' points at a Bytedrop server`,
      { status: response.status },
    );
  }

  function refusal(response: Response, payload: ServerResponse): BytedropError {
    const sent = text(payload.code);
    const code: ErrorCode =
      sent !== undefined && (ERROR_CODES as readonly string[]).includes(sent)
        ? (sent as ErrorCode)
        : (CODE_BY_STATUS[response.status] ?? 'ERR_PROVIDER');
    const why = text(payload.msg) ?? response.statusText;
    return new BytedropError(
      code,
      `the Bytedrop server at ${base} refused the upload (HTTP ${response.status}${sent ? ` ${sent}` : ''}): ${why}`,
      // A code outside ErrorCode (e.g. a newer server's) is kept where hosts can still see it.
      { status: response.status, ...(sent !== undefined && sent !== code ? { s3Code: sent } : {}) },
    );
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
    if (uploadOptions.allowedTypes !== undefined) {
      // The server judges types by its own list; the caller's list is checked here, so a refused file is not sent.
      const head = new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer());
      const sniffed = await sniffContentType(head, uploadOptions.filename, uploadOptions.contentType);
      assertAllowedType(uploadOptions.filename, sniffed.contentType, uploadOptions.allowedTypes);
      throwIfAborted(signal, what);
    }
    const keep =
      uploadOptions.stripMetadata === undefined
        ? options.keepMetadata === true
        : !uploadOptions.stripMetadata;
    const response = await post(blob, uploadOptions.filename, signal, keep);
    const payload = await readPayload(response);
    throwIfAborted(signal, what);
    if (!response.ok || payload.success !== true) throw refusal(response, payload);
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
