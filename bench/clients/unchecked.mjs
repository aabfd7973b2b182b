/**
 * The bench's peer for what issue 10's checks cost: Bytedrop's upload pipeline as it was before them, assembled from
 * core's public pieces, so no option in core exists only for the bench. Same work up to the checks: sniff, the same
 * hash pass (a file Blob from `openFile` hashes itself in a worker), the same key template, one HEAD, then the same
 * store (lib-storage, part size, queue, timeouts, retries) writing the same Blob or bytes. Left out: the full hash,
 * owner and write id as metadata, the identity compare on HEAD (size decides, as it did), `If-None-Match`, the second
 * hash pass over a Blob as it streams, and the file journal (the store keeps its default memory journal).
 *
 * Keys go under `unchecked/`, so the bench servers count this pipeline's requests apart from Bytedrop's.
 */
import {
  CALLER_VARIABLES,
  compileKeyTemplate,
  createS3Store,
  hashBody,
  IMMUTABLE_CACHE_CONTROL,
  parseConfig,
  SNIFF_BYTES,
  sanitizeFilename,
  sniffContentType,
} from '../../packages/core/dist/index.js';

export const UNCHECKED_PREFIX = 'unchecked/';

/** `{ upload(body, { filename }) }` resolving to what `formatLink` needs, like `createUploader`'s. */
export function createUncheckedUploader(input) {
  const config = parseConfig(input);
  const store = createS3Store(config);
  const template = compileKeyTemplate(config.keyTemplate, { variables: CALLER_VARIABLES });
  const cacheControl = template.usesHash ? IMMUTABLE_CACHE_CONTROL : undefined;
  return {
    store,
    async upload(body, { filename }) {
      const file = sanitizeFilename(filename);
      const head =
        body instanceof Uint8Array
          ? body.subarray(0, SNIFF_BYTES)
          : new Uint8Array(await body.slice(0, SNIFF_BYTES).arrayBuffer());
      const { contentType, ext } = await sniffContentType(head, filename);
      const { hash, size } = await hashBody(body, config.hashAlgorithm);
      const key = template.render({ filename, ext, contentType, hash, prefix: UNCHECKED_PREFIX });
      // The filename rule of core's plan: the user's extension unless it is missing or a clipboard name's.
      const shownExt = file.ext !== '' && !file.clipboard ? file.ext : ext || file.ext;
      const result = {
        key,
        url: store.publicUrl(key),
        size,
        hash,
        contentType,
        filename: shownExt === '' ? file.name : `${file.name}.${shownExt}`,
      };
      const found = await store.head(key);
      if (found?.size === size) return { ...result, deduplicated: true, etag: found.etag };
      const { etag } = await store.put(key, body, {
        contentType,
        size,
        ...(config.hashAlgorithm === 'sha256' ? { sha256: hash } : {}),
        ...(cacheControl === undefined ? {} : { cacheControl }),
      });
      return { ...result, deduplicated: false, etag };
    },
  };
}
