/**
 * Internal: the second level of conversion memory, an injected `ConversionCache` that outlives the process (the CLI
 * is a new process per paste). Its entries are checked before use: the bytes must be of the format they claim and
 * smaller than the source, or the entry is a miss. The cache can only save an encode, never fail or change an upload.
 */
import type { CachedConversion, ConversionCache, ImageFormat } from './image-encoder';

/** What a cached entry stands for: converted bytes, or the decision to store the source. */
export type CachedOutcome =
  | { bytes: Uint8Array; contentType: `image/${ImageFormat}`; ext: ImageFormat }
  | { skipped: 'larger' };

const ascii = (bytes: Uint8Array, at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));

/** WebP or AVIF by their magic bytes; undefined for anything else (an encoder that gave back what it was given). */
export function formatOf(bytes: Uint8Array): ImageFormat | undefined {
  if (ascii(bytes, 0) === 'RIFF' && ascii(bytes, 8) === 'WEBP') return 'webp';
  if (ascii(bytes, 4) === 'ftyp' && ['avif', 'avis'].includes(ascii(bytes, 8))) return 'avif';
  return undefined;
}

/** The cached outcome for `key`, or undefined on a miss, a failing cache, or an entry that is not what it says. */
export async function readCachedConversion(
  cache: ConversionCache | undefined,
  key: string,
  sourceLength: number,
): Promise<CachedOutcome | undefined> {
  if (cache === undefined) return undefined;
  let entry: CachedConversion | undefined;
  try {
    entry = await cache.get(key);
  } catch {
    return undefined;
  }
  if (entry === undefined || entry === null) return undefined;
  if ('skipped' in entry) return entry.skipped === 'larger' ? { skipped: 'larger' } : undefined;
  const { bytes, format } = entry;
  if (!(bytes instanceof Uint8Array) || bytes.byteLength >= sourceLength || formatOf(bytes) !== format) {
    return undefined;
  }
  return { bytes, contentType: `image/${format}`, ext: format };
}

/** Keeps an outcome worth an encode; a cache that fails to write is left alone (the upload has what it needs). */
export async function writeCachedConversion(
  cache: ConversionCache | undefined,
  key: string,
  outcome: CachedOutcome,
): Promise<void> {
  if (cache === undefined) return;
  try {
    await cache.set(key, 'bytes' in outcome ? { bytes: outcome.bytes, format: outcome.ext } : outcome);
  } catch {
    // A full disk or a read-only cache directory costs the next paste an encode, nothing more.
  }
}
