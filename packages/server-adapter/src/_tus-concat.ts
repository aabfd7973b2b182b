/**
 * The tus concatenation extension, which tus-js-client's `parallelUploads` speaks: several partial uploads
 * (`Upload-Concat: partial`) receive pieces of a file at once, then one final upload (`Upload-Concat: final;<urls>`)
 * names them in order. Partials are never files by themselves. The final has no bytes of its own and takes no
 * PATCH: its creation streams the partials' bytes, one after the other, from where they wait (the completed
 * temporary objects on S3, the partial files on disk) through core's uploader, which hashes, names, dedupes and
 * checks them like any upload's, and then removes the partials.
 */
import { BytedropError } from '@bytedrop/core';
import { quotaGate } from './_quota';
import { lockedBy, noContent, own, TUS_PATH } from './_tus-access';
import type { TusCatalog } from './_tus-catalog';
import { finishUpload, type Uploads } from './_tus-finish';
import { OFFSET_TYPE, parseMetadata, tusError, URL_HEADER } from './_tus-headers';
import type { AccessKey } from './auth';
import type { TusLocks } from './tus-locks';
import type { TusBackend, TusUpload } from './tus-store';
import type { App, RouteContext } from './types';

/** Most partial uploads one final may name: far more than any client runs in parallel. */
export const MAX_PARTIALS = 100;

/** What an `Upload-Concat` header asks for. */
export type Concat = { partial: true } | { final: string[] };

const ID = /^[0-9a-f]{32}$/;

/**
 * Reads `Upload-Concat`: `partial`, or `final;` and the partials' URLs (absolute or paths) separated by spaces;
 * `undefined` without the header, `ERR_INPUT` (400) naming what is wrong otherwise.
 */
export function parseConcat(header: string | null, origin: string): Concat | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (value === 'partial') return { partial: true };
  if (!value.startsWith('final;')) {
    throw new BytedropError(
      'ERR_INPUT',
      `Upload-Concat '${value.slice(0, 60)}' is neither \`partial\` nor \`final;<url> <url> …\`: send one of them (tus-js-client does with parallelUploads)`,
    );
  }
  const urls = value.slice('final;'.length).trim().split(/\s+/).filter(Boolean);
  if (urls.length === 0) {
    throw new BytedropError(
      'ERR_INPUT',
      'Upload-Concat final names no partial uploads: write `final;<url> <url> …`, the partial uploads in order',
    );
  }
  if (urls.length > MAX_PARTIALS) {
    throw new BytedropError(
      'ERR_INPUT',
      `Upload-Concat final names ${urls.length} partial uploads: at most ${MAX_PARTIALS} make one file`,
    );
  }
  const ids = urls.map((url) => {
    let path: string;
    try {
      path = new URL(url, origin).pathname;
    } catch {
      path = '';
    }
    const id = path.startsWith(TUS_PATH) ? path.slice(TUS_PATH.length) : '';
    if (!ID.test(id)) {
      throw new BytedropError(
        'ERR_INPUT',
        `Upload-Concat final names '${url.slice(0, 80)}', which is not a tus upload URL of this server (${TUS_PATH}<id>)`,
      );
    }
    return id;
  });
  if (new Set(ids).size !== ids.length) {
    throw new BytedropError(
      'ERR_INPUT',
      'Upload-Concat final names one partial upload twice: each partial is one piece of the file',
    );
  }
  return { final: ids };
}

/** `Upload-Concat` as HEAD answers it. */
export function concatHeader(upload: TusUpload): Record<string, string> {
  if (upload.partial) return { 'upload-concat': 'partial' };
  if (upload.final) return { 'upload-concat': `final;${upload.final.map((id) => TUS_PATH + id).join(' ')}` };
  return {};
}

/** The creation of final uploads for one handler's tus endpoint. */
export function createFinals(
  app: App,
  uploads: Uploads,
  options: { locks: TusLocks; lockWaitMs: number; expiresMs: number; catalog: TusCatalog },
) {
  const locked = lockedBy(options.locks, options.lockWaitMs);
  const maxSize = app.maxFileSize;

  /** Runs `work` with every partial's lock held, taken in a fixed order so two finals never wait on each other. */
  const lockedAll = <T>(ids: readonly string[], work: () => Promise<T>): Promise<T> => {
    const [first, ...rest] = [...ids].sort();
    return first === undefined ? work() : locked(first, () => lockedAll(rest, work));
  };

  /** Each named partial, if it is the caller's, alive, a partial, and complete; the protocol's error otherwise. */
  const partialsOf = async (ids: readonly string[], who: AccessKey, store: TusBackend) => {
    const partials: TusUpload[] = [];
    for (const id of ids) {
      const upload = await own(id, who, store);
      if (!upload.partial) {
        throw new BytedropError(
          'ERR_INPUT',
          `tus upload '${id}' was not created as a partial upload (Upload-Concat: partial), so no final upload may include it`,
        );
      }
      if (upload.length === undefined || upload.offset !== upload.length) {
        throw new BytedropError(
          'ERR_INPUT',
          `partial upload '${id}' is not finished (${upload.offset} of ${upload.length ?? '?'} bytes are in): finish every partial before creating the final upload`,
        );
      }
      partials.push(upload);
    }
    return partials;
  };

  /** `POST` with `Upload-Concat: final;…`: assembles, finishes and answers the file at once (201). */
  return async (
    request: Request,
    context: RouteContext,
    who: AccessKey,
    store: TusBackend,
    ids: string[],
  ) => {
    if (request.headers.has('upload-length') || request.headers.has('upload-defer-length')) {
      throw new BytedropError(
        'ERR_INPUT',
        "a final upload's length is the sum of its partial uploads': send no Upload-Length or Upload-Defer-Length with Upload-Concat: final",
      );
    }
    if ((request.headers.get('content-type') ?? '').toLowerCase() === OFFSET_TYPE) {
      throw tusError(
        'ERR_FORBIDDEN',
        403,
        'a final upload takes no bytes of its own: send them to the partial uploads, then create the final without a body',
      );
    }
    const rawMetadata = request.headers.get('upload-metadata');
    const metadata = parseMetadata(rawMetadata);
    return lockedAll(ids, async () => {
      const partials = await partialsOf(ids, who, store);
      const length = partials.reduce((sum, partial) => sum + partial.offset, 0);
      if (length > maxSize) {
        throw tusError(
          'ERR_TOO_LARGE',
          413,
          `the partial uploads add up to ${length} bytes, more than the ${maxSize}-byte limit (Tus-Max-Size): send a smaller file or raise MAX_FILE_SIZE_MB on the server`,
        );
      }
      await quotaGate(app, who, context.log)?.fits(metadata.filename ?? metadata.name ?? 'upload', length);
      await app.options.rateLimits?.consumeCreation(who);
      const now = Date.now();
      const upload: TusUpload = {
        id: crypto.randomUUID().replaceAll('-', ''),
        owner: who.name,
        offset: length,
        length,
        metadata,
        ...(rawMetadata ? { rawMetadata } : {}),
        created: now,
        expires: now + options.expiresMs,
        parts: [],
        tailSize: 0,
        final: ids,
      };
      await store.create(upload);
      const result = await finishUpload(app, uploads, store, upload, who, partials);
      const file = await uploads.describe(result, who, context.origin);
      await options.catalog.finished(result, who, context);
      uploads.announce([file], who, context.requestId);
      return noContent(201, {
        location: `${context.origin}${TUS_PATH}${upload.id}`,
        'upload-offset': String(length),
        [URL_HEADER]: file.url,
      });
    });
  };
}
