/**
 * `POST /api/zip`: one ZIP of the caller's files, named by a list of keys or a prefix, streamed as it is made.
 *
 * The archive is written by `_zip-writer.ts` (why not a library: see there): web-standard streams in and out (the
 * handler is a fetch handler, so no Node stream bridge), one entry pulled at a time from an async iterator, and
 * the exact length known in advance. It stores without compressing, which is what uploads want (images, videos
 * and archives are compressed already) and what lets the length be known from the catalog's sizes alone:
 * `Content-Length` is always sent, so download progress works. ZIP64 is used past 4 GiB.
 *
 * Each object is opened only when the archive reaches it and read through; memory holds one chunk in flight.
 * A file that is in the catalog but gone from storage (or whose size differs) when its turn comes cannot be
 * answered with an error any more (the 200 and its length went out with the first byte), so the stream is cut:
 * the client gets fewer bytes than `Content-Length` promised, which every HTTP client reports as a failed
 * download, and the log names the key. `bytedrop-server catalog rebuild` drops records whose object is gone.
 */
import { attachmentDisposition } from '@bytedrop/core';
import * as v from 'valibot';
import type { CatalogReads } from './_api-files';
import { firstIssueOf, readJson } from './_api-json';
import { canRead, openObject } from './_object-reader';
import { makeZip, type ZipSource, zipLength } from './_zip-writer';
import type { AccessKey } from './auth';
import type { FileRecord } from './catalog/types';
import { fail, methodNotAllowed } from './response';
import type { App, Logger, RouteContext } from './types';

/** Most files in one ZIP: a list longer than this is refused, a prefix matching more too. */
export const MAX_ZIP_FILES = 1000;
/** Largest request body: 1000 keys of S3's longest (1024 bytes), with room for JSON. */
const MAX_BODY = 1100 * 1024;

const ZipRequest = v.pipe(
  v.strictObject({
    keys: v.optional(
      v.pipe(
        v.array(
          v.pipe(
            v.string('each key must be a string'),
            v.minLength(1, 'a key is empty: remove it'),
            v.maxLength(1024, 'a key is longer than S3 allows (1024)'),
          ),
          'keys must be an array of file keys, like ["2026/11/29/shot.png"]',
        ),
        v.minLength(1, 'keys is empty: list at least one key, or send prefix instead'),
        v.check(
          (keys) => keys.length <= MAX_ZIP_FILES,
          (issue) =>
            `keys lists ${(issue.input as unknown[]).length} files: a ZIP holds at most ${MAX_ZIP_FILES}; split them over several requests`,
        ),
      ),
    ),
    prefix: v.optional(
      v.pipe(
        v.string('prefix must be a string'),
        v.minLength(1, 'prefix is empty: name a folder like 2026/11/, or list keys'),
        v.maxLength(1024, 'prefix is longer than a key can be (1024)'),
      ),
    ),
    name: v.optional(
      v.pipe(
        v.string('name must be a string'),
        v.regex(/^[^/\\\0]{1,200}\.zip$/i, 'name must be a file name ending in .zip, like photos.zip'),
      ),
    ),
  }),
  v.check(
    (body) => (body.keys === undefined) !== (body.prefix === undefined),
    'send either keys (a list of file keys) or prefix (a folder), not both or neither',
  ),
);

const FIELDS = 'keys, prefix and name';

/** The files a request names, checked against the catalog and the caller: every one must exist and be theirs. */
async function chosenFiles(
  catalog: CatalogReads,
  who: AccessKey,
  asked: { keys?: string[]; prefix?: string },
): Promise<FileRecord[]> {
  if (asked.prefix !== undefined) {
    const page = await catalog.list(
      { prefix: asked.prefix, ...(who.admin ? {} : { owner: who.name }) },
      { limit: MAX_ZIP_FILES },
    );
    if (page.total.count === 0) {
      throw fail(
        'ERR_NOT_FOUND',
        `prefix '${asked.prefix}' matches none of your files: GET /api/files lists them`,
      );
    }
    if (page.total.count > MAX_ZIP_FILES) {
      throw fail(
        'ERR_INPUT',
        `prefix '${asked.prefix}' matches ${page.total.count} files: a ZIP holds at most ${MAX_ZIP_FILES}; use a longer prefix`,
      );
    }
    return page.files.reverse();
  }
  const keys = asked.keys!;
  const twice = keys.find((key, i) => keys.indexOf(key) !== i);
  if (twice !== undefined) throw fail('ERR_INPUT', `keys lists '${twice}' twice: list each key once`);
  const found = new Map((await catalog.getMany(keys)).map((file) => [file.key, file]));
  const few = (list: string[]) =>
    list
      .slice(0, 3)
      .map((key) => `'${key}'`)
      .join(', ') + (list.length > 3 ? ` and ${list.length - 3} more` : '');
  const missing = keys.filter((key) => !found.has(key));
  if (missing.length > 0) {
    throw fail('ERR_NOT_FOUND', `no file ${few(missing)} in the catalog: GET /api/files lists yours`);
  }
  const foreign = who.admin ? [] : keys.filter((key) => found.get(key)!.owner !== who.name);
  if (foreign.length > 0) {
    throw fail(
      'ERR_FORBIDDEN',
      `${few(foreign)} ${foreign.length === 1 ? 'is' : 'are'} not one of your files: only an admin key zips other owners' files; remove ${foreign.length === 1 ? 'it' : 'them'}`,
    );
  }
  return keys.map((key) => found.get(key)!);
}

/** The archive's entries, each object opened when the archive reaches it. */
async function* entries(app: App, files: readonly FileRecord[], log: Logger): AsyncGenerator<ZipSource> {
  for (const file of files) {
    let stream: ReadableStream<Uint8Array> | undefined;
    try {
      stream = await openObject(app.store!, file.key);
    } catch (error) {
      log.error({ err: error, key: file.key }, 'zip: reading a file failed; the ZIP is cut');
      throw error;
    }
    if (!stream) {
      log.error({ key: file.key }, 'zip: a file in the catalog is gone from storage; the ZIP is cut');
      throw fail('ERR_NOT_FOUND', `'${file.key}' is in the catalog but gone from storage`);
    }
    yield { name: file.key, lastModified: file.createdAt, size: file.size, stream };
  }
}

/**
 * The `POST /api/zip` route of one handler.
 *
 * @example
 * ```ts
 * const zip = createZipRoute(app);
 * const response = await zip(request, context); // 200 application/zip, Content-Length set
 * ```
 */
export function createZipRoute(app: App) {
  return async (request: Request, context: RouteContext, reads: () => CatalogReads): Promise<Response> => {
    if (request.method !== 'POST') return methodNotAllowed('POST');
    const who = await app.authenticate(request, context.client, context.log);
    if (!canRead(app.store)) {
      throw fail('ERR_CONFIG', 'ZIP needs a store the server can read: the local-disk or the S3 store');
    }
    const body = await readJson(request, context, MAX_BODY, 'POST /api/zip');
    const parsed = v.safeParse(ZipRequest, body);
    if (!parsed.success) throw fail('ERR_INPUT', firstIssueOf(parsed.issues, FIELDS));
    const files = await chosenFiles(reads(), who, parsed.output);
    const length = zipLength(
      files.map((file) => ({ name: file.key, size: file.size, lastModified: file.createdAt })),
    );
    const stream = makeZip(entries(app, files, context.log), (entry) => {
      context.log.error(
        { key: entry.name },
        'zip: a file in storage is not the size the catalog says; the ZIP is cut',
      );
      return fail(
        'ERR_CHECKSUM',
        `'${entry.name}' in storage is not the ${entry.size} bytes the catalog says: the ZIP is cut`,
      );
    });
    return new Response(stream, {
      headers: {
        'content-type': 'application/zip',
        'content-length': String(length),
        'content-disposition': attachmentDisposition(parsed.output.name ?? 'bytedrop.zip'),
        'cache-control': 'no-store',
      },
    });
  };
}
