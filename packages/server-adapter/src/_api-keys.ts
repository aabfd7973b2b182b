/**
 * The admin API of managed keys, mounted under `/api/keys`: `POST /api/keys` (add; the secret is in this answer
 * only), `GET /api/keys`, `DELETE /api/keys/{name}` (revoke) and `POST /api/keys/{name}/rotate`. Every route needs
 * a key with the `admin` scope.
 */

import { readBytes } from './_api-json';
import { catalogUnavailable } from './_catalog-write';
import { addKey, revokeKey, rotateKey, viewKey } from './_key-actions';
import { parseNewKey } from './_key-params';
import { requireScope } from './_scopes';
import type { Catalog } from './catalog/types';
import { fail, json, methodNotAllowed } from './response';
import type { App, RouteContext } from './types';

/** A key's settings are a few hundred bytes; anything near this is not one. */
const MAX_BODY = 16 * 1024;

/** The JSON body of a request, at most `MAX_BODY` bytes; `{}` for none. */
async function readJson(request: Request, context: RouteContext): Promise<unknown> {
  const bytes = await readBytes(request, context, MAX_BODY, () =>
    fail('ERR_TOO_LARGE', `the body is over ${MAX_BODY} bytes: send only the key's settings`),
  );
  const text = new TextDecoder().decode(bytes).trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw fail(
      'ERR_INPUT',
      'the body is not JSON: send {"name":"alice","scopes":["upload"]} with Content-Type: application/json',
    );
  }
}

/** The `/api/keys` routes of one handler. */
export function createKeysApi(app: App) {
  /** Runs a catalog step; a driver failure is a 503, a refusal (409, 404) passes as it is. */
  const run = async <T>(catalog: Catalog, what: string, context: RouteContext, step: () => Promise<T>) => {
    try {
      return await step();
    } catch (error) {
      if ((error as { name?: string }).name === 'BytedropError') throw error;
      throw catalogUnavailable(catalog, error, context.log, what);
    }
  };

  const nameOf = (raw: string): string => {
    try {
      const name = decodeURIComponent(raw);
      if (name !== '' && !name.includes('/')) return name;
    } catch {}
    throw fail(
      'ERR_INPUT',
      `'${raw}' is not a key name: write /api/keys/<name> with the name percent-encoded`,
    );
  };

  /** Routes `/api/keys…` (`rest` is what follows `keys`). */
  return async (request: Request, context: RouteContext, rest: string): Promise<Response> => {
    const catalog = app.catalog;
    const { method } = request;
    const allowed = rest === '' ? 'GET, POST' : rest.endsWith('/rotate') ? 'POST' : 'DELETE';
    if (!allowed.split(', ').includes(method)) return methodNotAllowed(allowed);
    const who = await app.authenticate(request, context.client, context.log);
    requireScope(who, 'admin');
    if (!catalog) {
      throw fail(
        'ERR_NOT_FOUND',
        'managed keys need the catalog: start bytedrop-server, or pass `catalog` to createHandler',
      );
    }
    if (rest === '' && method === 'GET') {
      const keys = await run(catalog, 'the keys could not be listed', context, () =>
        catalog.accessKeys.list(),
      );
      const now = new Date();
      return json({ success: true, keys: keys.map((key) => viewKey(key, now)) });
    }
    if (rest === '') {
      const settings = parseNewKey(await readJson(request, context), new Date());
      const made = await run(catalog, 'the key was not added', context, () => addKey(catalog, settings));
      context.log.info({ key: made.key.name, by: who.name }, 'access key added');
      return json({ success: true, ...made }, 201);
    }
    if (rest.endsWith('/rotate')) {
      const name = nameOf(rest.slice(1, -'/rotate'.length));
      const made = await run(catalog, 'the key was not rotated', context, () => rotateKey(catalog, name));
      context.log.info({ key: name, by: who.name }, 'access key rotated');
      return json({ success: true, ...made });
    }
    const name = nameOf(rest.slice(1));
    const key = await run(catalog, 'the key was not revoked', context, () => revokeKey(catalog, name));
    context.log.info({ key: name, by: who.name }, 'access key revoked');
    return json({ success: true, msg: 'revoked', key });
  };
}
