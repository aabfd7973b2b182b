/**
 * `@bytedrop/server/node`: the Node runner (srvx) and the Node-only parts (pino logger, Redis bans).
 * The runner passes the socket address to the handler and sets timeouts against slow clients.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FastResponse, serve as srvxServe } from 'srvx/node';
import { type BytedropHandler, createRuntimeHandler, type HandlerOptions } from './handler';

export type { LoggerOptions } from './logger';
export { createLogger, REDACT_PATHS } from './logger';
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
  /** Silence allowed on a socket, mid-upload included, in ms (default 60 s): Node's `server.timeout`. */
  idleTimeout?: number;
}

/** How long, and how much, of an unread body is discarded after an early answer (413, 401, 400…). */
const LINGER_MS = 10_000;
const LINGER_BYTES = 64 * 1024 * 1024;

/**
 * After answering before the body was read, discard what the client is still sending for a bounded time instead
 * of closing at once: closing a socket with unread data makes the kernel send a reset, and the client would lose
 * the 413 it was about to read. Clients stop sending once they see the answer; the rest is cut off.
 */
function lingerAfterEarlyAnswer(req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => {
    if (req.complete || req.destroyed) return;
    // The handler stopped reading (its iterator left the stream paused and open); take the body over, throw it away.
    req.removeAllListeners('data');
    let discarded = 0;
    const cut = () => req.socket?.destroy();
    const timer = setTimeout(cut, LINGER_MS);
    timer.unref();
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > LINGER_BYTES) cut();
    });
    req.once('end', () => clearTimeout(timer));
    req.once('close', () => clearTimeout(timer));
    req.resume();
  });
}

/** A running server. */
export interface RunningServer {
  /** `http://<host>:<port>` as bound, without a trailing slash (use `port` for a URL to print). */
  readonly url: string;
  readonly port: number;
  readonly handler: BytedropHandler;
  /** Stops listening; `force` also cuts open connections. */
  close(force?: boolean): Promise<void>;
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
 * ```
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  // Upload answers as srvx's FastResponse: written to the socket as a string, no web stream built and read back.
  const handler = createRuntimeHandler(options, FastResponse);
  const server = srvxServe({
    // srvx's `request.ip` is the socket address here (its trustProxy is off); the handler applies TRUST_PROXY itself.
    fetch: async (request) => {
      const node = request.runtime?.node;
      const req = node?.req as IncomingMessage | undefined;
      const response = await handler(request, {
        ip: request.ip,
        // The IncomingMessage itself, not srvx's `request.body`: Node's web-stream adapter copies every chunk.
        // `destroyOnReturn: false` keeps the socket open when the handler stops early, for its 413 to arrive.
        ...(req ? { body: { [Symbol.asyncIterator]: () => req.iterator({ destroyOnReturn: false }) } } : {}),
      });
      if (node?.res && response.status >= 400) {
        lingerAfterEarlyAnswer(req as IncomingMessage, node.res as ServerResponse);
      }
      return response;
    },
    port: options.port ?? 8000,
    ...(options.hostname ? { hostname: options.hostname } : {}),
    silent: true,
    gracefulShutdown: false,
    node: {
      requestTimeout: options.requestTimeout ?? 15 * 60_000,
      headersTimeout: options.headersTimeout ?? 30_000,
      keepAliveTimeout: 5_000,
    },
  });
  await server.ready();
  const http = server.node!.server!;
  // Idle sockets (a client that stops sending mid-body) are closed; the upload then aborts like a disconnect.
  http.setTimeout(options.idleTimeout ?? 60_000);
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : Number(options.port ?? 8000);
  return {
    url: (server.url ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    port,
    handler,
    close: (force) => server.close(force),
  };
}
