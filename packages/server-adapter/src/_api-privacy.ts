/**
 * `PATCH /api/files/{key}` with `{ "private": true | false }`: makes a file private or public. Privacy is the key
 * (`_private.ts`: under the private prefix or not), so the object moves: copied to its new key, the copy checked
 * (same size and Bytedrop metadata), recorded in the catalog, and only then the old object, its thumbnails and its
 * record removed. A failure before the old object goes leaves the file where it was, still whole. The copy keeps the
 * original's headers and metadata; webhooks get one `file.moved` (sent by the files API once the move is done).
 *
 * A public file's old links stop working once it is private (that is the point), and a private file made public gets
 * a new public URL. Thumbnails are not carried over: a private file must have none in public, and a file made public
 * gets them from `bytedrop-server thumbnails --backfill` (the page shows the file itself meanwhile).
 */
import * as v from 'valibot';
import { firstIssueOf, readJson } from './_api-json';
import { catalogUnavailable, forgetFile } from './_catalog-write';
import { isPrivateKey } from './_private';
import type { FileRecord } from './catalog/types';
import { fail, StorageFailure } from './response';
import type { App, RouteContext } from './types';

const PrivacyRequest = v.strictObject({
  private: v.boolean(
    'private must be true (only signed links open the file) or false (a public link opens it)',
  ),
});

/** The privacy route of one handler. */
export function createPrivacyRoute(app: App) {
  const { privatePrefix } = app;

  /** Moves `file` (already checked to be the caller's) to the side `request` asks for; answers its record there. */
  return async (request: Request, context: RouteContext, file: FileRecord): Promise<FileRecord> => {
    const body = await readJson(request, context, 1024, 'PATCH /api/files/{key}');
    const parsed = v.safeParse(PrivacyRequest, body);
    if (!parsed.success) throw fail('ERR_INPUT', firstIssueOf(parsed.issues, 'private'));
    const wanted = parsed.output.private;
    if (isPrivateKey(file.key, privatePrefix) === wanted) return file;
    const store = app.store;
    const catalog = app.catalog!;
    if (!store) throw fail('ERR_CONFIG', 'changing privacy needs the store: pass `store` to createHandler');
    const target = wanted ? `${privatePrefix}${file.key}` : file.key.slice(privatePrefix.length);
    let taken: FileRecord | undefined;
    try {
      taken = await catalog.get(target);
    } catch (error) {
      throw catalogUnavailable(catalog, error, context.log, `'${target}' could not be looked up`);
    }
    if (taken) {
      throw fail(
        'ERR_CONFLICT',
        `'${target}' already holds a file (the same bytes uploaded ${wanted ? 'private' : 'public'}): delete this one instead`,
      );
    }
    const source = await store.head(file.key).catch((error) => {
      throw new StorageFailure(error);
    });
    if (!source) {
      throw fail(
        'ERR_NOT_FOUND',
        `'${file.key}' is in the catalog but gone from storage: \`bytedrop-server catalog rebuild\` drops such records`,
      );
    }
    // Storage may hold what the catalog does not list (a write the catalog missed, another tool's): never copy over it.
    const occupied = await store.head(target).catch((error) => {
      throw new StorageFailure(error);
    });
    if (occupied) {
      throw fail(
        'ERR_CONFLICT',
        `'${target}' already holds an object in storage that the catalog does not list: \`bytedrop-server catalog rebuild\` adopts it; then delete one of the two`,
      );
    }
    try {
      // The copy is served as the original was: same type, caching and disposition (an HTML file stays an
      // attachment), same owner, hash and filename metadata.
      await store.copy(file.key, target, {
        contentType: source.contentType ?? file.contentType,
        ...(source.cacheControl ? { cacheControl: source.cacheControl } : {}),
        ...(source.contentDisposition ? { contentDisposition: source.contentDisposition } : {}),
        ...(source.meta ? { meta: source.meta } : {}),
      });
      const copied = await store.head(target);
      if (copied?.size !== source.size) {
        await store.delete(target);
        throw new Error(`the copy at '${target}' is ${copied?.size ?? 'no'} bytes, not ${source.size}`);
      }
    } catch (error) {
      throw new StorageFailure(error);
    }
    const moved = { ...file, key: target };
    try {
      await catalog.record(moved);
    } catch (error) {
      throw catalogUnavailable(catalog, error, context.log, `'${target}' is copied but not recorded`);
    }
    try {
      await app.options.thumbnails?.remove(store, file.key);
      await store.delete(file.key);
    } catch (error) {
      throw new StorageFailure(error);
    }
    await forgetFile(catalog, file.key, context.log);
    return moved;
  };
}
