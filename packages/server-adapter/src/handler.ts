/**
 * `createHandler`: the whole server as one web-standard `(Request) => Promise<Response>`. It authenticates, enforces
 * limits and routes; everything about files (names, hashing, types, keys, storage) is core's `Uploader`.
 */
import type { ObjectStore, Uploader } from '@bytedrop/core';
import { createAuthenticator } from './_authenticate';
import { createCors } from './_cors';
import { createDeletion } from './_deletion';
import { createHealth } from './_health';
import { pageResponse } from './_page';
import { addressOf, originOf, ownHosts, type RequestFacts, requestUrl } from './_request';
import { sharexConfig } from './_sharex';
import { createUploadRoutes } from './_upload';
import { type AccessKey, createKeyring, presentedKey } from './auth';
import { type BanPolicy, type BanStore, createMemoryBans } from './bans';
import type { TrustProxy } from './client-address';
import { createDeleteTokens, type DeleteTokens } from './delete-token';
import { type FileReader, serveFile } from './files';
import {
  fail,
  methodNotAllowed,
  type ResponseConstructor,
  StorageFailure,
  toErrorResponse,
} from './response';

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
  /**
   * The store behind the uploader, for `/health`, deletes and removing the files of a multi-file request that failed
   * part-way. Defaults to `uploader.store` when it has one.
   */
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
  /** Wrong keys before a ban, its length and the addresses remembered, for the default in-memory ban store. */
  banPolicy?: BanPolicy;
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
  /** How long `/health` waits for storage and the ban store (default 3000 ms). */
  healthTimeoutMs?: number;
  /** How long a `/health` probe's result is reused (default 5000 ms), so polling it costs no storage I/O per call. */
  healthCacheMs?: number;
  /**
   * Silence allowed from storage during an upload (default 120 s): while the uploader is not reading the body, and
   * after the body until the upload settles. Past it the upload is aborted (nothing is left) and answered 504
   * `ERR_TIMEOUT`. Time spent waiting on the client does not count.
   */
  storageTimeoutMs?: number;
  /**
   * Web origins besides the server's own page that may send requests with an access key (`CORS_ORIGINS`), e.g.
   * `['https://notes.example.com']`; `['*']` allows every website to spend its visitors' guesses.
   */
  corsOrigins?: readonly string[];
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
  /**
   * `DELETE` this URL to remove the file; the token in it works for this file only, while it is this key's. `null`
   * when the bytes were already stored by another access key (or another tool): the link, without the right to
   * delete it for everyone.
   */
  deleteUrl: string | null;
  /** Ready-made Markdown and HTML (core's `formatLink`), so clients need no escaping of their own. */
  markdown: string;
  html: string;
}

const MiB = 1024 * 1024;

const silent: Logger = { info() {}, warn() {}, error() {} };

/** What the route modules share: the options and the parts built from them once. */
export interface App {
  options: HandlerOptions;
  store: ObjectStore | undefined;
  logger: Logger;
  authenticate: (request: Request, client: string) => Promise<AccessKey>;
  tokens: DeleteTokens;
  maxFileSize: number;
  maxFiles: number;
  storageTimeoutMs: number;
  ResponseClass: ResponseConstructor;
}

/** What a route gets besides the request: the client's address, the public origin and the runtime's body. */
export interface RouteContext {
  client: string;
  origin: string;
  body: AsyncIterable<Uint8Array> | undefined;
}

/**
 * Creates the Bytedrop server as a fetch handler: `GET /` (upload page), `POST /upload` (multipart, any field
 * name), `PUT /upload/:filename` (raw body), `DELETE /files/:key` (delete token; GET shows a page that asks
 * first), `GET /health`, `GET /config/sharex.sxcu` and, with `files`, `GET /f/*`.
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
  const logger = options.logger ?? silent;
  const bans = options.bans ?? createMemoryBans(options.banPolicy);
  const app: App = {
    options,
    store: options.store ?? (options.uploader as { store?: ObjectStore }).store,
    logger,
    authenticate: createAuthenticator({ keyring: createKeyring(options.keys), bans, logger }),
    tokens: createDeleteTokens(options.secret),
    maxFileSize: options.maxFileSize ?? 100 * MiB,
    maxFiles: options.maxFiles ?? 10,
    storageTimeoutMs: options.storageTimeoutMs ?? 120_000,
    ResponseClass,
  };
  const facts: RequestFacts = { trustProxy: options.trustProxy, serverUrl: options.serverUrl };
  const uploads = createUploadRoutes(app);
  const deletion = createDeletion(app);
  const cors = createCors(options.corsOrigins);
  const health = createHealth({
    store: app.store,
    bans,
    timeoutMs: options.healthTimeoutMs ?? 3000,
    cacheMs: options.healthCacheMs ?? 5000,
    logger,
  });

  const sharex = async (request: Request, context: RouteContext): Promise<Response> => {
    const presented = presentedKey(request.headers);
    // Only a key the request proved it holds goes into the file; anonymous requests get a placeholder.
    if (presented !== undefined) await app.authenticate(request, context.client);
    return new Response(JSON.stringify(sharexConfig(context.origin, presented), null, 2), {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="bytedrop-${new URL(context.origin).hostname}.sxcu"`,
        'cache-control': 'no-store',
      },
    });
  };

  const healthRoute = async (request: Request, context: RouteContext): Promise<Response> => {
    // The details are for a client with a key; a wrong key here costs a guess like anywhere else.
    const detailed = presentedKey(request.headers) !== undefined;
    if (detailed) await app.authenticate(request, context.client);
    return health(detailed);
  };

  const route = async (request: Request, url: URL, context: RouteContext): Promise<Response> => {
    const { pathname } = url;
    const method = request.method;
    if (pathname === '/' || pathname === '/index.html') {
      if (method === 'GET' || method === 'HEAD') return pageResponse(request);
      return methodNotAllowed('GET');
    }
    if (pathname === '/upload')
      return method === 'POST' ? uploads.post(request, context) : methodNotAllowed('POST');
    if (pathname.startsWith('/upload/')) {
      if (method === 'PUT' || method === 'POST') return uploads.put(request, context, pathname.slice(8));
      return methodNotAllowed('PUT');
    }
    if (pathname === '/health')
      return method === 'GET' || method === 'HEAD' ? healthRoute(request, context) : methodNotAllowed('GET');
    if (pathname.startsWith('/files/')) return deletion(request, url, pathname.slice(7));
    if (pathname === '/config/sharex.sxcu')
      return method === 'GET' ? sharex(request, context) : methodNotAllowed('GET');
    if (options.files && pathname.startsWith('/f/')) {
      return method === 'GET' || method === 'HEAD'
        ? serveFile(request, options.files, pathname.slice(3))
        : methodNotAllowed('GET');
    }
    throw fail('ERR_NOT_FOUND', `no route for ${method} ${pathname}: see GET / for the upload page`);
  };

  return async (request, context) => {
    const client = addressOf(request, context?.ip, facts);
    let response: Response;
    let path = '?';
    let hosts: string[] = [];
    try {
      const url = requestUrl(request);
      path = url.pathname;
      hosts = ownHosts(request, url, facts);
      if (request.method === 'OPTIONS') {
        response = cors.preflight(request, hosts);
      } else {
        // Before any key is looked at: a refused cross-origin request costs the client no guess.
        cors.guard(request, hosts);
        const origin = originOf(request, url, facts);
        response = await route(request, url, { client, origin, body: context?.body });
      }
    } catch (error) {
      response = toErrorResponse(error);
      if (response.status >= 500)
        logger.error({ err: error instanceof StorageFailure ? error.error : error }, 'request failed');
    }
    // The path only: query strings carry delete tokens.
    logger.info({ method: request.method, path, status: response.status, client }, 'request');
    return cors.expose(request, hosts, response);
  };
}
