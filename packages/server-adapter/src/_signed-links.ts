/**
 * HMAC-signed links to local-disk files: `/f/<key>?expires=<unix seconds>&sig=<mac>` (and `&download=1`), usable
 * without an access key until `expires`. The MAC covers key, expiry and disposition under the handler's `secret`
 * (the bin's `BYTEDROP_SECRET`, or `<data>/secret` generated on the first start), with its own purpose label so it
 * can never be confused with a delete token. Checked in constant time; stateless, so nothing is stored and a
 * restart keeps links working while the secret stays.
 */
import { attachmentDisposition } from '@bytedrop/core';
import { fromBase64Url, toBase64Url } from './_base64url';
import { createHashing } from './_crypto';
import { fail } from './response';

/** What a genuine signature grants: reading the key until `expires`, as a download when `download`. */
export interface LinkGrant {
  expires: number;
  download: boolean;
}

/** Signs and checks link signatures. */
export interface SignedLinks {
  /** The query string (`expires=…&sig=…`) that makes `/f/<key>` work until `expires` (unix seconds). */
  sign(key: string, expires: number, download: boolean): Promise<string>;
  /**
   * The grant of a request's query, `undefined` when it carries no signature; `ERR_FORBIDDEN` for a wrong or
   * expired one.
   */
  check(key: string, search: URLSearchParams): Promise<LinkGrant | undefined>;
}

const MAC_BYTES = 20;

/**
 * Signed links under `secret` (the delete-token secret; checked for length there).
 *
 * @example
 * ```ts
 * const links = createSignedLinks(process.env.BYTEDROP_SECRET!);
 * const query = await links.sign('2026/11/29/shot.png', Math.floor(Date.now() / 1000) + 600, false);
 * await links.check('2026/11/29/shot.png', new URLSearchParams(query)); // { expires, download: false }
 * ```
 */
export function createSignedLinks(secret: string | Uint8Array): SignedLinks {
  const hashing = createHashing();
  const hmac = hashing.hmacSha256(
    typeof secret === 'string' ? new TextEncoder().encode(secret) : new Uint8Array(secret),
  );
  const macOf = async (key: string, expires: number, download: boolean) =>
    (await hmac.sign(`bytedrop-link-v1:${expires}:${download ? 1 : 0}:${key}`)).subarray(0, MAC_BYTES);
  return {
    async sign(key, expires, download) {
      const mac = toBase64Url(await macOf(key, expires, download));
      return `expires=${expires}${download ? '&download=1' : ''}&sig=${mac}`;
    },
    async check(key, search) {
      const sig = search.get('sig');
      const expiresText = search.get('expires');
      if (sig === null && expiresText === null) return undefined;
      const download = search.get('download') === '1';
      const expires = Number(expiresText);
      const presented = sig === null ? undefined : fromBase64Url(sig, 64);
      const genuine =
        presented !== undefined &&
        /^\d{1,12}$/.test(expiresText ?? '') &&
        hashing.equal(presented, await macOf(key, expires, download));
      if (!genuine) {
        throw fail(
          'ERR_FORBIDDEN',
          'this link is not signed by this server (or was changed): ask the file owner for a new link (POST /api/links)',
        );
      }
      if (expires * 1000 <= Date.now()) {
        throw fail(
          'ERR_FORBIDDEN',
          `this link expired at ${new Date(expires * 1000).toISOString()}: ask the file owner for a new link (POST /api/links)`,
        );
      }
      return { expires, download };
    },
  };
}

/**
 * Adapts a `/f/` answer to a signed link: a download when asked, and cached privately for no longer than the link
 * lives (a shared cache must not serve it past its expiry).
 *
 * @example
 * ```ts
 * const response = signedAnswer(await serveFile(request, files, path), 'shot.png', grant);
 * ```
 */
export function signedAnswer(response: Response, key: string, grant: LinkGrant): Response {
  const left = Math.max(0, grant.expires - Math.floor(Date.now() / 1000));
  response.headers.set('cache-control', `private, max-age=${Math.min(left, 3600)}`);
  if (grant.download)
    response.headers.set('content-disposition', attachmentDisposition(key.split('/').at(-1)!));
  return response;
}
