/**
 * `bytedrop-server thumbnails --backfill`: makes the thumbnails images in the catalog are missing (uploaded before
 * thumbnails were on, dropped from a full queue, lost to a restart). The catalog says which files are images; each
 * size's key is HEADed, and only an image with one missing is read from the store (`openObject`: S3 or local disk).
 */
import type { ObjectStore } from '@bytedrop/core';
import { openObject } from './_object-reader';
import type { Catalog, PagePosition } from './catalog/types';
import type { Thumbnails } from './thumbnails';

/** What a backfill did. */
export interface BackfillReport {
  /** Images in the catalog of a type and size that gets thumbnails. */
  images: number;
  /** Thumbnails written. */
  made: number;
  /** Images whose thumbnails were all there. */
  complete: number;
  /** Images without thumbnails and why (`undecodable`, `too-many-pixels`, `format`, `gone`, or the error). */
  skipped: Array<{ key: string; reason: string }>;
}

const PAGE = 200;

/** The bytes of the object at `key`; undefined when it is gone. */
async function readObject(store: ObjectStore, key: string): Promise<Uint8Array | undefined> {
  const stream = await openObject(store, key);
  return stream ? new Uint8Array(await new Response(stream).arrayBuffer()) : undefined;
}

/**
 * Makes every missing thumbnail of the catalog's images, one image at a time (each encode takes a core).
 *
 * @example
 * ```ts
 * const report = await backfillThumbnails(store, catalog, thumbnails); // { images: 12, made: 3, complete: 9, skipped: [] }
 * ```
 */
export async function backfillThumbnails(
  store: ObjectStore,
  catalog: Catalog,
  thumbnails: Thumbnails,
): Promise<BackfillReport> {
  const report: BackfillReport = { images: 0, made: 0, complete: 0, skipped: [] };
  let after: PagePosition | undefined;
  do {
    const page = await catalog.list({ type: 'image/*' }, { limit: PAGE, ...(after ? { after } : {}) });
    for (const file of page.files) {
      if (!thumbnails.wanted(file.contentType, file.size)) continue;
      report.images++;
      const keys = thumbnails.keysOf(file.key);
      const present = await Promise.all(keys.map((key) => store.head(key)));
      const missing = keys.filter((_, index) => !present[index]);
      if (missing.length === 0) {
        report.complete++;
        continue;
      }
      try {
        const bytes = await readObject(store, file.key);
        // Only the sizes just found missing, without HEADing them a second time.
        const made = bytes ? await thumbnails.make(store, file.key, bytes, missing) : 'gone';
        if (typeof made === 'string') report.skipped.push({ key: file.key, reason: made });
        else report.made += made.length;
      } catch (error) {
        // One file's failure (a storage error, sharp missing) is reported with the others; the rest still run.
        report.skipped.push({ key: file.key, reason: (error as Error).message });
      }
    }
    after = page.next;
  } while (after);
  return report;
}
