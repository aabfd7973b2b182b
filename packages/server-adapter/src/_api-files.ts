/**
 * The catalog's JSON API, mounted by the handler under `/api/`: `GET /api/files` (the caller's files, an admin's
 * sees all; newest first, cursor pages, filters, totals), `GET /api/files/{key}`, `DELETE /api/files/{key}` (the
 * owner or an admin, no delete token), `PATCH /api/files/{key}` (private or public, `_api-privacy.ts`),
 * `GET /api/usage`, `GET /api/uploads` (uploads in flight), and `GET /api/openapi.json` describing them (readable at
 * `GET /api/docs`). Every route but the document and its page needs an access key.
 */
import { publicUrl } from '@bytedrop/core';
import { apiDocsResponse } from './_api-docs';
import { createKeysApi } from './_api-keys';
import { createLinkRoutes } from './_api-links';
import { encodeCursor, parseListParams } from './_api-params';
import { createPrivacyRoute } from './_api-privacy';
import { createStatsRoute } from './_api-stats';
import { createUploadsRoute } from './_api-uploads';
import { createZipRoute } from './_api-zip';
import { catalogUnavailable, forgetFile } from './_catalog-write';
import { OPENAPI } from './_openapi';
import { isPrivateKey } from './_private';
import { usageLimits } from './_quota';
import { requireScope } from './_scopes';
import type { AccessKey } from './auth';
import type { Catalog, FileRecord } from './catalog/types';
import { fail, json, methodNotAllowed, StorageFailure } from './response';
import type { App, RouteContext } from './types';

/** The API routes of one handler. */
export function createApiRoutes(app: App) {
  const { options } = app;

  const catalogOf = (): Catalog => {
    if (!app.catalog) {
      throw fail(
        'ERR_NOT_FOUND',
        'the file catalog is off on this server: start bytedrop-server (it keeps one by default), or pass `catalog` to createHandler',
      );
    }
    return app.catalog;
  };

  /** Runs a catalog read; its failure is a 503 naming what could not be answered. */
  const ask = async <T>(catalog: Catalog, what: string, log: RouteContext['log'], run: () => Promise<T>) => {
    try {
      return await run();
    } catch (error) {
      throw catalogUnavailable(catalog, error, log, what);
    }
  };

  const urlOf = (key: string, origin: string): string | null => {
    const base = options.publicBaseUrl ?? (options.files ? `${origin}/f` : undefined);
    if (base) return publicUrl(base, key);
    return app.store ? app.store.publicUrl(key) : null;
  };

  const { privatePrefix } = app;
  /** The shown thumbnail's URL, for an image the server makes thumbnails of (the same one the upload answer gives). */
  const thumbnailOf = (file: FileRecord, origin: string): { thumbnail?: string } => {
    const { thumbnails } = options;
    if (!thumbnails?.wanted(file.contentType, file.size)) return {};
    // None for an image too large to ever be thumbnailed (a decompression bomb), as in its upload answer: a link that
    // would stay 404. An unknown size (null: undecodable, or a record rebuilt from storage) cannot tell, so it links.
    const { width, height } = file;
    if (width !== null && height !== null && thumbnails.hopeless?.({ width, height })) return {};
    const url = urlOf(thumbnails.shownKey(file.key), origin);
    return url === null ? {} : { thumbnail: url };
  };
  const describe = (file: FileRecord, origin: string) => {
    // A private file has no public URL (POST /api/links signs one) and no thumbnail URL: a listing mints no grants.
    const hidden = isPrivateKey(file.key, privatePrefix);
    return {
      ...file,
      url: hidden ? null : urlOf(file.key, origin),
      ...(hidden ? {} : thumbnailOf(file, origin)),
      private: hidden,
      createdAt: file.createdAt.toISOString(),
    };
  };

  /** Non-admins see their own files only; an admin may narrow to one owner. */
  const ownerScope = (who: AccessKey, asked: string | undefined): string | undefined => {
    if (who.admin) return asked;
    if (asked !== undefined && asked !== who.name) {
      throw fail(
        'ERR_FORBIDDEN',
        `owner '${asked}': only an admin key sees other owners' files; drop owner to list yours`,
      );
    }
    return who.name;
  };

  const keyOf = (path: string): string => {
    try {
      const key = path.split('/').map(decodeURIComponent).join('/');
      if (key !== '') return key;
    } catch {}
    throw fail(
      'ERR_INPUT',
      `'${path}' is not a key: write /api/files/<key> with each segment percent-encoded (encodeURIComponent)`,
    );
  };

  /** The record at a key, when the caller may see it. */
  const mine = async (who: AccessKey, key: string, context: RouteContext): Promise<FileRecord> => {
    const catalog = catalogOf();
    const file = await ask(catalog, `'${key}' could not be looked up`, context.log, () => catalog.get(key));
    if (!file) throw fail('ERR_NOT_FOUND', `no file '${key}' in the catalog: GET /api/files lists yours`);
    if (!who.admin && file.owner !== who.name) {
      throw fail(
        'ERR_FORBIDDEN',
        `'${key}' is not one of your files: only its owner or an admin key may see or delete it`,
      );
    }
    return file;
  };

  const list = async (request: Request, url: URL, context: RouteContext): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET');
    const who = await app.authenticate(request, context.client, context.log);
    requireScope(who, 'list-own');
    const catalog = catalogOf();
    const asked = parseListParams(url.searchParams);
    const owner = ownerScope(who, asked.filters.owner);
    const query = { ...asked.filters, ...(owner === undefined ? {} : { owner }) };
    const page = await ask(catalog, 'the files could not be listed', context.log, () =>
      catalog.list(query, { limit: asked.limit, ...(asked.after ? { after: asked.after } : {}) }),
    );
    return json(
      {
        success: true,
        files: page.files.map((file) => describe(file, context.origin)),
        next: page.next ? encodeCursor(page.next, asked.filters) : null,
        total: page.total,
      },
      200,
      undefined,
      app.ResponseClass,
    );
  };

  const file = async (request: Request, context: RouteContext, path: string): Promise<Response> => {
    const { method } = request;
    if (!['GET', 'HEAD', 'DELETE', 'PATCH'].includes(method)) return methodNotAllowed('GET, PATCH, DELETE');
    const who = await app.authenticate(request, context.client, context.log);
    // Changing a file's privacy moves it, as its owner may when deleting.
    requireScope(who, method === 'GET' || method === 'HEAD' ? 'list-own' : 'delete-own');
    const key = keyOf(path);
    const found = await mine(who, key, context);
    if (method === 'PATCH') {
      const moved = describe(await privacy(request, context, found), context.origin);
      if (moved.key !== found.key) {
        const { key: to, owner, url, size, hash, contentType, filename } = moved;
        const facts = { key: to, owner: owner ?? '', size, contentType, filename, previousKey: key };
        // The hex alone, as `file.uploaded` sends it (the catalog keeps `<algorithm>:<hex>`).
        const hex = hash?.slice(hash.indexOf(':') + 1);
        app.options.webhooks?.emit(
          'file.moved',
          { ...facts, ...(url ? { url } : {}), ...(hex ? { hash: hex } : {}), private: moved.private },
          context.requestId,
        );
      }
      return json({ success: true, file: moved });
    }
    if (method !== 'DELETE') return json({ success: true, file: describe(found, context.origin) });
    if (!app.store) throw fail('ERR_CONFIG', 'deleting needs the store: pass `store` to createHandler');
    try {
      await app.options.thumbnails?.remove(app.store, key);
      await app.store.delete(key);
    } catch (error) {
      throw new StorageFailure(error);
    }
    // Storage first: a retry after a catalog failure finds the record and finishes (S3 deletes are idempotent).
    await forgetFile(app.catalog, key, context.log);
    app.options.webhooks?.emit('file.deleted', { key, owner: found.owner ?? '' }, context.requestId);
    return json({ success: true, msg: 'deleted', key });
  };

  const usage = async (request: Request, url: URL, context: RouteContext): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET');
    const who = await app.authenticate(request, context.client, context.log);
    const catalog = catalogOf();
    const names = [...url.searchParams.keys()].filter((name) => name !== 'owner');
    if (names.length > 0)
      throw fail('ERR_INPUT', `unknown parameter '${names[0]}': /api/usage takes only owner`);
    const owner = ownerScope(who, url.searchParams.get('owner') ?? undefined) ?? who.name;
    const now = new Date();
    const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const used = await ask(catalog, 'the usage could not be counted', context.log, () =>
      catalog.usage(owner, today),
    );
    return json({
      success: true,
      owner,
      files: used.files,
      bytes: used.bytes,
      uploadsToday: used.uploadsSince,
      limits: await ask(catalog, 'the limits could not be read', context.log, () =>
        usageLimits(app, who, owner),
      ),
    });
  };

  const keys = createKeysApi(app);
  const privacy = createPrivacyRoute(app);
  /** The catalog reads the zip and stats routes make, each failure a 503 like the routes here. */
  const reads = (context: RouteContext): CatalogReads => {
    const catalog = catalogOf();
    return {
      list: (query, page) =>
        ask(catalog, 'the files could not be listed', context.log, () => catalog.list(query, page)),
      getMany: (keys) =>
        ask(catalog, 'the files could not be looked up', context.log, () => catalog.getMany(keys)),
      stats: (window) =>
        ask(catalog, 'the statistics could not be counted', context.log, () => catalog.stats(window)),
    };
  };
  const zip = createZipRoute(app);
  const links = createLinkRoutes(app);
  const stats = createStatsRoute(app);
  const inFlight = createUploadsRoute(app, catalogOf, ask, ownerScope);

  /** Routes `/api/…` (the path after `/api/`). */
  const route = async (
    request: Request,
    url: URL,
    context: RouteContext,
    rest: string,
  ): Promise<Response> => {
    if (rest === 'zip') return zip(request, context, () => reads(context));
    if (rest === 'links') return links.create(request, context, mine);
    if (rest === 'stats') return stats(request, url, context, () => reads(context), describe);
    if (rest === 'files') return list(request, url, context);
    if (rest.startsWith('files/')) return file(request, context, rest.slice(6));
    if (rest === 'usage') return usage(request, url, context);
    if (rest === 'uploads') return inFlight(request, url, context);
    if (rest === 'keys' || rest.startsWith('keys/')) return keys(request, context, rest.slice(4));
    if (rest === 'openapi.json') {
      if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET');
      return json({ ...OPENAPI, servers: [{ url: context.origin }] });
    }
    if (rest === 'docs') {
      if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET');
      return apiDocsResponse(request, context.origin);
    }
    throw fail(
      'ERR_NOT_FOUND',
      `no API route /api/${rest}: the routes are /api/files, /api/files/<key>, /api/usage, /api/uploads, /api/keys, /api/zip, /api/links, /api/stats, /api/openapi.json and /api/docs`,
    );
  };
  // `/f/` serving honours signed links (local disk).
  return Object.assign(route, { serveFile: links.serve });
}

/** The catalog reads of the zip and stats routes. */
export type CatalogReads = Pick<Catalog, 'list' | 'getMany' | 'stats'>;
