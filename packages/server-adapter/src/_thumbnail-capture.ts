/**
 * Internal: an upload's bytes kept for its thumbnails as they stream through to the store, when they sniff as an
 * image of a type thumbnails are made of and stay within `maxBytes`; anything else is let go at once.
 */
import { SNIFF_BYTES, sniffContentType } from '@bytedrop/core';

/** `Thumbnails.capture`: the body passed through untouched, and the bytes it held once the body was read. */
export function captureImage(
  body: AsyncIterable<Uint8Array>,
  filename: string,
  maxBytes: number,
  types: ReadonlySet<string>,
): { body: AsyncIterable<Uint8Array>; bytes(): Uint8Array | undefined } {
  let chunks: Uint8Array[] | undefined = [];
  let length = 0;
  let sniffed = false;
  async function* pass(): AsyncIterable<Uint8Array> {
    for await (const chunk of body) {
      if (chunks) {
        chunks.push(chunk);
        length += chunk.byteLength;
        if (length > maxBytes) chunks = undefined;
        else if (!sniffed && length >= SNIFF_BYTES) {
          sniffed = true;
          const { contentType } = await sniffContentType(concat(chunks, length), filename);
          if (!types.has(contentType)) chunks = undefined;
        }
      }
      yield chunk;
    }
  }
  return { body: pass(), bytes: () => (chunks && length > 0 ? concat(chunks, length) : undefined) };
}

/** The chunks as one array, which then replaces them (so a later call copies nothing again). */
function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const whole = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  chunks.splice(0, chunks.length, whole);
  return whole;
}
