/**
 * Cross-origin rules. A browser attaches an `Origin` to cross-origin requests, and any website could make its
 * visitors' browsers send keys to this server and spend their addresses' guesses. So a request that carries a key
 * and an `Origin` is served only from the server's own page and the origins the operator allowed (`CORS_ORIGINS`);
 * others are refused before the key is looked at, costing no guess. Clients without an `Origin` (curl, ShareX, PicGo,
 * the editors) are not browsers and are not affected.
 */
import { BytedropError } from '@bytedrop/core';
import { presentedKey } from './auth';
import { fail, json } from './response';

/** The cross-origin checks of one handler. */
export interface Cors {
  /** Throws `ERR_FORBIDDEN` (403) for a request with a key from an origin that is not allowed. */
  guard(request: Request, ownHosts: readonly string[]): void;
  /** Answers `OPTIONS`: CORS headers for an allowed origin, a 403 for any other. */
  preflight(request: Request, ownHosts: readonly string[]): Response;
  /** The headers that let an allowed cross-origin page read `response`; none for others. */
  expose(request: Request, ownHosts: readonly string[], response: Response): Response;
}

/** Lower-case `scheme://host[:port]`, or `undefined` for something that is no origin (`null`, garbage). */
function normalise(origin: string): string | undefined {
  if (origin === '*') return origin;
  try {
    const url = new URL(origin);
    return url.origin === 'null' ? origin.toLowerCase() : url.origin.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Cross-origin rules for `allowed` origins (`https://notes.example.com`; `*` allows every origin, knowingly).
 *
 * @example
 * ```ts
 * const cors = createCors(['https://notes.example.com']);
 * cors.guard(request, ['drop.example.com']); // throws for Origin: https://evil.example with a key
 * ```
 */
export function createCors(allowed: readonly string[] = []): Cors {
  const list = new Set(
    allowed.map((entry) => {
      const trimmed = entry.trim().replace(/\/+$/, '');
      const origin = normalise(trimmed);
      // A host without its scheme, or a page's URL, would silently match nothing; say so at start instead.
      if (origin === undefined || (trimmed !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]+$/i.test(trimmed))) {
        throw new BytedropError(
          'ERR_CONFIG',
          `CORS_ORIGINS entry '${entry}' is not an origin: write the scheme and host the page is served from, e.g. https://notes.example.com`,
        );
      }
      return origin;
    }),
  );
  const any = list.has('*');

  const allows = (origin: string, ownHosts: readonly string[]): boolean => {
    if (any) return true;
    const normal = normalise(origin);
    if (normal === undefined) return false;
    if (list.has(normal)) return true;
    try {
      return ownHosts.includes(new URL(origin).host.toLowerCase());
    } catch {
      return false;
    }
  };

  return {
    guard(request, ownHosts) {
      const origin = request.headers.get('origin');
      if (origin === null || presentedKey(request.headers) === undefined || allows(origin, ownHosts)) return;
      throw fail(
        'ERR_FORBIDDEN',
        `requests with an access key are not taken from the web page at ${origin.slice(0, 200)}: add that origin to CORS_ORIGINS on the server if it is yours`,
      );
    },
    preflight(request, ownHosts) {
      const origin = request.headers.get('origin');
      if (origin !== null && !allows(origin, ownHosts)) {
        return json(
          {
            success: false,
            msg: `cross-origin requests are not taken from ${origin.slice(0, 200)}: add it to CORS_ORIGINS on the server if it is yours`,
            code: 'ERR_FORBIDDEN',
          },
          403,
          { vary: 'Origin' },
        );
      }
      return new Response(null, {
        status: 204,
        headers: {
          ...(origin === null ? {} : { 'access-control-allow-origin': origin }),
          'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
          'access-control-allow-headers':
            'Authorization, X-API-Key, X-PicGo-Secret, X-Delete-Token, Content-Type, Content-MD5, Keep-Metadata, Convert, Bytedrop-Private',
          'access-control-max-age': '86400',
          vary: 'Origin',
        },
      });
    },
    expose(request, ownHosts, response) {
      const origin = request.headers.get('origin');
      if (
        origin !== null &&
        allows(origin, ownHosts) &&
        !response.headers.has('access-control-allow-origin')
      ) {
        response.headers.set('access-control-allow-origin', origin);
        // So a page elsewhere can quote the request id, and see when a ban ends.
        response.headers.set('access-control-expose-headers', 'X-Request-Id, Retry-After');
        response.headers.append('vary', 'Origin');
      }
      return response;
    },
  };
}
