/**
 * Which keys may name a file under the local store. The store's own folders (metadata, partial writes) are never
 * keys, so no upload can overwrite them and `/f/` can never serve them.
 */

/** Metadata of each object: content type, cache-control, ETag, Bytedrop's metadata. */
export const META_DIR = '.bytedrop-meta';
// Not '.bytedrop-tmp': the uploader stages one-shot streams under that key prefix, through this very store.
/** Writes in progress, on the objects' filesystem so the final rename or link is atomic. */
export const TMP_DIR = '.bytedrop-partial';
const RESERVED = new Set([META_DIR, TMP_DIR]);

/** Why a key cannot name a file under the store, or `undefined` when it can. */
export function keyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key === '') return 'is empty: pass a key like 2024/05/01/shot-1a2b3c4d.png';
  if (key.startsWith('/')) return "starts with '/': keys are relative to the store";
  if (/[\\\0]/.test(key)) return 'contains a backslash or NUL: use forward slashes only';
  const segments = key.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return "has an empty, '.' or '..' segment: keys must not climb out of the store";
  }
  if (RESERVED.has(segments[0] ?? ''))
    return `starts with '${segments[0]}', which the local-disk store reserves`;
  return undefined;
}
