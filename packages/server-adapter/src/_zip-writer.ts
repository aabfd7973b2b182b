/**
 * A streaming ZIP writer for `POST /api/zip`: stored entries (no compression), web streams in and out, the exact
 * length known before the first byte, ZIP64 where an entry, an offset or the central directory passes 4 GiB.
 *
 * Why not a library: client-zip (used before) computes CRC-32 in JavaScript at about 150 MiB/s, which capped the
 * ZIP at 0.58× a plain read of the same files, and takes no CRC from outside. @zip.js/zip.js also computes it in
 * JavaScript unless `passThrough` is given each entry's CRC up front, which the catalog cannot know (presigned and
 * tus uploads never pass through the server whole). yazl, archiver and zip-stream are Node-stream writers over the
 * same kind of JavaScript CRC (buffer-crc32, crc-32), and none predicts the length. A stored ZIP is only headers
 * around the bytes (APPNOTE 6.3.10: local header, data, data descriptor; central directory; end records), so it is
 * written here, and the CRC comes from core's `createCrc32` (Node's native zlib.crc32, else WebAssembly).
 *
 * Entries use a data descriptor (flag bit 3: the CRC is known only after the bytes), UTF-8 names (bit 11), DOS
 * time plus the extended timestamp (0x5455, UTC) so unzip shows the upload time in the reader's time zone.
 */
import { createCrc32 } from '@bytedrop/core';

/** An entry as the length needs it. */
export interface ZipEntry {
  name: string;
  size: number;
  lastModified: Date;
}

/** An entry with its bytes, which must be exactly `size` long. */
export interface ZipSource extends ZipEntry {
  stream: ReadableStream<Uint8Array>;
}

const MAX32 = 0xffffffff;
const FLAGS = 0x0808; // bit 3: data descriptor; bit 11: UTF-8 names
const UNIX = 3 << 8; // "version made by": Unix, so the external attributes are a file mode
const FILE_MODE = 0o100644;
const TIMESTAMP_EXTRA = 9; // 0x5455: id, length, flags, mtime
const encoder = new TextEncoder();

const needs64 = (size: number) => size >= MAX32;

/** Bytes of the central directory's ZIP64 extra field: what overflowed, plus its 4-byte header. */
function zip64ExtraLength(size: number, offset: number): number {
  const fields = (needs64(size) ? 16 : 0) + (needs64(offset) ? 8 : 0);
  return fields === 0 ? 0 : 4 + fields;
}

/**
 * The exact length of the ZIP `makeZip` writes for these entries, in this order.
 *
 * @example
 * ```ts
 * zipLength([{ name: 'a.txt', size: 5, lastModified: new Date() }]); // 5 + 166
 * ```
 */
export function zipLength(entries: readonly ZipEntry[]): number {
  let offset = 0;
  let central = 0;
  for (const entry of entries) {
    const name = encoder.encode(entry.name).byteLength;
    const big = needs64(entry.size);
    central += 46 + name + TIMESTAMP_EXTRA + zip64ExtraLength(entry.size, offset);
    offset += 30 + name + TIMESTAMP_EXTRA + (big ? 20 : 0) + entry.size + (big ? 24 : 16);
  }
  return offset + central + endLength(entries.length, offset, central);
}

function endLength(count: number, centralOffset: number, centralSize: number): number {
  return 22 + (needs64(centralOffset) || needs64(centralSize) || count >= 0xffff ? 56 + 20 : 0);
}

/** DOS date and time (local to no one: the extended timestamp carries the real instant), clamped to 1980–2107. */
function dosDateTime(date: Date): [time: number, day: number] {
  const year = date.getUTCFullYear();
  if (year < 1980) return [0, (1 << 5) | 1];
  if (year > 2107) return [(23 << 11) | (59 << 5) | 29, (127 << 9) | (12 << 5) | 31];
  return [
    (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1),
    ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  ];
}

const unixSeconds = (date: Date) => Math.min(MAX32, Math.max(0, Math.floor(date.getTime() / 1000)));

function record(length: number): [Uint8Array, DataView] {
  const bytes = new Uint8Array(length);
  return [bytes, new DataView(bytes.buffer)];
}

function localHeader(entry: ZipEntry, name: Uint8Array): Uint8Array {
  const big = needs64(entry.size);
  const [bytes, view] = record(30 + name.byteLength + TIMESTAMP_EXTRA + (big ? 20 : 0));
  const [time, day] = dosDateTime(entry.lastModified);
  view.setUint32(0, 0x04034b50, true);
  view.setUint16(4, big ? 45 : 20, true);
  view.setUint16(6, FLAGS, true);
  view.setUint16(10, time, true);
  view.setUint16(12, day, true);
  // CRC and sizes follow the data (bit 3); a ZIP64 entry marks them and carries a zeroed ZIP64 extra field, so
  // that a reader which walks the local headers expects the 8-byte sizes of its data descriptor.
  if (big) {
    view.setUint32(18, MAX32, true);
    view.setUint32(22, MAX32, true);
  }
  view.setUint16(26, name.byteLength, true);
  view.setUint16(28, TIMESTAMP_EXTRA + (big ? 20 : 0), true);
  bytes.set(name, 30);
  let at = 30 + name.byteLength;
  at = timestampExtra(view, at, entry.lastModified);
  if (big) {
    view.setUint16(at, 1, true);
    view.setUint16(at + 2, 16, true);
  }
  return bytes;
}

function timestampExtra(view: DataView, at: number, date: Date): number {
  view.setUint16(at, 0x5455, true);
  view.setUint16(at + 2, 5, true);
  view.setUint8(at + 4, 1); // modification time present
  view.setUint32(at + 5, unixSeconds(date), true);
  return at + TIMESTAMP_EXTRA;
}

function dataDescriptor(crc: number, size: number): Uint8Array {
  const big = needs64(size);
  const [bytes, view] = record(big ? 24 : 16);
  view.setUint32(0, 0x08074b50, true);
  view.setUint32(4, crc, true);
  if (big) {
    view.setBigUint64(8, BigInt(size), true);
    view.setBigUint64(16, BigInt(size), true);
  } else {
    view.setUint32(8, size, true);
    view.setUint32(12, size, true);
  }
  return bytes;
}

function centralHeader(entry: ZipEntry, name: Uint8Array, crc: number, offset: number): Uint8Array {
  const zip64 = zip64ExtraLength(entry.size, offset);
  const version = zip64 > 0 ? 45 : 20;
  const [bytes, view] = record(46 + name.byteLength + TIMESTAMP_EXTRA + zip64);
  const [time, day] = dosDateTime(entry.lastModified);
  view.setUint32(0, 0x02014b50, true);
  view.setUint16(4, UNIX | version, true);
  view.setUint16(6, version, true);
  view.setUint16(8, FLAGS, true);
  view.setUint16(12, time, true);
  view.setUint16(14, day, true);
  view.setUint32(16, crc, true);
  view.setUint32(20, Math.min(entry.size, MAX32), true);
  view.setUint32(24, Math.min(entry.size, MAX32), true);
  view.setUint16(28, name.byteLength, true);
  view.setUint16(30, TIMESTAMP_EXTRA + zip64, true);
  view.setUint32(38, (FILE_MODE << 16) >>> 0, true);
  view.setUint32(42, Math.min(offset, MAX32), true);
  bytes.set(name, 46);
  let at = timestampExtra(view, 46 + name.byteLength, entry.lastModified);
  if (zip64 > 0) {
    view.setUint16(at, 1, true);
    view.setUint16(at + 2, zip64 - 4, true);
    at += 4;
    // Only the fields whose 32-bit slot holds the 0xffffffff mark, in the order APPNOTE 4.5.3 gives.
    if (needs64(entry.size)) {
      view.setBigUint64(at, BigInt(entry.size), true);
      view.setBigUint64(at + 8, BigInt(entry.size), true);
      at += 16;
    }
    if (needs64(offset)) view.setBigUint64(at, BigInt(offset), true);
  }
  return bytes;
}

function endRecords(count: number, centralOffset: number, centralSize: number): Uint8Array {
  const length = endLength(count, centralOffset, centralSize);
  const [bytes, view] = record(length);
  let at = 0;
  if (length > 22) {
    const end64 = centralOffset + centralSize;
    view.setUint32(0, 0x06064b50, true);
    view.setBigUint64(4, 44n, true); // the size of the rest of this record
    view.setUint16(12, UNIX | 45, true);
    view.setUint16(14, 45, true);
    view.setBigUint64(24, BigInt(count), true);
    view.setBigUint64(32, BigInt(count), true);
    view.setBigUint64(40, BigInt(centralSize), true);
    view.setBigUint64(48, BigInt(centralOffset), true);
    view.setUint32(56, 0x07064b50, true);
    view.setBigUint64(64, BigInt(end64), true);
    view.setUint32(72, 1, true); // disks in all
    at = 76;
  }
  view.setUint32(at, 0x06054b50, true);
  view.setUint16(at + 8, Math.min(count, 0xffff), true);
  view.setUint16(at + 10, Math.min(count, 0xffff), true);
  view.setUint32(at + 12, Math.min(centralSize, MAX32), true);
  view.setUint32(at + 16, Math.min(centralOffset, MAX32), true);
  return bytes;
}

async function* zipChunks(
  sources: AsyncIterable<ZipSource>,
  wrongSize: (entry: ZipEntry) => Error,
): AsyncGenerator<Uint8Array> {
  const central: Uint8Array[] = [];
  let offset = 0;
  for await (const source of sources) {
    const name = encoder.encode(source.name);
    const header = localHeader(source, name);
    yield header;
    const crc = await createCrc32();
    const reader = source.stream.getReader();
    let seen = 0;
    let done = false;
    try {
      for (let part = await reader.read(); !part.done; part = await reader.read()) {
        seen += part.value.byteLength;
        if (seen > source.size) throw wrongSize(source);
        crc.update(part.value);
        yield part.value;
      }
      done = true;
    } finally {
      // Cut short (an error, or the client went away): close the object, not just this loop.
      if (!done) await reader.cancel().catch(() => undefined);
    }
    if (seen !== source.size) throw wrongSize(source);
    const value = crc.value();
    const descriptor = dataDescriptor(value, source.size);
    yield descriptor;
    central.push(centralHeader(source, name, value, offset));
    offset += header.byteLength + source.size + descriptor.byteLength;
  }
  let centralSize = 0;
  for (const header of central) {
    yield header;
    centralSize += header.byteLength;
  }
  yield endRecords(central.length, offset, centralSize);
}

/**
 * A ZIP of `sources`, pulled one entry at a time as the stream is read: memory holds one chunk in flight and the
 * central directory. An entry whose stream does not hold exactly its `size` bytes errors the stream with
 * `wrongSize(entry)`, as does an error from `sources`: the length was promised, so a short ZIP is the only honest
 * answer. Cancelling the stream cancels the entry being read.
 *
 * @example
 * ```ts
 * const entries = [{ name: 'a.txt', size: 5, lastModified: new Date() }];
 * const body = makeZip(opened(entries), (entry) => new Error(`${entry.name} changed`));
 * new Response(body, { headers: { 'content-length': String(zipLength(entries)) } });
 * ```
 */
export function makeZip(
  sources: AsyncIterable<ZipSource>,
  wrongSize: (entry: ZipEntry) => Error,
): ReadableStream<Uint8Array> {
  const chunks = zipChunks(sources, wrongSize);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
