/**
 * One-shot streams (a request body, stdin): read up to `multipartThreshold` into memory, and a short stream takes the
 * replayable path. An image whose metadata is to be stripped is read up to `STRIP_MAX_BYTES` instead; one larger
 * than that is stored as it came (`metadataKept: 'too-large'`). A long one is uploaded to a temporary key while it is hashed, since its key depends on its hash;
 * then it is copied to the first free candidate key (or dropped, when a candidate already holds these bytes). The
 * temporary object is journaled by the store until it is deleted, so a crash in between leaves nothing for good.
 * A body that is already an object in the store (`copyFrom`) is only read and hashed, then copied from where it is.
 */
import { abortedError, throwIfAborted } from './_abort';
import { assertAllowedType } from './_allowed';
import { toAsyncIterable } from './_body';
import { candidatesOf, type Engine, existing, identityOf, planOf, resultOf, writeOptions } from './_engine';
import { randomId } from './_id';
import { SIZE_HEAD_BYTES } from './_image-prep';
import { type Placement, place } from './_place';
import { concatBytes, headOf, meter, prepend } from './_stream';
import { md5Hex, md5MismatchError } from './_verify';
import type { SanitizedFilename } from './filename';
import { createHasher } from './hash';
import { canStripMetadata, readImageSize, STRIP_MAX_BYTES } from './images';
import { SNIFF_BYTES, sniffContentType } from './sniff';
import type { BodyInput, ImageFacts, UploadOptions, UploadResult } from './types';

/**
 * The signal fired after the provider had committed the object. A content-addressed object is valid and may be
 * shared with a concurrent upload of the same bytes, so it stays; a new object at any other key is removed.
 */
export async function settleAbort(
  engine: Engine,
  placement: Placement,
  signal: AbortSignal | undefined,
  what: string,
): Promise<void> {
  if (!signal?.aborted) return;
  if (!engine.template.usesHash && !placement.deduplicated) {
    await engine.store.delete(placement.key).catch(() => undefined);
  }
  throw abortedError(what, signal.reason);
}

/** What is known of an image streamed as it came (too large to hold): why it kept its metadata, and its size. */
function streamedImageFacts(
  contentType: string,
  strip: boolean,
  converting: boolean,
  buffered: readonly Uint8Array[],
): ImageFacts {
  if (!contentType.startsWith('image/')) return {};
  const kept = !strip ? 'setting' : canStripMetadata(contentType) ? 'too-large' : 'format';
  return {
    stripped: [],
    metadataKept: kept,
    ...(converting ? { conversionSkipped: 'too-large' } : {}),
    ...readImageSize(headOf(buffered, SIZE_HEAD_BYTES)),
  };
}

export async function uploadStream(
  engine: Engine,
  body: BodyInput,
  options: UploadOptions,
  file: SanitizedFilename,
  replayable: (bytes: Uint8Array) => Promise<UploadResult>,
): Promise<UploadResult> {
  const { store, config } = engine;
  const { signal } = options;
  const what = `upload of '${options.filename}'`;
  const source = meter(toAsyncIterable(body), {
    signal,
    maxBytes: config.maxFileSize,
    filename: options.filename,
  });
  const buffered: Uint8Array[] = [];
  let bufferedSize = 0;
  while (bufferedSize <= config.multipartThreshold) {
    const next = await source.next();
    if (next.done) return replayable(concatBytes(buffered, bufferedSize));
    buffered.push(next.value);
    bufferedSize += next.value.byteLength;
  }

  const head = headOf(buffered, SNIFF_BYTES);
  const sniffed = await sniffContentType(head, options.filename, options.contentType);
  try {
    assertAllowedType(options.filename, sniffed.contentType, options.allowedTypes);
  } catch (error) {
    // Nothing was sent: release the caller's stream (meter returns it) and drop what was buffered.
    await source.return(undefined);
    throw error;
  }
  const strip = options.stripMetadata ?? config.stripMetadata;
  const converting =
    engine.convert !== undefined && options.convert !== false && sniffed.contentType.startsWith('image/');
  if ((strip && canStripMetadata(sniffed.contentType)) || converting) {
    // An image is held whole up to the strip limit, so a phone photo sent as a stream is stripped (or converted) too.
    while (bufferedSize <= STRIP_MAX_BYTES) {
      const next = await source.next();
      if (next.done) return replayable(concatBytes(buffered, bufferedSize));
      buffered.push(next.value);
      bufferedSize += next.value.byteLength;
    }
  }
  const image = streamedImageFacts(sniffed.contentType, strip, converting, buffered);
  const hasher = await createHasher(config.hashAlgorithm);
  const md5 = options.contentMd5 === undefined ? undefined : await createHasher('md5');
  throwIfAborted(signal, what);
  let size = 0;
  const tapped = meter(prepend(buffered, source), {
    signal,
    filename: options.filename,
    onChunk: (chunk) => {
      hasher.update(chunk);
      md5?.update(chunk);
      size += chunk.byteLength;
    },
  });
  const adopted = options.copyFrom;
  const tempKey = adopted?.key ?? `${engine.tempPrefix}${randomId()}`;
  if (adopted) {
    // The bytes are already in storage: read and hashed here like any body, then copied below at that very version.
    for await (const chunk of tapped) void chunk;
  } else {
    await store.put(tempKey, tapped, {
      contentType: sniffed.contentType,
      temporary: true,
      ...(options.size === undefined ? {} : { size: options.size }),
      ...(signal === undefined ? {} : { signal }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
  }
  try {
    throwIfAborted(signal, what);
    if (md5 && options.contentMd5 !== undefined && (await md5.digest()) !== md5Hex(options.contentMd5)) {
      throw md5MismatchError(options.filename, options.contentMd5);
    }
    const hash = await hasher.digest();
    const candidates = candidatesOf(engine, options, sniffed, hash);
    const plan = planOf(engine, file, sniffed, { key: candidates(0), size, hash }, image);
    const copyOptions = {
      ...writeOptions(engine, plan, head, options.owner),
      ...(adopted ? { sourceEtag: adopted.etag } : {}),
    };
    const placement = await place({
      candidates,
      identity: identityOf(engine, hash, size),
      head: (key) => existing(engine, key, signal),
      write: async (key) => {
        await store.copy(tempKey, key, copyOptions);
        return {};
      },
      // No S3 provider makes CopyObject create-only, so the HEAD before it stays the guard (`putFirst` or not).
      writeFirst: false,
      signal,
      what,
    });
    await settleAbort(engine, placement, signal, what);
    return resultOf(engine, plan, placement, options);
  } finally {
    // Best effort: the upload's outcome is decided; a temp object left by a failed delete stays in the journal.
    if (!adopted) await store.delete(tempKey).catch(() => undefined);
  }
}
