/**
 * `createHandler`: the whole server as one web-standard `(Request) => Promise<Response>`. It authenticates, enforces
 * limits and routes; everything about files (names, hashing, types, keys, storage) is core's `Uploader`.
 */
import type { ObjectStore } from '@bytedrop/core';
import { createApiRoutes } from './_api-files';
import { createAuthenticator, loopbackExempt } from './_authenticate';
import { createCatalogKeyring } from './_catalog-keyring';
import { createCors } from './_cors';
import { createDeletion } from './_deletion';
import { createHealth } from './_health';
import { createLinkSigner } from './_link-signer';
import { createOperatorRoutes } from './_operator';
import { pageResponse } from './_page';
import { DEFAULT_PRIVATE_PREFIX } from './_private';
import { batchRecords } from './_record-batch';
import { addressOf, originOf, ownHosts, type RequestFacts, requestIdOf, requestUrl } from './_request';
import { createSignRoutes, SESSION_PATH } from './_s3-sign';
import { createSharexRoute } from './_sharex';
import { TUS_PATH } from './_tus';
import { createTusEndpoint } from './_tus-setup';
import { createUploadRoutes } from './_upload';
import { createKeyring, presentedKey } from './auth';
import { createMemoryBans } from './bans';
import { createDeleteTokens } from './delete-token';
import { NO_METRICS } from './metrics';
import {
  codeOf,
  fail,
  methodNotAllowed,
  type ResponseConstructor,
  StorageFailure,
  toErrorResponse,
} from './response';
import type { App, BytedropHandler, HandlerOptions, Logger, RequestContext, RouteContext } from './types';

export type {
  App,
  BytedropHandler,
  HandlerOptions,
  Logger,
  RequestContext,
  RouteContext,
  UploadedFile,
} from './types';

const MiB = 1024 * 1024;

const silent: Logger = { info() {}, warn() {}, error() {} };

/** `logger` with the request id on every line. */
function tagged(logger: Logger, requestId: string): Logger {
  return {
    info: (object, message) => logger.info({ ...object, requestId }, message),
    warn: (object, message) => logger.warn({ ...object, requestId }, message),
    error: (object, message) => logger.error({ ...object, requestId }, message),
  };
}

/**
 * Creates the Bytedrop server as a fetch handler: `GET /` (upload page), `POST /upload` (multipart, any field
 * name), `PUT /upload/:filename` (raw body), `DELETE /files/:key` (delete token; GET shows a page that asks
 * first), `GET /health`, `GET /config/sharex.sxcu`, `GET /auth` (checks a key), `GET /metrics` (with `metrics`),
 * `DELETE /bans/:address` (admin token), with `files`, `GET /f/*`, and with `catalog`, `GET /api/files`,
 * `GET|DELETE /api/files/:key`, `GET /api/usage`, `POST /api/zip`, `POST /api/links` (signed links, honoured by
 * `/f/`), `GET /api/stats` (admins) and the API's document, `GET /api/openapi.json`, readable at `GET /api/docs`.
 * Every answer carries `X-Request-Id`.
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
  const metrics = options.metrics ?? NO_METRICS;
  const store = options.store ?? (options.uploader as { store?: ObjectStore }).store;
  const app: App = {
    options,
    store,
    logger,
    authenticate: createAuthenticator({
      // With a catalog, keys live there (managed keys, and the configured ones mirrored into it).
      keyring: options.catalog
        ? createCatalogKeyring(options.catalog, options.keys, logger)
        : createKeyring(options.keys),
      bans,
      logger,
      metrics,
      exempt: loopbackExempt(options.banLoopback, options.trustProxy !== undefined),
      onKeyUsed: options.onKeyUsed,
      jwt: options.jwt,
    }),
    metrics,
    tokens: createDeleteTokens(options.secret),
    maxFileSize: options.maxFileSize ?? 100 * MiB,
    maxFiles: options.maxFiles ?? 10,
    storageTimeoutMs: options.storageTimeoutMs ?? 120_000,
    ResponseClass,
    catalog: options.catalog,
    recordBatch: options.catalog ? batchRecords(options.catalog) : undefined,
    privatePrefix: options.privatePrefix ?? DEFAULT_PRIVATE_PREFIX,
    signer: createLinkSigner(options, store),
  };
  const facts: RequestFacts = { trustProxy: options.trustProxy, serverUrl: options.serverUrl };
  const uploads = createUploadRoutes(app);
  const tus = createTusEndpoint(app, uploads);
  const signing = createSignRoutes(app, uploads);
  const deletion = createDeletion(app);
  const operator = createOperatorRoutes(app, bans);
  const sharex = createSharexRoute(app);
  const api = createApiRoutes(app);
  const cors = createCors(options.corsOrigins);
  const health = createHealth({
    store: app.store,
    bans,
    timeoutMs: options.healthTimeoutMs ?? 3000,
    cacheMs: options.healthCacheMs ?? 5000,
    logger,
    metrics,
  });

  const healthRoute = async (request: Request, context: RouteContext): Promise<Response> => {
    // The details are for a client with a key; a wrong key here costs a guess like anywhere else.
    const detailed = presentedKey(request.headers) !== undefined;
    if (detailed) await app.authenticate(request, context.client, context.log);
    return health(detailed);
  };

  const route = async (request: Request, url: URL, context: RouteContext): Promise<Response> => {
    const { pathname } = url;
    const method = request.method;
    if (pathname === '/' || pathname === '/index.html') {
      if (method === 'GET' || method === 'HEAD') return pageResponse(request);
      return methodNotAllowed('GET');
    }
    if (pathname === '/tus' || pathname.startsWith(TUS_PATH))
      return tus.handle(request, context, pathname.slice(TUS_PATH.length));
    if (pathname === '/upload')
      return method === 'POST' ? uploads.post(request, context) : methodNotAllowed('POST');
    if (pathname.startsWith('/upload/')) {
      if (method === 'PUT' || method === 'POST') return uploads.put(request, context, pathname.slice(8));
      return methodNotAllowed('PUT');
    }
    if (pathname.startsWith('/s3/')) return signing.keyed(request, url, context, pathname.slice(4));
    if (pathname.startsWith(SESSION_PATH))
      return signing.viaSession(request, url, context, pathname.slice(SESSION_PATH.length));
    if (pathname === '/health')
      return method === 'GET' || method === 'HEAD' ? healthRoute(request, context) : methodNotAllowed('GET');
    if (pathname === '/auth') return operator.keyCheck(request, context);
    if (pathname === '/metrics') return operator.metrics(request, context);
    if (pathname.startsWith('/bans/')) return operator.unban(request, context, pathname.slice(6));
    if (pathname.startsWith('/files/')) return deletion(request, url, pathname.slice(7), context.requestId);
    if (pathname.startsWith('/api/')) return api(request, url, context, pathname.slice(5));
    if (pathname === '/config/sharex.sxcu')
      return method === 'GET' ? sharex(request, context) : methodNotAllowed('GET');
    if (options.files && pathname.startsWith('/f/')) {
      return method === 'GET' || method === 'HEAD'
        ? api.serveFile(request, url, options.files, pathname.slice(3))
        : methodNotAllowed('GET');
    }
    throw fail('ERR_NOT_FOUND', `no route for ${method} ${pathname}: see GET / for the upload page`);
  };

  const handle = async (request: Request, context?: RequestContext): Promise<Response> => {
    const requestId = requestIdOf(request);
    const log = tagged(logger, requestId);
    const client = addressOf(request, context?.ip, facts);
    let response: Response;
    let path = '?';
    let hosts: string[] = [];
    let uploaded: ((status: number) => void) | undefined;
    try {
      const url = requestUrl(request);
      // A signing session's token stays out of the log, like the delete tokens in query strings.
      path = url.pathname.startsWith(SESSION_PATH) ? `${SESSION_PATH}…` : url.pathname;
      hosts = ownHosts(request, url, facts);
      const isTus = path === '/tus' || path.startsWith(TUS_PATH);
      if (request.method === 'OPTIONS') {
        response = cors.preflight(request, hosts);
        if (isTus) response = tus.options(response);
      } else {
        if (path === '/upload' || path.startsWith('/upload/')) uploaded = metrics.uploadStarted();
        // Before any key is looked at: a refused cross-origin request costs the client no guess.
        cors.guard(request, hosts);
        const origin = originOf(request, url, facts);
        response = await route(request, url, { client, requestId, log, origin, body: context?.body });
      }
    } catch (error) {
      response = toErrorResponse(error, requestId);
      metrics.failed(codeOf(error), response.status);
      if (response.status >= 500)
        log.error({ err: error instanceof StorageFailure ? error.error : error }, 'request failed');
    }
    uploaded?.(response.status);
    response.headers.set('x-request-id', requestId);
    // The path only: query strings carry delete tokens.
    log.info({ method: request.method, path, status: response.status, client }, 'request');
    response = cors.expose(request, hosts, response);
    return path === '/tus' || path.startsWith(TUS_PATH) ? tus.expose(response) : response;
  };
  return Object.assign(handle, { sweepExpiredUploads: tus.sweepExpired });
}
