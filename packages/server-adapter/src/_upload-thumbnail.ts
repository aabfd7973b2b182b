/**
 * The upload answer's `thumbnail`: the URL of the first size's sibling key, for an image the server makes thumbnails
 * of, and the start of their making. Started from the answer, so a multi-file request that failed and was rolled back
 * never makes thumbnails of files that are gone; queued, so the link never waits for an encoder. An image no
 * thumbnail can be made of (its header gives no size, or more pixels than the limit) gets no `thumbnail` URL.
 */
import { publicUrl, readImageSize, type UploadResult } from '@bytedrop/core';
import type { App } from './types';

/** `{ thumbnail }` for the answer (empty when none is made), and the thumbnails queued when the bytes are at hand. */
export function thumbnailOf(
  app: App,
  result: UploadResult,
  held: WeakMap<UploadResult, Uint8Array>,
  base: string | undefined,
  isPrivate = false,
): { thumbnail?: string } {
  const { thumbnails } = app.options;
  if (!thumbnails || !app.store || !thumbnails.wanted(result.contentType, result.size)) return {};
  const bytes = held.get(result);
  held.delete(result);
  // A dedupe hit queues too: `make` writes only the sizes that are missing (a HEAD each).
  if (bytes) thumbnails.schedule(app.store, result.key, bytes, app.logger);
  // A private image's thumbnail sits under the private prefix too: no public link can reach it, so none is given.
  if (isPrivate) return {};
  // Nor for an image none will ever be made of (no readable size, a decompression bomb): a link that stays 404.
  // Its header says so: the stored bytes', else the size the upload read (unknown without either: a link, as ever).
  const { width, height } = result;
  const header = bytes
    ? readImageSize(bytes)
    : width === undefined || height === undefined
      ? undefined
      : { width, height };
  if ((bytes || header) && thumbnails.hopeless?.(header)) return {};
  const key = thumbnails.shownKey(result.key);
  return { thumbnail: base ? publicUrl(base, key) : app.store.publicUrl(key) };
}
