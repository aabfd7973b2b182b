/**
 * Internal helpers that let every module treat the five `BodyInput` kinds alike.
 * Not exported from the package entry: hosts pass bodies, they never need these.
 */
import { BytedropError } from './errors';
import type { BodyInput, HashAlgorithm } from './types';

function isBlob(body: unknown): body is Blob {
  // Duck-typed instead of `instanceof Blob`: Obsidian/Electron and Node can hand us Blobs from another realm.
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as Blob).stream === 'function' &&
    typeof (body as Blob).arrayBuffer === 'function' &&
    typeof (body as Blob).size === 'number'
  );
}

function isReadableStream(body: unknown): body is ReadableStream<Uint8Array> {
  return (
    typeof body === 'object' && body !== null && typeof (body as ReadableStream).getReader === 'function'
  );
}

function isArrayBuffer(body: unknown): body is ArrayBuffer {
  return Object.prototype.toString.call(body) === '[object ArrayBuffer]';
}

/** Any typed array or DataView, from any realm (iframes, vm contexts), where `instanceof Uint8Array` fails. */
function isBytes(body: unknown): body is ArrayBufferView {
  return ArrayBuffer.isView(body);
}

/** A Uint8Array of this realm over the same memory (file-type and hash-wasm check `instanceof`). */
export function asUint8Array(view: ArrayBufferView): Uint8Array {
  return view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Bodies that can be read twice (hash first, then upload) without buffering. */
export function isReplayable(body: BodyInput): body is Uint8Array | ArrayBuffer | Blob {
  return isBytes(body) || isArrayBuffer(body) || isBlob(body);
}

/** Byte length when it is known without reading; `undefined` for streams. */
export function knownSize(body: BodyInput): number | undefined {
  if (isBytes(body) || isArrayBuffer(body)) return body.byteLength;
  if (isBlob(body)) return body.size;
  return undefined;
}

function toChunk(chunk: unknown): Uint8Array {
  if (isBytes(chunk)) return asUint8Array(chunk);
  if (isArrayBuffer(chunk)) return new Uint8Array(chunk);
  throw new BytedropError(
    'ERR_INPUT',
    `body stream yielded a ${chunk === null ? 'null' : typeof chunk} chunk, not bytes: pass a stream of Uint8Array (open files without an encoding)`,
  );
}

async function* readStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  // getReader() rather than `for await` over the stream: Safari's ReadableStream is not async-iterable.
  const reader = stream.getReader();
  let finished = false;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield toChunk(value);
    }
  } finally {
    // Same as the stream's own async iterator: a consumer that stops early cancels the source.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

async function* readIterable(iterable: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  for await (const chunk of iterable) yield toChunk(chunk);
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/**
 * The key under which a Blob may hash itself: `(algorithm, signal?) => Promise<{ hash, size }> | undefined`.
 * Core's file-backed Blob hashes a large file in a worker thread; it answers undefined when the caller should hash
 * the chunks itself.
 */
export const OWN_DIGEST = Symbol.for('bytedrop.ownDigest');

type OwnDigest = (
  algorithm: HashAlgorithm,
  signal?: AbortSignal,
) => Promise<{ hash: string; size: number }> | undefined;

/** The body's own digest of itself (see `OWN_DIGEST`), or undefined when the caller hashes it. */
export function ownDigest(
  body: BodyInput,
  algorithm: HashAlgorithm,
  signal?: AbortSignal,
): Promise<{ hash: string; size: number }> | undefined {
  if (!isBlob(body)) return undefined;
  const digest = (body as Blob & { [OWN_DIGEST]?: OwnDigest })[OWN_DIGEST];
  return typeof digest === 'function' ? digest.call(body, algorithm, signal) : undefined;
}

/**
 * The key under which a Blob may read itself hashing as it goes: `(algorithm) => { chunks, digest() } | undefined`.
 * Core's file-backed Blob reads and hashes a large file in a worker thread, so the upload's check that the bytes sent
 * are the bytes named costs the main thread nothing; it answers undefined when the caller should hash the chunks.
 */
export const OWN_HASHING_READ = Symbol.for('bytedrop.ownHashingRead');

/** A read of a body that hashes what it yields: `digest()` is known once `chunks` has ended. */
export interface HashingRead {
  chunks: AsyncIterable<Uint8Array>;
  digest(): Promise<string>;
}

type OwnHashingRead = (algorithm: HashAlgorithm) => HashingRead | undefined;

/** The body's own hashing read of itself (see `OWN_HASHING_READ`), or undefined when the caller hashes it. */
export function ownHashingRead(body: BodyInput, algorithm: HashAlgorithm): HashingRead | undefined {
  if (!isBlob(body)) return undefined;
  const read = (body as Blob & { [OWN_HASHING_READ]?: OwnHashingRead })[OWN_HASHING_READ];
  return typeof read === 'function' ? read.call(body, algorithm) : undefined;
}

/** Reads any body kind as a sequence of `Uint8Array` chunks. One-shot bodies can be read only once. */
export function toAsyncIterable(body: BodyInput): AsyncIterable<Uint8Array> {
  if (isBytes(body)) return once(asUint8Array(body));
  if (isArrayBuffer(body)) return once(new Uint8Array(body));
  if (isBlob(body)) return readStream(body.stream());
  if (isReadableStream(body)) return readStream(body);
  if (typeof body === 'object' && body !== null && Symbol.asyncIterator in body) return readIterable(body);
  throw new BytedropError(
    'ERR_INPUT',
    `unsupported body (${body === null ? 'null' : typeof body}): pass a Uint8Array, ArrayBuffer, Blob, ReadableStream or AsyncIterable<Uint8Array>`,
  );
}
