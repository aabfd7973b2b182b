/**
 * `/files/:key?token=…`: DELETE deletes (the API). In a browser, GET shows a confirmation page and its form POSTs
 * back to delete: a GET never deletes, since link previews and prefetchers follow URLs. A delete token is no access
 * key, so storage failures are answered without their details (endpoint, bucket), which go to the log.
 */
import { deleteConfirmPage, deletedPage } from './_delete-page';
import type { App } from './handler';
import { fail, json, methodNotAllowed, StorageFailure } from './response';

/** The delete route of one handler. */
export function createDeletion(app: App) {
  /** The key a `/files/…` request names, once its delete token is checked (`ERR_FORBIDDEN` otherwise). */
  const deletableKey = async (request: Request, url: URL, path: string): Promise<string> => {
    if (!app.store) throw fail('ERR_CONFIG', 'deleting needs the store: pass `store` to createHandler');
    let key: string;
    try {
      key = path.split('/').map(decodeURIComponent).join('/');
    } catch {
      throw fail('ERR_INPUT', `'${path}' is not a valid key path`);
    }
    const token = url.searchParams.get('token') ?? request.headers.get('x-delete-token');
    if (!token || !(await app.tokens.verify(key, token))) {
      throw fail(
        'ERR_FORBIDDEN',
        `the delete token does not match '${key}': use the deleteUrl returned by the upload`,
      );
    }
    return key;
  };

  return async (request: Request, url: URL, path: string): Promise<Response> => {
    const { method } = request;
    if (method !== 'DELETE' && method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      return methodNotAllowed('DELETE, GET, POST');
    }
    const key = await deletableKey(request, url, path);
    if (method === 'GET' || method === 'HEAD') return deleteConfirmPage(key);
    try {
      await app.store?.delete(key);
    } catch (error) {
      throw new StorageFailure(error, { private: true });
    }
    return method === 'POST' ? deletedPage(key) : json({ success: true, msg: 'deleted', key });
  };
}
