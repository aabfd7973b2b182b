/**
 * Cuts bytes that arrive in chunks of any size into multipart parts of one size: R2 refuses a multipart upload whose
 * parts (but the last) differ in size, and S3 refuses parts under 5 MiB, so a host that sends parts as bytes come in
 * (a server's tus PATCH bodies) needs every part cut at the same place whatever the chunks were.
 */
import { concatBytes } from './_stream';
import { MIN_PART_SIZE } from './config';
import { BytedropError } from './errors';

/** S3's largest part. */
const MAX_PART_BYTES = 5 * 1024 * 1024 * 1024;

/**
 * Bytes waiting for a whole part (see `createPartBuffer`). It keeps references to the chunks it is given until their
 * part is complete: don't reuse a chunk's memory after pushing it.
 *
 * @example
 * ```ts
 * const buffer = createPartBuffer(8 * 1024 * 1024);
 * for await (const chunk of body) for (const part of buffer.push(chunk)) await send(part);
 * const rest = buffer.flush(); // the short last part, or the bytes to keep until more come
 * ```
 */
export interface PartBuffer {
  /** The part size. */
  readonly partSize: number;
  /** Bytes held: always less than one part. */
  readonly size: number;
  /** Adds `chunk`; returns the parts it completed, in order, each exactly `partSize` bytes (often none). */
  push(chunk: Uint8Array): Uint8Array[];
  /** Takes out the bytes held (fewer than `partSize`, maybe none) and empties the buffer. */
  flush(): Uint8Array;
}

/**
 * A buffer that hands out parts of exactly `partSize` bytes however the bytes are chunked. To go on after a
 * restart, push the bytes a previous buffer's `flush` left (stored beside the multipart upload) before the new ones:
 * the parts come out cut where one uninterrupted buffer would have cut them. A chunk holding a whole part at a part
 * boundary is handed out as is, without a copy. Throws `ERR_INPUT` for a part size S3 refuses (not a whole number
 * of bytes from 5 MiB to 5 GiB).
 *
 * @example
 * ```ts
 * const buffer = createPartBuffer(partSize);
 * buffer.push(storedTail); // [] : the tail is less than a part
 * for await (const chunk of request.body) {
 *   for (const part of buffer.push(chunk)) etags.push(await parts.uploadPart(key, uploadId, ++number, part));
 * }
 * await parts.put(`${key}.tail`, buffer.flush(), 'application/octet-stream');
 * ```
 */
export function createPartBuffer(partSize: number): PartBuffer {
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE || partSize > MAX_PART_BYTES) {
    throw new BytedropError(
      'ERR_INPUT',
      `part size ${partSize} is not a whole number of bytes from 5 MiB to 5 GiB (S3's smallest and largest part): pass one in that range`,
    );
  }
  let held: Uint8Array[] = [];
  let size = 0;
  const flush = () => {
    const bytes = concatBytes(held, size);
    held = [];
    size = 0;
    return bytes;
  };
  return {
    partSize,
    get size() {
      return size;
    },
    push(chunk) {
      const parts: Uint8Array[] = [];
      let at = 0;
      while (at < chunk.byteLength) {
        const take = Math.min(partSize - size, chunk.byteLength - at);
        held.push(chunk.subarray(at, at + take));
        size += take;
        at += take;
        if (size === partSize) parts.push(flush());
      }
      return parts;
    },
    flush,
  };
}
