/**
 * Small stream plumbing for request bodies. Bodies are read, never cancelled, when the handler stops early: under the
 * Node runner cancelling a request body destroys the socket, and the client would get a reset instead of the 413.
 */
import { BytedropError } from '@bytedrop/core';

/** Reads a web stream as an async iterable; stopping early releases the reader instead of cancelling the stream. */
export async function* readChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The 413 error for a body over `maxBytes`. */
export function tooLarge(filename: string, maxBytes: number): BytedropError {
  const mb = Math.round((maxBytes / 1024 / 1024) * 100) / 100;
  return new BytedropError(
    'ERR_TOO_LARGE',
    `'${filename}' is larger than the ${mb} MB limit: send a smaller file or raise MAX_FILE_SIZE_MB on the server`,
  );
}

/** Passes chunks through and throws `ERR_TOO_LARGE` as soon as more than `maxBytes` went by. */
export async function* limitBytes(
  source: AsyncIterable<Uint8Array>,
  maxBytes: number,
  filename: string,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.byteLength;
    if (total > maxBytes) throw tooLarge(filename, maxBytes);
    yield chunk;
  }
}

/**
 * Reads at least `bytes` from the start of `source` (or all of it when shorter), and returns those bytes and a body
 * that yields everything, head included. Used to judge the sniffed type before anything is stored.
 */
export async function peek(
  source: AsyncIterable<Uint8Array>,
  bytes: number,
): Promise<{ head: Uint8Array; body: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let finished = false;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) {
      finished = true;
      break;
    }
    chunks.push(next.value);
    size += next.value.byteLength;
  }
  const head = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    head.set(chunk, offset);
    offset += chunk.byteLength;
  }
  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      if (size > 0) yield head;
      if (finished) return;
      while (true) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      // Propagate an early stop (an aborted upload) to the source, so its own cleanup runs.
      if (!finished) await iterator.return?.();
    }
  }
  return { head, body: body() };
}
