/**
 * Byte-stream plumbing for the upload pipeline: a metering wrapper (abort, size limit, hashing tap) and the
 * conversion to the web ReadableStream that @aws-sdk/lib-storage chunks into parts.
 */
import { abortedError, throwIfAborted } from './_abort';
import { BytedropError, isBytedropError } from './errors';

/** `ERR_TOO_LARGE` for a body over `maxFileSize`, naming the file, the limit and the fix. */
export function tooLargeError(filename: string, maxFileSize: number, size?: number): BytedropError {
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const actual = size === undefined ? 'more than' : `${size} bytes (${mib(size)}), over`;
  return new BytedropError(
    'ERR_TOO_LARGE',
    `'${filename}' is ${actual} the maxFileSize of ${maxFileSize} bytes (${mib(maxFileSize)}): upload a smaller file or raise 'maxFileSize'`,
  );
}

/**
 * A failure of the caller's own stream (a file read error, a dropped source connection) is about the input, not
 * the storage: it must not send the user to check their bucket settings.
 */
export function sourceError(error: unknown, filename: string): BytedropError {
  if (isBytedropError(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new BytedropError(
    'ERR_INPUT',
    `reading the body of '${filename}' failed (${detail}): check the file or stream passed to upload and try again`,
    { cause: error },
  );
}

/** What `meter` does to each chunk on its way through. */
export interface MeterOptions {
  signal?: AbortSignal | undefined;
  /** Fail with `ERR_TOO_LARGE` as soon as more than this many bytes went through. */
  maxBytes?: number | undefined;
  /** The filename, for error messages. */
  filename: string;
  /** Sees every chunk, in order (the hashing tap). */
  onChunk?: (chunk: Uint8Array) => void;
}

/**
 * Passes chunks through while enforcing the abort signal and the size limit, so a one-shot stream is stopped
 * mid-way instead of after it has been read to the end. A pending read of the caller's stream loses to the signal.
 */
export async function* meter(
  source: AsyncIterable<Uint8Array>,
  options: MeterOptions,
): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const { signal, filename } = options;
  const what = `upload of '${filename}'`;
  let total = 0;
  let finished = false;
  // One listener for the whole stream, failing the read under way: one added and removed per chunk (`raceAbort`)
  // cost more than the chunk's metering, on every upload (issue 16).
  let fail: ((error: unknown) => void) | undefined;
  const onAbort = () => fail?.(abortedError(what, signal?.reason));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    while (true) {
      throwIfAborted(signal, what);
      let next: IteratorResult<Uint8Array>;
      try {
        next = await new Promise<IteratorResult<Uint8Array>>((resolve, reject) => {
          fail = reject;
          iterator.next().then(resolve, reject);
        });
      } catch (error) {
        throw sourceError(error, filename);
      } finally {
        fail = undefined;
      }
      if (next.done) {
        finished = true;
        return;
      }
      total += next.value.byteLength;
      if (options.maxBytes !== undefined && total > options.maxBytes) {
        throw tooLargeError(filename, options.maxBytes);
      }
      options.onChunk?.(next.value);
      yield next.value;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Release the caller's stream when we stop early; not awaited, since a read may still be pending on it.
    if (!finished) iterator.return?.()?.catch(() => undefined);
  }
}

/**
 * Yields `head` first, then whatever is left of `rest`: a stream we already started reading, made whole again.
 * Takes ownership of `head` and empties it as it goes, so buffered chunks are freed once they are sent.
 */
export async function* prepend(
  head: Uint8Array[],
  rest: AsyncIterator<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  for (let chunk = head.shift(); chunk !== undefined; chunk = head.shift()) yield chunk;
  while (true) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/**
 * A web ReadableStream that pulls from `source` only when read (high-water mark 0), so nothing is read ahead of
 * what lib-storage's part buffers hold: memory stays at partSize × queueSize. Errors of the source error the stream,
 * which makes lib-storage stop and abort its multipart upload.
 */
export function toReadableStream(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await iterator.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Node's Buffer where there is one: its `allocUnsafeSlow` skips the zero fill that `new Uint8Array(size)` pays before
 * the copy below overwrites every byte (about a third of the copy's CPU for a 1 MiB upload body; issue 16).
 */
const nodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(size: number): Uint8Array } }).Buffer;

/** Room for `size` bytes that the caller overwrites whole: a plain Uint8Array over its own ArrayBuffer, unzeroed in Node. */
function uninitialized(size: number): Uint8Array {
  if (nodeBuffer === undefined) return new Uint8Array(size);
  // allocUnsafeSlow never takes from Buffer's shared pool: the array owns its whole ArrayBuffer, as `new Uint8Array` would.
  return new Uint8Array(nodeBuffer.allocUnsafeSlow(size).buffer, 0, size);
}

/** Joins chunks into one array (one copy). */
export function concatBytes(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = uninitialized(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  // Every caller passes the chunks' own total; were it more, the rest stays zeros as before, never old memory.
  if (offset < size) out.fill(0, offset);
  return out;
}

/** The first `length` bytes of a chunk list, for content sniffing. */
export function headOf(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const picked: Uint8Array[] = [];
  let size = 0;
  for (const chunk of chunks) {
    if (size >= length) break;
    const part = chunk.subarray(0, length - size);
    picked.push(part);
    size += part.byteLength;
  }
  return concatBytes(picked, size);
}
