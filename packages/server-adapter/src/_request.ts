/**
 * What the handler reads off a request before routing: its URL (refusing a Host header no URL can hold), the
 * client's address, and the origins this server answers as.
 */
import { clientAddress, type TrustProxy } from './client-address';
import { fail } from './response';

// srvx's own test of a Host header (it swaps a failing one for `_invalid_`), plus a port that fits in 16 bits.
const HOST =
  /^(\[[A-Fa-f0-9:.]+\]|(?:[A-Za-z0-9_-]+\.)*[A-Za-z0-9_-]+|(?:\d{1,3}\.){3}\d{1,3})(?::(\d{1,5}))?$/;

function badHost() {
  return fail('ERR_INPUT', 'the Host header is not a valid host name: send e.g. `Host: drop.example.com`');
}

/** The request's URL; `ERR_INPUT` (400) for a malformed Host header rather than a 500 from `new URL`. */
export function requestUrl(request: Request): URL {
  const host = request.headers.get('host');
  if (host !== null) {
    const match = HOST.exec(host);
    if (!match || Number(match[2] ?? 0) > 65535) throw badHost();
  }
  try {
    return new URL(request.url);
  } catch {
    throw badHost();
  }
}

/** Where the handler learns about the client and itself. */
export interface RequestFacts {
  trustProxy: TrustProxy | undefined;
  /** The configured public origin (`BYTEDROP_SERVER_URL`), if any. */
  serverUrl: string | undefined;
}

/** The client's address: the socket's, or `X-Forwarded-For` through trusted proxies. */
export function addressOf(request: Request, socketIp: string | undefined, facts: RequestFacts): string {
  return clientAddress(
    socketIp ?? (request as { ip?: string }).ip,
    request.headers.get('x-forwarded-for'),
    facts.trustProxy,
  );
}

/** The public origin links are built on: `serverUrl`, else the request's (with trusted `X-Forwarded-*`). */
export function originOf(request: Request, url: URL, facts: RequestFacts): string {
  if (facts.serverUrl) return facts.serverUrl.replace(/\/+$/, '');
  const origin = new URL(url.origin);
  if (facts.trustProxy) {
    const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
    const host = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim();
    if (proto === 'http' || proto === 'https') origin.protocol = `${proto}:`;
    if (host && HOST.test(host)) origin.host = host;
  }
  return origin.origin;
}

/**
 * The hosts this server's own page may be loaded from: the Host the request came to, the trusted forwarded host
 * and the configured public URL's. Compared without the scheme, since a proxy that ends TLS changes it.
 */
export function ownHosts(request: Request, url: URL, facts: RequestFacts): string[] {
  const hosts = [url.host, new URL(originOf(request, url, facts)).host];
  return hosts.map((host) => host.toLowerCase());
}

/** A request id worth keeping: printable, no spaces or quotes, at most 128 characters (a UUID, a trace id). */
const SANE_ID = /^[A-Za-z0-9._:/+=@-]{1,128}$/;

/**
 * The request's id: the client's or proxy's `X-Request-Id` when it is sane (so one id follows a request through
 * nginx and the server's log), otherwise a new UUID.
 */
export function requestIdOf(request: Request): string {
  const given = request.headers.get('x-request-id')?.trim();
  return given && SANE_ID.test(given) ? given : crypto.randomUUID();
}
