/**
 * Internal helpers that let every module treat the five `BodyInput` kinds alike.
 * Not exported from the package entry: hosts pass bodies, they never need these.
 */
import { BytedropError } from './errors';
import type { BodyInput } from './types';

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

/** Bodies that can be read twice (hash first, then upload) without buffering. */
export function isReplayable(body: BodyInput): body is Uint8Array | ArrayBuffer | Blob {
  return body instanceof Uint8Array || isArrayBuffer(body) || isBlob(body);
}

/** Byte length when it is known without reading; `undefined` for streams. */
export function knownSize(body: BodyInput): number | undefined {
  if (body instanceof Uint8Array) return body.byteLength;
  if (isArrayBuffer(body)) return body.byteLength;
  if (isBlob(body)) return body.size;
  return undefined;
}

function toChunk(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (isArrayBuffer(chunk)) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
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

/** Reads any body kind as a sequence of `Uint8Array` chunks. One-shot bodies can be read only once. */
export function toAsyncIterable(body: BodyInput): AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array) return once(body);
  if (isArrayBuffer(body)) return once(new Uint8Array(body));
  if (isBlob(body)) return readStream(body.stream());
  if (isReadableStream(body)) return readStream(body);
  if (typeof body === 'object' && body !== null && Symbol.asyncIterator in body) return readIterable(body);
  throw new BytedropError(
    'ERR_INPUT',
    `unsupported body (${body === null ? 'null' : typeof body}): pass a Uint8Array, ArrayBuffer, Blob, ReadableStream or AsyncIterable<Uint8Array>`,
  );
}
