/**
 * Small stream plumbing for request bodies. Bodies are read, never cancelled, when the handler stops early: under the
 * Node runner cancelling a request body destroys the socket, and the client would get a reset instead of the 413.
 */
import { BytedropError } from '@bytedrop/core';

/** Every byte of `body`, joined (for small objects: records, a tus tail). */
export async function readAll(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

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

/** The body to read: the runtime's own (`RequestContext.body`) when given, else `request.body`; none for no body. */
export function requestBody(
  request: Request,
  native: AsyncIterable<Uint8Array> | undefined,
): AsyncIterable<Uint8Array> | undefined {
  if (native) return native;
  return request.body ? readChunks(request.body) : undefined;
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
