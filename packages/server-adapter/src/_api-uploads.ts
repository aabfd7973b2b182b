/**
 * `GET /api/uploads`: the caller's uploads in flight (tus, partials included, and direct S3 uploads), newest first,
 * with how far each got, from the catalog, so every instance answers the same. An admin key sees everyone's, or one
 * owner's with `owner`. Expired uploads the sweep has not removed yet are left out.
 */

import { requireScope } from './_scopes';
import { TUS_PATH } from './_tus-access';
import type { AccessKey } from './auth';
import type { Catalog } from './catalog/types';
import type { UploadRecord } from './catalog/uploads';
import { fail, json, methodNotAllowed } from './response';
import type { App, RouteContext } from './types';

/** Most uploads one answer lists (a key has rarely more than a few in flight). */
export const MAX_UPLOADS = 1000;

/** The route, given the handler's catalog and its catalog-read wrapper (a failure is a 503). */
export function createUploadsRoute(
  app: App,
  catalogOf: () => Catalog,
  ask: <T>(catalog: Catalog, what: string, log: RouteContext['log'], run: () => Promise<T>) => Promise<T>,
  ownerScope: (who: AccessKey, asked: string | undefined) => string | undefined,
) {
  const describe = (upload: UploadRecord, origin: string) => ({
    ...upload,
    // A direct S3 upload is resumed through the signing routes with its key and uploadId, not a URL of its own.
    url: upload.kind === 's3' ? null : `${origin}${TUS_PATH}${upload.id}`,
    createdAt: upload.createdAt.toISOString(),
    expiresAt: upload.expiresAt.toISOString(),
  });

  return async (request: Request, url: URL, context: RouteContext): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET');
    const who = await app.authenticate(request, context.client, context.log);
    requireScope(who, 'list-own');
    const catalog = catalogOf();
    const names = [...url.searchParams.keys()].filter((name) => name !== 'owner');
    if (names.length > 0) {
      throw fail('ERR_INPUT', `unknown parameter '${names[0]}': /api/uploads takes only owner`);
    }
    const owner = ownerScope(who, url.searchParams.get('owner') ?? undefined);
    const now = Date.now();
    const uploads = await ask(catalog, 'the uploads in flight could not be listed', context.log, () =>
      catalog.uploads.list(owner, MAX_UPLOADS),
    );
    return json({
      success: true,
      uploads: uploads
        .filter((upload) => upload.expiresAt.getTime() > now)
        .map((upload) => describe(upload, context.origin)),
    });
  };
}
