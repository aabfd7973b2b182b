/**
 * A `ConversionCache` on disk, for hosts that live one paste long (the CLI): a re-paste of the same image with the
 * same settings reads the earlier result instead of encoding again. Built on cacache (npm's own cache): entries are
 * written atomically and their bytes checked against a hash on every read, so a torn or altered file is a miss.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CachedConversion, ConversionCache, ImageFormat } from '../image-encoder';

type Cacache = typeof import('cacache');

/** The most bytes kept by default: a few hundred converted photos. */
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

let loading: Promise<Cacache> | undefined;

/** cacache, loaded on first use: uploads that convert nothing never pay for it. */
function loadCacache(): Promise<Cacache> {
  loading ??= import('cacache').then((module) => (module as { default?: Cacache }).default ?? module);
  return loading;
}

/**
 * Options of `createDiskConversionCache`.
 *
 * @example
 * ```ts
 * const options: DiskConversionCacheOptions = { dir: '/var/cache/bytedrop/conversions', maxBytes: 64 * 1024 * 1024 };
 * ```
 */
export interface DiskConversionCacheOptions {
  /** The cache directory; created on first write. */
  dir: string;
  /** Above this many bytes of entries, the oldest are dropped (default 256 MiB). */
  maxBytes?: number;
}

/**
 * The directory a CLI keeps its conversions in: `$XDG_CACHE_HOME/bytedrop/conversions`, else
 * `~/.cache/bytedrop/conversions`.
 *
 * @example
 * ```ts
 * const cache = createDiskConversionCache({ dir: defaultConversionCacheDir() });
 * ```
 */
export function defaultConversionCacheDir(env: Record<string, string | undefined> = process.env): string {
  const cache = env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache');
  return join(cache, 'bytedrop', 'conversions');
}

/**
 * Drops the oldest entries until the cache holds at most `maxBytes`; resolves to what it holds then. It lists the
 * whole index, so it runs only when this process's running total says the cache may be over its limit.
 */
async function trim(cacache: Cacache, dir: string, maxBytes: number): Promise<number> {
  const entries = Object.values(await cacache.ls(dir)).sort((a, b) => a.time - b.time);
  let total = entries.reduce((sum, entry) => sum + entry.size, 0);
  for (const entry of entries) {
    if (total <= maxBytes) break;
    // `removeFully` (in cacache, missing from its types) deletes the index file instead of appending a tombstone.
    const removeEntry = cacache.rm.entry as (dir: string, key: string, options: object) => Promise<unknown>;
    await removeEntry(dir, entry.key, { removeFully: true });
    await cacache.rm.content(dir, entry.integrity);
    total -= entry.size;
  }
  return total;
}

/**
 * A conversion cache in a directory, for `createUploader`'s `convert.cache`.
 *
 * @example
 * ```ts
 * import { createDiskConversionCache, createSharpEncoder, defaultConversionCacheDir } from '@bytedrop/core/node';
 * const cache = createDiskConversionCache({ dir: defaultConversionCacheDir() });
 * createUploader(config, { convert: { encoder: createSharpEncoder(), format: 'webp', cache } });
 * ```
 */
export function createDiskConversionCache(options: DiskConversionCacheOptions): ConversionCache {
  const { dir } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  // What the cache held at this process's first write, plus what it wrote since: the index is listed (trim) on the
  // first write and then only when this passes the limit. Another process's writes are counted at its own writes, so
  // the directory may stay over the limit until one of them trims.
  let held: number | undefined;
  return {
    async get(key) {
      const cacache = await loadCacache();
      const info = await cacache.get.info(dir, key);
      if (!info) return undefined;
      const metadata = info.metadata as { format?: ImageFormat; skipped?: 'larger' } | undefined;
      if (metadata?.skipped === 'larger') return { skipped: 'larger' };
      if (metadata?.format === undefined) return undefined;
      // get.byDigest checks the bytes against the index's hash: a damaged file throws, and is a miss.
      const data = await cacache.get.byDigest(dir, info.integrity);
      return {
        bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        format: metadata.format,
      };
    },
    async set(key, conversion: CachedConversion) {
      const cacache = await loadCacache();
      if ('skipped' in conversion) {
        await cacache.put(dir, key, new Uint8Array(0), { metadata: { skipped: conversion.skipped } });
      } else {
        await cacache.put(dir, key, conversion.bytes, { metadata: { format: conversion.format } });
      }
      const written = 'skipped' in conversion ? 0 : conversion.bytes.byteLength;
      if (held === undefined || held + written > maxBytes) held = await trim(cacache, dir, maxBytes);
      else held += written;
    },
  };
}
