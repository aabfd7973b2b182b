/**
 * `createHandler`: the whole server as one web-standard `(Request) => Promise<Response>`. It authenticates, enforces
 * limits and routes; everything about files (names, hashing, types, keys, storage) is core's `Uploader`.
 */
import {
  BytedropError,
  formatLink,
  isBytedropError,
  type ObjectStore,
  publicUrl,
  type Uploader,
  type UploadResult,
} from '@bytedrop/core';
import { createAuthenticator } from './_authenticate';
import { deleteConfirmPage, deletedPage } from './_delete-page';
import { forEachFile, type IncomingFile } from './_multipart';
import { pageResponse } from './_page';
import { sharexConfig } from './_sharex';
import { limitBytes, requestBody, tooLarge } from './_stream';
import { type AccessKey, createKeyring, presentedKey } from './auth';
import { type BanStore, createMemoryBans } from './bans';
import { clientAddress, type TrustProxy } from './client-address';
import { createDeleteTokens } from './delete-token';
import { type FileReader, serveFile } from './files';
import { fail, json, type ResponseConstructor, StorageFailure, toErrorResponse } from './response';

/** The subset of a pino logger the handler uses. */
export interface Logger {
  info(object: Record<string, unknown>, message?: string): void;
  warn(object: Record<string, unknown>, message?: string): void;
  error(object: Record<string, unknown>, message?: string): void;
}

/** Options of `createHandler`. */
export interface HandlerOptions {
  /** Core's uploader (`createUploader`); the server calls only `upload`. */
  uploader: Uploader;
  /** The store behind the uploader, for `/health` and deletes. Defaults to `uploader.store` when it has one. */
  store?: ObjectStore;
  /** Access keys (at least one). */
  keys: readonly AccessKey[];
  /** Secret for per-file delete tokens; keep it stable across restarts. */
  secret: string | Uint8Array;
  /** Largest file in bytes (default 100 MiB, ByteGo's `MAX_FILE_SIZE_MB`). */
  maxFileSize?: number;
  /** Most files per request (default 10). */
  maxFiles?: number;
  /**
   * Sniffed types allowed, e.g. `['image/*', 'application/pdf']`; everything when absent. Passed to the uploader as
   * `allowedTypes`, which core's uploaders enforce (a custom `Uploader` must do the same).
   */
  allowedTypes?: readonly string[];
  /** Where failed attempts and bans live (default: in memory with `banPolicy`). */
  bans?: BanStore;
  /** Wrong keys before a ban and its length, for the default in-memory ban store. */
  banPolicy?: { maxFailures?: number; banSeconds?: number };
  /** Proxies whose `X-Forwarded-*` headers are believed; by default none are. */
  trustProxy?: TrustProxy;
  /**
   * Serve `GET /f/*` from this reader (the local-disk store). Links then point at `<origin>/f/<key>` unless
   * `publicBaseUrl` is set.
   */
  files?: FileReader;
  /** Base URL of stored files, overriding the store's own `publicUrl` (e.g. the server's public `/f` URL). */
  publicBaseUrl?: string;
  /** The server's public origin (`https://drop.example.com`), when requests arrive with another Host. */
  serverUrl?: string;
  /** How long `/health` waits for storage (default 3000 ms). */
  healthTimeoutMs?: number;
  /** Request log and failures; keys and tokens are never passed to it. */
  logger?: Logger;
}

/** Per-request facts a runtime knows and `Request` does not. */
export interface RequestContext {
  /** The socket's remote address. srvx's `request.ip` is used when this is absent. */
  ip?: string;
  /**
   * The request body as the runtime reads it natively, read instead of `request.body` (the Node runner passes the
   * IncomingMessage: Node's web-stream adapter copies every chunk, a second copy of every upload). Leaving its
   * iteration early must not close the connection, or the client loses the early answer (a 413) to a reset.
   */
  body?: AsyncIterable<Uint8Array>;
}

/** A web-standard request handler. */
export type BytedropHandler = (request: Request, context?: RequestContext) => Promise<Response>;

/** One stored file in an upload response. */
export interface UploadedFile {
  url: string;
  key: string;
  size: number;
  hash: string;
  contentType: string;
  deduplicated: boolean;
  filename: string;
  /** `DELETE` this URL to remove the file; the token in it works for this file only. */
  deleteUrl: string;
  /** Ready-made Markdown and HTML (core's `formatLink`), so clients need no escaping of their own. */
  markdown: string;
  html: string;
}

const MiB = 1024 * 1024;
/** Multipart framing per file (boundaries, part headers), on top of the file bytes. */
const PART_OVERHEAD = 64 * 1024;
const MAX_FIELDS = 100;

const silent: Logger = { info() {}, warn() {}, error() {} };

/** What the routes get besides the request: the client's address (bans, logs) and the runtime's body, if any. */
interface Context {
  client: string;
  body: AsyncIterable<Uint8Array> | undefined;
}

/**
 * Creates the Bytedrop server as a fetch handler: `GET /` (upload page), `POST /upload` (multipart, any field
 * name), `PUT /upload/:filename` (raw body), `DELETE /files/:key` (delete token; GET shows a page that asks
 * first), `GET /health`,
 * `GET /config/sharex.sxcu` and, with `files`, `GET /f/*`.
 *
 * @example
 * ```ts
 * import { createUploader } from '@bytedrop/core';
 * import { createHandler } from '@bytedrop/server';
 *
 * const handler = createHandler({
 *   uploader: createUploader({ bucket: 'shots', endpoint: 'https://s3.example.com', publicBaseUrl: 'https://cdn.example.com' }),
 *   keys: [{ name: 'me', key: process.env.AUTH_KEY! }],
 *   secret: process.env.BYTEDROP_SECRET!,
 * });
 * // Hono: app.all('*', (c) => handler(c.req.raw)); Next.js: export const POST = handler; Bun: Bun.serve({ fetch: handler })
 * ```
 */
export function createHandler(options: HandlerOptions): BytedropHandler {
  return createRuntimeHandler(options, Response);
}

/**
 * `createHandler` answering with `ResponseClass` (internal: the Node runner passes srvx's `FastResponse`, which it
 * writes straight to the socket; a standard `Response` of a string makes a web stream that srvx then reads back).
 */
export function createRuntimeHandler(
  options: HandlerOptions,
  ResponseClass: ResponseConstructor,
): BytedropHandler {
  const tokens = createDeleteTokens(options.secret);
  const store = options.store ?? (options.uploader as { store?: ObjectStore }).store;
  const maxFileSize = options.maxFileSize ?? 100 * MiB;
  const maxFiles = options.maxFiles ?? 10;
  const logger = options.logger ?? silent;
  const authenticate = createAuthenticator({
    keyring: createKeyring(options.keys),
    bans: options.bans ?? createMemoryBans(options.banPolicy),
    logger,
  });
  const healthTimeout = options.healthTimeoutMs ?? 3000;

  const addressOf = (request: Request, context?: RequestContext): string =>
    clientAddress(
      context?.ip ?? (request as { ip?: string }).ip,
      request.headers.get('x-forwarded-for'),
      options.trustProxy,
    );

  const originOf = (request: Request): string => {
    if (options.serverUrl) return options.serverUrl.replace(/\/+$/, '');
    const url = new URL(request.url);
    if (options.trustProxy) {
      const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
      const host = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim();
      if (proto === 'http' || proto === 'https') url.protocol = `${proto}:`;
      if (host && /^[a-z0-9.[\]:-]+$/i.test(host)) url.host = host;
    }
    return url.origin;
  };

  const describe = async (result: UploadResult, origin: string): Promise<UploadedFile> => {
    const base = options.publicBaseUrl ?? (options.files ? `${origin}/f` : undefined);
    const url = base ? publicUrl(base, result.key) : result.url;
    const link = { ...result, url };
    const token = await tokens.sign(result.key);
    return {
      url,
      key: result.key,
      size: result.size,
      hash: result.hash,
      contentType: result.contentType,
      deduplicated: result.deduplicated,
      filename: result.filename,
      deleteUrl: `${publicUrl(`${origin}/files`, result.key)}?token=${token}`,
      markdown: formatLink(link, 'markdown'),
      html: formatLink(link, 'html'),
    };
  };

  const storeFile = async (
    file: IncomingFile,
    who: AccessKey,
    signal: AbortSignal,
  ): Promise<UploadResult> => {
    try {
      return await options.uploader.upload(file.body, {
        filename: file.filename,
        ...(file.mimeType && file.mimeType !== 'application/octet-stream'
          ? { contentType: file.mimeType }
          : {}),
        signal,
        ...(who.prefix ? { keyPrefix: who.prefix } : {}),
        vars: { user: who.name },
        // Core judges the sniffed type before it sends anything, so a refused file leaves nothing in storage.
        ...(options.allowedTypes ? { allowedTypes: options.allowedTypes } : {}),
      });
    } catch (error) {
      // A limit or a type refused while the uploader was reading is the client's 413/415, not a storage failure.
      if (isBytedropError(error, 'ERR_TOO_LARGE') || isBytedropError(error, 'ERR_UNSUPPORTED_TYPE'))
        throw error;
      throw new StorageFailure(error);
    }
  };

  const respondUploaded = async (results: UploadResult[], origin: string): Promise<Response> => {
    const files = await Promise.all(results.map((result) => describe(result, origin)));
    return json(
      {
        success: true,
        msg: 'success',
        url: files[0]!.url,
        // For clients that read one field per upload, as ShareX's DeletionURL does.
        deleteUrl: files[0]!.deleteUrl,
        result: files.map((f) => f.url),
        files,
      },
      200,
      undefined,
      ResponseClass,
    );
  };

  const contentLength = (request: Request): number | undefined => {
    const value = request.headers.get('content-length');
    return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
  };

  const postUpload = async (request: Request, context: Context): Promise<Response> => {
    const { client } = context;
    const who = await authenticate(request, client);
    const type = request.headers.get('content-type') ?? '';
    if (!/^multipart\/form-data/i.test(type)) {
      throw fail(
        'ERR_UNSUPPORTED_TYPE',
        `POST /upload takes multipart/form-data, got '${type || 'no Content-Type'}': use \`curl -F file=@shot.png\`, or PUT /upload/<name> for a raw body`,
      );
    }
    const length = contentLength(request);
    if (length !== undefined && length > maxFiles * (maxFileSize + PART_OVERHEAD)) {
      throw tooLarge(`the request (${length} bytes)`, maxFiles * maxFileSize);
    }
    const results = await forEachFile(
      request,
      requestBody(request, context.body),
      { maxFileSize, maxFiles, maxFields: MAX_FIELDS },
      (file, signal) => storeFile(file, who, signal),
    );
    return respondUploaded(results, originOf(request));
  };

  const putUpload = async (request: Request, context: Context, rawName: string): Promise<Response> => {
    const who = await authenticate(request, context.client);
    let filename: string;
    try {
      filename = decodeURIComponent(rawName);
    } catch {
      throw fail(
        'ERR_FILENAME',
        `filename '${rawName}' is not valid percent-encoding: encode it with encodeURIComponent`,
      );
    }
    const length = contentLength(request);
    if (length !== undefined && length > maxFileSize) throw tooLarge(filename, maxFileSize);
    const body = requestBody(request, context.body);
    if (!body)
      throw fail('ERR_INPUT', 'the request has no body: send the file as the PUT body (`curl -T shot.png`)');
    const controller = new AbortController();
    const abort = () => controller.abort(fail('ERR_ABORTED', 'the client disconnected; nothing was stored'));
    request.signal.addEventListener('abort', abort, { once: true });
    try {
      const declared = request.headers.get('content-type') ?? '';
      const result = await storeFile(
        {
          field: 'body',
          filename,
          mimeType: declared,
          body: limitBytes(body, maxFileSize, filename),
        },
        who,
        controller.signal,
      );
      return await respondUploaded([result], originOf(request));
    } finally {
      request.signal.removeEventListener('abort', abort);
    }
  };

  /** The key a `/files/…` request names, once its delete token is checked (`ERR_FORBIDDEN` otherwise). */
  const deletableKey = async (request: Request, path: string): Promise<string> => {
    if (!store) throw fail('ERR_CONFIG', 'deleting needs the store: pass `store` to createHandler');
    let key: string;
    try {
      key = path.split('/').map(decodeURIComponent).join('/');
    } catch {
      throw fail('ERR_INPUT', `'${path}' is not a valid key path`);
    }
    const token = new URL(request.url).searchParams.get('token') ?? request.headers.get('x-delete-token');
    if (!token || !(await tokens.verify(key, token))) {
      throw fail(
        'ERR_FORBIDDEN',
        `the delete token does not match '${key}': use the deleteUrl returned by the upload`,
      );
    }
    return key;
  };

  const deleteKey = async (key: string): Promise<void> => {
    try {
      await store?.delete(key);
    } catch (error) {
      throw new StorageFailure(error);
    }
  };

  /**
   * `/files/:key?token=…`: DELETE deletes (the API). In a browser, GET shows a confirmation page and its form POSTs
   * back to delete: a GET never deletes, since link previews and prefetchers follow URLs.
   */
  const deletion = async (request: Request, path: string): Promise<Response> => {
    const { method } = request;
    if (method !== 'DELETE' && method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      return methodNotAllowed('DELETE, GET, POST');
    }
    const key = await deletableKey(request, path);
    if (method === 'GET' || method === 'HEAD') return deleteConfirmPage(key);
    await deleteKey(key);
    return method === 'POST' ? deletedPage(key) : json({ success: true, msg: 'deleted', key });
  };

  const health = async (): Promise<Response> => {
    if (!store) return json({ status: 'ok', storage: 'unknown' });
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        store.check(controller.signal),
        new Promise((_, reject) => {
          timer = setTimeout(() => {
            controller.abort();
            reject(new BytedropError('ERR_NETWORK', `storage did not answer within ${healthTimeout} ms`));
          }, healthTimeout);
        }),
      ]);
      return json({ status: 'ok', storage: 'ok', kind: store.kind });
    } catch (error) {
      logger.warn({ err: error }, 'health check: storage unreachable');
      const msg = error instanceof Error ? error.message : String(error);
      return json({ status: 'error', storage: 'unreachable', kind: store.kind, msg }, 503);
    } finally {
      clearTimeout(timer);
    }
  };

  const sharex = async (request: Request, client: string): Promise<Response> => {
    const presented = presentedKey(request.headers);
    // Only a key the request proved it holds goes into the file; anonymous requests get a placeholder.
    if (presented !== undefined) await authenticate(request, client);
    const origin = originOf(request);
    return new Response(JSON.stringify(sharexConfig(origin, presented), null, 2), {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="bytedrop-${new URL(origin).hostname}.sxcu"`,
        'cache-control': 'no-store',
      },
    });
  };

  const route = async (request: Request, context: Context): Promise<Response> => {
    const { client } = context;
    const { pathname } = new URL(request.url);
    const method = request.method;
    if (method === 'OPTIONS') return preflight();
    if (pathname === '/' || pathname === '/index.html') {
      if (method === 'GET' || method === 'HEAD') return pageResponse(request);
      return methodNotAllowed('GET');
    }
    if (pathname === '/upload')
      return method === 'POST' ? postUpload(request, context) : methodNotAllowed('POST');
    if (pathname.startsWith('/upload/')) {
      if (method === 'PUT' || method === 'POST') return putUpload(request, context, pathname.slice(8));
      return methodNotAllowed('PUT');
    }
    if (pathname === '/health')
      return method === 'GET' || method === 'HEAD' ? health() : methodNotAllowed('GET');
    if (pathname.startsWith('/files/')) return deletion(request, pathname.slice(7));
    if (pathname === '/config/sharex.sxcu')
      return method === 'GET' ? sharex(request, client) : methodNotAllowed('GET');
    if (options.files && pathname.startsWith('/f/')) {
      return method === 'GET' || method === 'HEAD'
        ? serveFile(request, options.files, pathname.slice(3))
        : methodNotAllowed('GET');
    }
    throw fail('ERR_NOT_FOUND', `no route for ${method} ${pathname}: see GET / for the upload page`);
  };

  return async (request, context) => {
    const client = addressOf(request, context);
    let response: Response;
    try {
      response = await route(request, { client, body: context?.body });
    } catch (error) {
      response = toErrorResponse(error);
      if (response.status >= 500)
        logger.error({ err: error instanceof StorageFailure ? error.error : error }, 'request failed');
    }
    // The path only: query strings carry delete tokens.
    logger.info(
      { method: request.method, path: new URL(request.url).pathname, status: response.status, client },
      'request',
    );
    return response;
  };
}

function preflight(): Response {
  return new Response(null, {
    status: 204,
    headers: {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
      'access-control-allow-headers':
        'Authorization, X-API-Key, X-PicGo-Secret, X-Delete-Token, Content-Type',
      'access-control-max-age': '86400',
    },
  });
}

function methodNotAllowed(allow: string): Response {
  return json({ success: false, msg: `method not allowed here: use ${allow}`, code: 'ERR_INPUT' }, 405, {
    allow,
  });
}
