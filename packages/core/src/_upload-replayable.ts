/**
 * Replayable bodies (bytes, Blobs, files on disk): read once to sniff and hash at `prepare`, so the key is known
 * before any request; read again to send, and hashed again as they go, so a file that changed in between is refused
 * instead of being stored under a hash that names other bytes.
 */
import { eitherSignal, raceAbort, throwIfAborted } from './_abort';
import { assertAllowedType } from './_allowed';
import { ownDigest, toAsyncIterable } from './_body';
import { settingsFor } from './_convert';
import {
  candidatesOf,
  type Engine,
  existing,
  identityOf,
  type Plan,
  planOf,
  resultOf,
  writeOptions,
} from './_engine';
import { blobReader, prepareImage } from './_image-prep';
import { place } from './_place';
import { meter, sourceError, toReadableStream } from './_stream';
import { settleAbort } from './_upload-stream';
import {
  changedError,
  type ExpectedDigest,
  hexToBase64,
  md5Hex,
  md5MismatchError,
  verifiedRead,
  verifyBytes,
} from './_verify';
import { type SanitizedFilename, sanitizeFilename } from './filename';
import { hashBody } from './hash';
import { SNIFF_BYTES, sniffContentType } from './sniff';
import type {
  PreparedUpload,
  PreparedUploadOptions,
  PutOptions,
  PutResult,
  UploadOptions,
  UploadResult,
} from './types';

/** The two body kinds the pipeline sees (ArrayBuffers become views). */
export type Replayable = Uint8Array | Blob;

/** Sniff and hash (streaming, abortable), then draw the candidate keys once: no request is sent. */
export async function prepareReplayable(
  engine: Engine,
  given: Replayable,
  givenOptions: UploadOptions,
  givenFile: SanitizedFilename,
): Promise<PreparedUpload> {
  // Nothing is in flight while preparing: a resumable upload's `stop` ends it at once, as `signal` does.
  const signal = eitherSignal(givenOptions.signal, givenOptions.resume?.stop);
  let file = givenFile;
  let options = givenOptions;
  const what = `upload of '${options.filename}'`;
  // A failed read of the body is about the input, not the storage (also a file Blob's NotReadableError).
  const inputError = (error: unknown): never => {
    throw sourceError(error, options.filename);
  };
  let head =
    given instanceof Uint8Array
      ? given.subarray(0, SNIFF_BYTES)
      : new Uint8Array(
          await raceAbort(given.slice(0, SNIFF_BYTES).arrayBuffer(), signal, what).catch(inputError),
        );
  // Sniffed before hashing: a refused type costs only its first bytes.
  let sniffed = await sniffContentType(head, options.filename, options.contentType);
  throwIfAborted(signal, what);
  assertAllowedType(options.filename, sniffed.contentType, options.allowedTypes);
  // Stripped before hashing, so the hash, the size and the key name the bytes stored.
  const strip = options.stripMetadata ?? engine.config.stripMetadata;
  const settings = settingsFor(engine.convert?.settings, options.convert);
  const convert = settings && engine.convert ? { settings, memo: engine.convert.memo } : undefined;
  const image = await prepareImage(given, sniffed, strip, blobReader(signal, what, inputError), convert);
  const body = image.body;
  if (image.converted) {
    // The stored bytes are another format now: the key, the filename and the served type say so.
    sniffed = image.converted;
    options = { ...options, filename: `${file.name}.${sniffed.ext}` };
    file = sanitizeFilename(options.filename);
  }
  if (image.original && body instanceof Uint8Array) {
    head = body.subarray(0, SNIFF_BYTES);
    // A client's Content-MD5 is of the bytes it sent: checked on them here, then the stored ones carry their own.
    const md5 = options.contentMd5;
    if (md5 !== undefined) {
      await verifyBytes(image.original, [
        { algorithm: 'md5', hex: md5Hex(md5) ?? '', mismatch: () => md5MismatchError(options.filename, md5) },
      ]);
      const { contentMd5: _checked, ...rest } = options;
      options = rest;
    }
  }
  throwIfAborted(signal, what);
  const own = ownDigest(body, engine.config.hashAlgorithm, signal);
  const { hash, size } = own
    ? await raceAbort(own, signal, what).catch(inputError)
    : await hashBody(
        meter(toAsyncIterable(body), { signal, filename: options.filename }),
        engine.config.hashAlgorithm,
      );
  throwIfAborted(signal, what);
  // Drawn here and only here: {uuid}, {rand} and the date are fixed for every later send of this upload.
  const candidates = candidatesOf(engine, options, sniffed, hash);
  const planned = planOf(engine, file, sniffed, { key: candidates(0), size, hash }, image.facts);
  return {
    ...planned,
    contentAddressed: engine.template.usesHash,
    upload: (extra: PreparedUploadOptions = {}) =>
      sendReplayable(engine, body, planned, candidates, head, {
        ...options,
        signal: extra.signal ?? givenOptions.signal,
        onProgress: extra.onProgress ?? options.onProgress,
      }),
  };
}

/** What the bytes must hash to as they are sent: the content hash of the key, and a client's Content-MD5. */
function expectations(engine: Engine, planned: Plan, options: UploadOptions): ExpectedDigest[] {
  const expected: ExpectedDigest[] = [
    {
      algorithm: engine.config.hashAlgorithm,
      hex: planned.hash,
      mismatch: () => changedError(options.filename),
    },
  ];
  const md5 = options.contentMd5;
  if (md5 !== undefined) {
    expected.push({
      algorithm: 'md5',
      hex: md5Hex(md5) ?? '',
      mismatch: () => md5MismatchError(options.filename, md5),
    });
  }
  return expected;
}

/**
 * HEAD the candidates, then a create-only PUT of a fresh, verified read to the first free one; with `putFirst`, on a
 * store that refuses writes to taken keys, the PUT goes first and only a conflict is HEADed.
 */
async function sendReplayable(
  engine: Engine,
  body: Replayable,
  planned: Plan,
  candidates: (attempt: number) => string,
  head: Uint8Array,
  options: UploadOptions,
): Promise<UploadResult> {
  const { signal, onProgress } = options;
  const what = `upload of '${options.filename}'`;
  throwIfAborted(signal, what);
  throwIfAborted(options.resume?.stop, what);
  const expected = expectations(engine, planned, options);
  // Bytes in memory were hashed a moment ago and a single PUT carries that hash for the provider to check, so only
  // a client's Content-MD5 is new to them: checked once, here. A Blob is checked as it streams (`verifiedRead`).
  if (body instanceof Uint8Array) await verifyBytes(body, expected.slice(1));
  // Built at the first write, not before the HEAD: a deduplicated upload writes nothing, so it draws no write id.
  // Every candidate's write then shares them (one write id per upload).
  let putOptions: PutOptions | undefined;
  const putOptionsOnce = (): PutOptions => {
    putOptions ??= putOptionsOf(engine, body, planned, head, options);
    return putOptions;
  };
  const placement = await place({
    candidates,
    identity: identityOf(engine, planned.hash, planned.size),
    head: (key) => existing(engine, key, signal),
    writeFirst: options.putFirst === true && engine.store.refusesExisting?.(planned.size) === true,
    // Every write reads the Blob afresh: a candidate taken meanwhile must not leave the next one half a read.
    write: (key) =>
      body instanceof Uint8Array
        ? engine.store.put(key, body, putOptionsOnce())
        : putRead(engine, key, verifiedRead(body, expected), putOptionsOnce()),
    signal,
    what,
  });
  if (placement.deduplicated) onProgress?.({ loaded: planned.size, total: planned.size });
  await settleAbort(engine, placement, signal, what);
  return resultOf(engine, planned, placement, options);
}

/** The put's headers, metadata (a fresh write id) and digests. */
function putOptionsOf(
  engine: Engine,
  body: Replayable,
  planned: Plan,
  head: Uint8Array,
  options: UploadOptions,
): PutOptions {
  const { signal, onProgress } = options;
  return {
    ...writeOptions(engine, planned, head, options.owner),
    size: planned.size,
    // Single PUTs carry the digests the provider checks: the signed payload hash, or the MD5.
    ...(engine.config.hashAlgorithm === 'sha256'
      ? { sha256: planned.hash }
      : { contentMd5: hexToBase64(planned.hash) }),
    ...(options.contentMd5 === undefined ? {} : { contentMd5: options.contentMd5 }),
    // Only a Blob can be read again by a later run; bytes in memory die with the process.
    ...(options.resume === undefined || body instanceof Uint8Array
      ? {}
      : { resume: { ...options.resume, hash: planned.hash } }),
    ...(signal === undefined ? {} : { signal }),
    ...(onProgress === undefined ? {} : { onProgress }),
  };
}

/**
 * `store.put` of a Blob's verified read, then the read released whatever happened. lib-storage stops reading when an
 * upload fails but never cancels what it read from (and the store reads through a wrapper of its own), which would
 * leave the file open until garbage collection, and a large file's read worker idle for good. Ending the read itself
 * reaches the file whoever holds the stream; a read that already ended is left as it is.
 */
async function putRead(
  engine: Engine,
  key: string,
  read: AsyncGenerator<Uint8Array>,
  options: PutOptions,
): Promise<PutResult> {
  try {
    return await engine.store.put(key, toReadableStream(read), options);
  } finally {
    // Not awaited: a read still pending on the file must not hold up the upload's outcome.
    read.return(undefined).catch(() => undefined);
  }
}
