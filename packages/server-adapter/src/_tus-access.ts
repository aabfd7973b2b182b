/**
 * What every tus request about one upload goes through: is it there, is it the caller's, is it still alive (404,
 * 403, 410), and the lock that lets one request at a time write it (423 when it is taken).
 */
import { BytedropError } from '@bytedrop/core';
import { TUS_BASE_HEADERS, tusError } from './_tus-headers';
import type { AccessKey } from './auth';
import type { TusLocks } from './tus-locks';
import type { TusBackend, TusUpload } from './tus-store';

/** Where the endpoint lives. Not under `/files/`, whose `DELETE /files/<key>` would shadow keys starting `tus/`. */
export const TUS_PATH = '/tus/';

/** A bodiless tus answer. */
export const noContent = (status: number, headers: Record<string, string>) =>
  new Response(null, { status, headers: { ...TUS_BASE_HEADERS, ...headers } });

export function notFound(id: string): BytedropError {
  return new BytedropError(
    'ERR_NOT_FOUND',
    `no tus upload '${id.slice(0, 64)}': it finished long ago, was ended, or never existed; start a new upload with POST ${TUS_PATH}`,
  );
}

export const expiresHeader = (upload: TusUpload) => ({
  'upload-expires': new Date(upload.expires).toUTCString(),
});

/** The upload `id`, if it is `who`'s and alive; 404, 403 or 410 otherwise. */
export async function own(id: string, who: AccessKey, store: TusBackend): Promise<TusUpload> {
  const upload = await store.load(id);
  if (!upload) throw notFound(id);
  if (upload.owner !== who.name) {
    throw new BytedropError(
      'ERR_FORBIDDEN',
      `tus upload '${id}' belongs to another access key: only the key that created it may resume, read or end it`,
    );
  }
  if (upload.result === undefined && Date.now() > upload.expires) {
    await store.discard(upload);
    throw tusError(
      'ERR_NOT_FOUND',
      410,
      `tus upload '${id}' expired at ${new Date(upload.expires).toISOString()} and was removed: start it again`,
    );
  }
  return upload;
}

/** Runs `work` with the lock on upload `id` held; 423 when another request holds it, 503 when Redis is down. */
export function lockedBy(locks: TusLocks, waitMs: number) {
  return async <T>(id: string, work: () => Promise<T>): Promise<T> => {
    let release: (() => Promise<void>) | undefined;
    try {
      release = await locks.acquire(id, waitMs);
    } catch (error) {
      throw new BytedropError(
        'ERR_NETWORK',
        'the server cannot take the upload lock right now (Redis unreachable): try again',
        { cause: error },
      );
    }
    if (!release) {
      throw tusError(
        'ERR_CONFLICT',
        423,
        `tus upload '${id}' is being written by another request: retry in a moment`,
      );
    }
    try {
      return await work();
    } finally {
      await release();
    }
  };
}
