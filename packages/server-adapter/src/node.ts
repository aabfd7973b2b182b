/**
 * `@bytedrop/server/node`: the Node runner (srvx) and the Node-only parts (pino logger, Redis bans, Prometheus).
 * The runner passes the socket address to the handler, sets timeouts against slow clients and stops cleanly.
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { FastResponse, serve as srvxServe } from 'srvx/node';
import { createDrain } from './_drain';
import { clientBody, lingerAfterEarlyAnswer } from './_node-body';
import { type BytedropHandler, createRuntimeHandler, type HandlerOptions } from './handler';
import { json } from './response';

export type { PostgresCatalogOptions } from './catalog/postgres';
export { createPostgresCatalog } from './catalog/postgres';
export type { RebuildReport } from './catalog/rebuild';
export { rebuildCatalog } from './catalog/rebuild';
export type { SqliteCatalogOptions } from './catalog/sqlite';
export { createSqliteCatalog } from './catalog/sqlite';
export type { LoggerOptions } from './logger';
export { createLogger, REDACT_PATHS } from './logger';
export type { PrometheusMetrics, PrometheusMetricsOptions } from './prometheus';
export { createPrometheusMetrics } from './prometheus';
export type { RedisBans, RedisBansOptions } from './redis-bans';
export { createRedisBans } from './redis-bans';
export type { ServerSettings } from './settings';
export { serverEnvFromConfig, serverSettingsFromEnv } from './settings';

/** Options of `serve`: the handler's, plus where to listen and how long to wait for slow clients. */
export interface ServeOptions extends HandlerOptions {
  /** Port to listen on (default 8000; 0 picks a free one). */
  port?: number;
  /** Interface to bind (default: all). */
  hostname?: string;
  /** Whole request, upload included, in ms (default 15 min): Node's `server.requestTimeout`. */
  requestTimeout?: number;
  /** Time to send the request headers, in ms (default 30 s): Node's `server.headersTimeout`. */
  headersTimeout?: number;
  /**
   * Silence allowed from the client while its body is read, in ms (default 60 s). Time the server spends on storage
   * does not count (that is `storageTimeoutMs`).
   */
  idleTimeout?: number;
}

/** A running server. */
export interface RunningServer {
  /** `http://<host>:<port>` as bound, without a trailing slash (use `port` for a URL to print). */
  readonly url: string;
  readonly port: number;
  readonly handler: BytedropHandler;
  /** Stops listening; `force` also cuts open connections. */
  close(force?: boolean): Promise<void>;
  /**
   * Stops cleanly: no new requests (the port closes, requests on open connections get 503), uploads in flight get
   * `graceMs` to finish, the rest are aborted (their multipart uploads too). Resolves, once all is settled, to the
   * number of exchanges that had to be cut.
   */
  shutdown(graceMs: number): Promise<number>;
}

/** Node looks for requests past `headersTimeout`/`requestTimeout` only this often (its default: every 30 s). */
const TIMEOUT_CHECK_MS = 1000;

function isLoopback(hostname: string | undefined): boolean {
  return hostname !== undefined && /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/i.test(hostname);
}

/**
 * Runs `createHandler(options)` on Node's HTTP server through srvx (upload answers as srvx's `FastResponse`).
 *
 * @example
 * ```ts
 * import { createUploader } from '@bytedrop/core';
 * import { serve } from '@bytedrop/server/node';
 *
 * const server = await serve({ port: 8000, uploader: createUploader(config), keys: [{ name: 'me', key }], secret });
 * console.log(`listening on http://localhost:${server.port}`);
 * process.once('SIGTERM', () => server.shutdown(10_000).then(() => process.exit(0)));
 * ```
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  if (options.trustProxy && 'hops' in options.trustProxy && !isLoopback(options.hostname)) {
    options.logger?.warn(
      { trustProxy: options.trustProxy, hostname: options.hostname ?? 'all interfaces' },
      `TRUST_PROXY=${options.trustProxy.hops} believes X-Forwarded-For from whoever connects, and this server listens beyond loopback: a client that reaches it directly can pick its own address and dodge bans. Listen on 127.0.0.1 behind the proxy (HOST), or name the proxies' addresses (TRUST_PROXY=10.0.0.5)`,
    );
  }
  // Upload answers as srvx's FastResponse: written to the socket as a string, no web stream built and read back.
  const handler = createRuntimeHandler(options, FastResponse);
  const idleTimeout = options.idleTimeout ?? 60_000;
  const headersTimeout = options.headersTimeout ?? 30_000;
  const requestTimeout = options.requestTimeout ?? 15 * 60_000;
  let drain: ReturnType<typeof createDrain> | undefined;
  const server = srvxServe({
    // srvx's `request.ip` is the socket address here (its trustProxy is off); the handler applies TRUST_PROXY itself.
    fetch: (request) => {
      const node = request.runtime?.node;
      const req = node?.req as IncomingMessage | undefined;
      const res = node?.res as ServerResponse | undefined;
      if (drain?.draining) {
        if (res) res.shouldKeepAlive = false;
        return json(
          { success: false, msg: 'the server is shutting down: retry in a moment', code: 'ERR_NETWORK' },
          503,
          { 'retry-after': '5' },
        );
      }
      const work = handler(request, {
        ip: request.ip,
        ...(req ? { body: clientBody(req, idleTimeout) } : {}),
      }).then((response) => {
        if (req && res && response.status >= 400) lingerAfterEarlyAnswer(req, res);
        return response;
      });
      drain?.track(res, work);
      return work;
    },
    port: options.port ?? 8000,
    ...(options.hostname ? { hostname: options.hostname } : {}),
    silent: true,
    gracefulShutdown: false,
    node: {
      requestTimeout,
      headersTimeout,
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, headersTimeout, requestTimeout),
    },
  });
  await server.ready();
  const http = server.node!.server! as HttpServer;
  drain = createDrain(http);
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : Number(options.port ?? 8000);
  return {
    url: (server.url ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    port,
    handler,
    close: (force) => server.close(force),
    shutdown: (graceMs) => drain!.shutdown(graceMs),
  };
}
