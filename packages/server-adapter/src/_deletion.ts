/**
 * `/files/:key?token=…`: DELETE deletes (the API). In a browser, GET shows a confirmation page and its form POSTs
 * back to delete: a GET never deletes, since link previews and prefetchers follow URLs. A token is checked first
 * (no storage request for a forged one), then against the owner recorded with the object (a HEAD), so it deletes
 * only the file its access key uploaded. A delete token is no access key, so storage failures are answered without
 * their details (endpoint, bucket), which go to the log.
 */
import type { ObjectStore } from '@bytedrop/core';
import { forgetFile } from './_catalog-write';
import { deleteConfirmPage, deletedPage } from './_delete-page';
import { fail, json, methodNotAllowed, StorageFailure } from './response';
import type { App } from './types';

/** The delete route of one handler. */
export function createDeletion(app: App) {
  /** The key a `/files/…` request names, once its delete token is checked (`ERR_FORBIDDEN` otherwise). */
  const deletableKey = async (
    request: Request,
    url: URL,
    path: string,
  ): Promise<{ key: string; owner: string | undefined }> => {
    if (!app.store) throw fail('ERR_CONFIG', 'deleting needs the store: pass `store` to createHandler');
    let key: string;
    try {
      key = path.split('/').map(decodeURIComponent).join('/');
    } catch {
      throw fail('ERR_INPUT', `'${path}' is not a valid key path`);
    }
    const token = url.searchParams.get('token') ?? request.headers.get('x-delete-token');
    const grant = token ? await app.tokens.check(key, token) : undefined;
    if (!grant) {
      throw fail(
        'ERR_FORBIDDEN',
        `the delete token does not match '${key}': use the deleteUrl returned by the upload`,
      );
    }
    let found: Awaited<ReturnType<ObjectStore['head']>>;
    try {
      found = await app.store.head(key);
    } catch (error) {
      throw new StorageFailure(error, { private: true });
    }
    if (!found) {
      // A delete whose record outlived its object (the catalog failed after the object went) finishes here.
      await forgetFile(app.catalog, key, app.logger);
      throw fail('ERR_NOT_FOUND', `nothing is stored at '${key}': it was deleted already`);
    }
    // The object there now may be another key's: the same bytes uploaded again after this token's file was deleted.
    if (!(await app.tokens.covers(grant, found.meta?.owner))) {
      throw fail(
        'ERR_FORBIDDEN',
        `the delete token does not cover the file at '${key}': only the deleteUrl given to the access key that first uploaded it deletes it`,
      );
    }
    return { key, owner: found.meta?.owner };
  };

  return async (request: Request, url: URL, path: string, requestId?: string): Promise<Response> => {
    const { method } = request;
    if (method !== 'DELETE' && method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      return methodNotAllowed('DELETE, GET, POST');
    }
    const { key, owner } = await deletableKey(request, url, path);
    if (method === 'GET' || method === 'HEAD') return deleteConfirmPage(key);
    try {
      // Thumbnails first: a failure leaves the file, so a retry of this link still finds it and finishes.
      if (app.store) await app.options.thumbnails?.remove(app.store, key);
      await app.store?.delete(key);
    } catch (error) {
      throw new StorageFailure(error, { private: true });
    }
    // Storage first: a retry after a catalog failure finds the object gone and the record still there, and removes it.
    await forgetFile(app.catalog, key, app.logger);
    app.options.webhooks?.emit('file.deleted', { key, owner: owner ?? '' }, requestId);
    return method === 'POST' ? deletedPage(key) : json({ success: true, msg: 'deleted', key });
  };
}
