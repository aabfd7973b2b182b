/**
 * The routes for operators and the page: `GET /auth` (is this key right? a wrong one costs a guess like anywhere
 * else), `GET /metrics` (Prometheus text, for a client with an access key) and `DELETE /bans/:address` (lifts a
 * ban; for `bytedrop-server unban`, which proves it runs beside the server by holding the delete-link secret).
 */
import { BytedropError } from '@bytedrop/core';
import { toBase64Url } from './_base64url';
import { createHashing } from './_crypto';
import type { BanStore } from './bans';
import { banKey } from './client-address';
import { fail, json, methodNotAllowed } from './response';
import type { App, RouteContext } from './types';

const PURPOSE = 'bytedrop-admin-v1';

/**
 * The admin token of a server: HMAC-SHA-256 of a fixed purpose under the delete-link secret. Whoever holds the
 * secret (the data directory or BYTEDROP_SECRET) can compute it; an access key cannot, and the secret itself never
 * travels.
 */
export async function adminToken(secret: string | Uint8Array): Promise<string> {
  const hashing = createHashing();
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : new Uint8Array(secret);
  return toBase64Url(await hashing.hmacSha256(key).sign(PURPOSE));
}

/** The operator routes of one handler. */
export function createOperatorRoutes(app: App, bans: BanStore) {
  const hashing = createHashing();
  const expected = adminToken(app.options.secret).then((token) => hashing.sha256(token));

  const keyCheck = async (request: Request, context: RouteContext): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET');
    const who = await app.authenticate(request, context.client, context.log);
    return json({ success: true, msg: 'the access key is right', name: who.name, admin: who.admin === true });
  };

  const metrics = async (request: Request, context: RouteContext): Promise<Response> => {
    if (request.method !== 'GET') return methodNotAllowed('GET');
    if (!app.options.metrics)
      throw fail('ERR_NOT_FOUND', 'metrics are off: pass `metrics` (createPrometheusMetrics) to the server');
    await app.authenticate(request, context.client, context.log);
    const { contentType, body } = await app.metrics.render();
    return new Response(body, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
  };

  const unban = async (request: Request, context: RouteContext, rawAddress: string): Promise<Response> => {
    if (request.method !== 'DELETE') return methodNotAllowed('DELETE');
    const presented = request.headers.get('x-bytedrop-admin') ?? '';
    if (!hashing.equal(await hashing.sha256(presented), await expected)) {
      throw fail(
        'ERR_FORBIDDEN',
        'lifting a ban needs the admin token: run `bytedrop-server unban <address>` with the server’s data directory or BYTEDROP_SECRET',
      );
    }
    if (!bans.lift) {
      throw new BytedropError('ERR_CONFIG', `this server's ban store (${bans.kind}) cannot lift bans`);
    }
    let address: string;
    try {
      address = decodeURIComponent(rawAddress);
    } catch {
      throw fail('ERR_INPUT', `'${rawAddress}' is not a valid address`);
    }
    if (!/^[0-9a-f.:]+$/i.test(address))
      throw fail('ERR_INPUT', `'${address}' is not an IP address: write e.g. 203.0.113.7 or 2001:db8::1`);
    const key = banKey(address);
    const lifted = await bans.lift(key);
    context.log.info({ address: key, lifted }, 'ban lifted');
    return json({
      success: true,
      msg: lifted ? `${key} may send keys again` : `${key} had no wrong keys on record`,
      address: key,
      lifted,
    });
  };

  return { keyCheck, metrics, unban };
}
