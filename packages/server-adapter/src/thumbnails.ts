/**
 * Thumbnails in the bucket (issue 15): a WebP per configured size (longest side 320 px by default) stored next to each
 * image as a sibling key, `<key>.thumb-<size>.webp`. They are made after the original is stored and after the
 * answer is sent, and only while no upload is under way (`uploading`), so an encoder never takes a core from a link
 * being made; a failure is logged and never fails the upload.
 * The pixels come from core's image conversion (`ImageEncoder`, sharp under `@bytedrop/core/node`), the same code
 * that converts uploads, so a decompression bomb is refused from its header before anything is decoded.
 */
import {
  DEFAULT_MAX_PIXELS,
  type ImageEncoder,
  isBytedropError,
  type ObjectStore,
  readImageSize,
  SNIFF_BYTES,
  sniffContentType,
} from '@bytedrop/core';
import { captureImage } from './_thumbnail-capture';
import { thumbnailQueue } from './_thumbnail-queue';
import type { Logger } from './types';

/** Types a thumbnail is made of. An animated GIF, WebP or APNG gives its first frame; SVG, HEIC and others none. */
const THUMBNAILED = new Set([
  'image/jpeg',
  'image/png',
  'image/apng',
  'image/webp',
  'image/avif',
  'image/gif',
]);

/** A thumbnail key: what `catalog rebuild` must not adopt as a file of its own. */
const THUMBNAIL_KEY = /\.thumb-\d+\.webp$/;

/**
 * True for a key `thumbnailKey` names (`shot.png.thumb-320.webp`).
 *
 * @example
 * ```ts
 * isThumbnailKey('2026/shot-1a2b.png.thumb-320.webp'); // true
 * ```
 */
export function isThumbnailKey(key: string): boolean {
  return THUMBNAIL_KEY.test(key);
}

/**
 * The key of `key`'s thumbnail of `size` px.
 *
 * @example
 * ```ts
 * thumbnailKey('2026/shot-1a2b.png', 320); // '2026/shot-1a2b.png.thumb-320.webp'
 * ```
 */
export function thumbnailKey(key: string, size: number): string {
  return `${key}.thumb-${size}.webp`;
}

/**
 * `createThumbnails`' settings.
 *
 * @example
 * ```ts
 * const options: ThumbnailOptions = { encoder: createSharpEncoder(), sizes: [320, 640], quality: 75 };
 * ```
 */
export interface ThumbnailOptions {
  /** Core's encoder: `createSharpEncoder()` from `@bytedrop/core/node`. */
  encoder: ImageEncoder;
  /** Longest sides in pixels, one thumbnail each; the first is the response's `thumbnail` (default `[320]`). */
  sizes?: readonly number[];
  /** WebP quality, 1–100 (default 75). */
  quality?: number;
  /** Images whose header declares more pixels get no thumbnail (default core's `DEFAULT_MAX_PIXELS`). */
  maxPixels?: number;
  /** Larger images are not held in memory for a thumbnail (default 25 MiB); `--backfill` reads them later. */
  maxBytes?: number;
  /** Thumbnails encoded at once (default 2): each takes a core. */
  concurrency?: number;
  /** Most images waiting; more are dropped with a warning, for `--backfill` (default 64). */
  maxQueued?: number;
  /**
   * Longest a thumbnail waits for the uploads under way to end, in ms (default 5000): past it, it is made while they
   * run, so a server that is never idle (or one slow upload) still makes them.
   */
  maxWaitMs?: number;
}

/** Why an image got no thumbnail (logged): not an image it reads, too many pixels, or its bytes do not decode. */
export type ThumbnailSkipped = 'format' | 'too-many-pixels' | 'undecodable';

/**
 * What `createThumbnails` gives the handler and `bytedrop-server thumbnails --backfill`.
 *
 * @example
 * ```ts
 * const made = await thumbnails.make(store, 'shot.png', bytes); // ['shot.png.thumb-320.webp'] or a reason
 * ```
 */
export interface Thumbnails {
  readonly sizes: readonly number[];
  /** The sibling keys of `key`, one per size. */
  keysOf(key: string): string[];
  /**
   * The thumbnail key links name (the upload answer's and the file list's `thumbnail`): the first configured size's,
   * so one setting (`BYTEDROP_THUMBNAILS=320,640`) says which one every answer shows.
   */
  shownKey(key: string): string;
  /** True when a stored file of this type and size gets thumbnails. */
  wanted(contentType: string, size: number): boolean;
  /**
   * Why no thumbnail can ever be made of an image whose header gives this size (`readImageSize`): none could be read
   * (`undecodable`), or more pixels than `maxPixels` (`too-many-pixels`, never decoded); undefined when one is tried.
   * Optional, so that an implementation written before it still works: without it the answer always names a thumbnail.
   */
  hopeless?(size: { width: number; height: number } | undefined): ThumbnailSkipped | undefined;
  /**
   * Makes and stores the missing thumbnails of `bytes` (the image at `key`); the keys written, or why none were.
   * `missing`: the thumbnail keys the caller has just found absent (a backfill HEADs them first), made without
   * HEADing them again; the others are left alone. Without it, each size is HEADed here.
   */
  make(
    store: ObjectStore,
    key: string,
    bytes: Uint8Array,
    missing?: readonly string[],
  ): Promise<string[] | ThumbnailSkipped>;
  /** Queues `make` in the background; failures go to `logger`. False when the queue was full (dropped). */
  schedule(store: ObjectStore, key: string, bytes: Uint8Array, logger: Logger): boolean;
  /** Deletes `key`'s thumbnails (absent ones are no error). */
  remove(store: ObjectStore, key: string): Promise<void>;
  /** Resolves once every queued thumbnail is done (tests, shutdown). */
  idle(): Promise<void>;
  /** Images whose thumbnails are queued and not started yet (waiting for a slot or for the uploads to end). */
  waiting(): number;
  /**
   * Marks an upload under way until the returned function is called (once): queued thumbnails start only when none
   * is (or after `maxWaitMs`), so their encoding never competes with an upload for the CPU.
   */
  uploading(): () => void;
  /**
   * Wraps an upload's body: the bytes pass through untouched and, when they sniff as an image of at most `maxBytes`,
   * are kept for `schedule` (`bytes()` after the body was read; undefined otherwise).
   */
  capture(
    body: AsyncIterable<Uint8Array>,
    filename: string,
  ): { body: AsyncIterable<Uint8Array>; bytes(): Uint8Array | undefined };
}

function checked(name: string, value: number, most: number): number {
  if (!Number.isInteger(value) || value < 1 || value > most) {
    throw new TypeError(`thumbnails: ${name} ${value} is not a whole number from 1 to ${most}`);
  }
  return value;
}

/**
 * Thumbnails for `createHandler`'s `thumbnails` option. Throws a `TypeError` naming a bad setting.
 *
 * @example
 * ```ts
 * import { createSharpEncoder } from '@bytedrop/core/node';
 * createHandler({ uploader, keys, secret, thumbnails: createThumbnails({ encoder: createSharpEncoder() }) });
 * ```
 */
export function createThumbnails(options: ThumbnailOptions): Thumbnails {
  const sizes = [...new Set((options.sizes ?? [320]).map((size) => checked('size', size, 10_000)))];
  if (sizes.length === 0) throw new TypeError('thumbnails: sizes is empty: give at least one, e.g. [320]');
  const quality = checked('quality', options.quality ?? 75, 100);
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const maxBytes = options.maxBytes ?? 25 * 1024 * 1024;
  const concurrency = options.concurrency ?? 2;
  const maxQueued = options.maxQueued ?? 64;
  const maxWaitMs = options.maxWaitMs ?? 5000;
  if (!Number.isInteger(maxWaitMs) || maxWaitMs < 0) {
    throw new TypeError(
      `thumbnails: maxWaitMs ${maxWaitMs} is not a whole number of milliseconds (0 or more)`,
    );
  }
  const jobs = thumbnailQueue({ concurrency, maxQueued, maxWaitMs });

  const hopeless: Thumbnails['hopeless'] = (size) =>
    // Judged on the header alone: a bomb is refused before a single pixel is decoded.
    !size ? 'undecodable' : size.width * size.height > maxPixels ? 'too-many-pixels' : undefined;

  const make: Thumbnails['make'] = async (store, key, bytes, missing) => {
    const { contentType } = await sniffContentType(bytes.subarray(0, SNIFF_BYTES), key);
    if (!THUMBNAILED.has(contentType)) return 'format';
    const skipped = hopeless(readImageSize(bytes));
    if (skipped) return skipped;
    const written: string[] = [];
    for (const side of sizes) {
      const at = thumbnailKey(key, side);
      // Thumbnails are a pure function of the image: one already there (a re-paste, a second backfill) is kept.
      if (missing ? !missing.includes(at) : await store.head(at)) continue;
      let webp: Uint8Array;
      try {
        webp = await options.encoder.encode(bytes, {
          contentType,
          format: 'webp',
          quality,
          maxSide: side,
          maxPixels,
          keepMetadata: false,
        });
      } catch (error) {
        // ERR_IMAGE: the encoder cannot work here at all (sharp missing); anything else is this file's bytes.
        if (isBytedropError(error, 'ERR_IMAGE')) throw error;
        return 'undecodable';
      }
      try {
        // ifAbsent: a file someone stored at this very key meanwhile (a custom template can name one so) stays.
        await store.put(at, webp, { contentType: 'image/webp', size: webp.byteLength, ifAbsent: true });
      } catch (error) {
        if (isBytedropError(error, 'ERR_CONFLICT')) continue;
        throw error;
      }
      written.push(at);
    }
    return written;
  };

  return {
    sizes,
    keysOf: (key) => sizes.map((side) => thumbnailKey(key, side)),
    shownKey: (key) => thumbnailKey(key, sizes[0]!),
    wanted: (contentType, size) => THUMBNAILED.has(contentType) && size <= maxBytes,
    hopeless,
    make,
    schedule(store, key, bytes, logger) {
      const queued = jobs.add(async () => {
        try {
          const made = await make(store, key, bytes);
          if (typeof made === 'string')
            logger.warn({ key, reason: made }, 'no thumbnail made for this image');
        } catch (error) {
          logger.warn({ key, err: error }, 'thumbnail failed; the upload itself is stored');
        }
      });
      if (!queued) {
        logger.warn(
          { key },
          'thumbnail queue full: none made now; `bytedrop-server thumbnails --backfill` makes it',
        );
      }
      return queued;
    },
    async remove(store, key) {
      await Promise.all(
        sizes.map(async (side) => {
          const at = thumbnailKey(key, side);
          // A file uploaded under a thumbnail's name (a custom template such as `{name}.{ext}`) carries its content
          // hash, which thumbnails never do: it is someone's file, not this image's thumbnail, and stays.
          if ((await store.head(at))?.meta?.hash) return;
          await store.delete(at);
        }),
      );
    },
    idle: jobs.idle,
    waiting: jobs.waiting,
    uploading: jobs.uploading,
    capture: (body, filename) => captureImage(body, filename, maxBytes, THUMBNAILED),
  };
}
