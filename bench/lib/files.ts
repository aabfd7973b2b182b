/** Test inputs: a large file of random bytes in the OS temp dir, and PNGs of distinct bytes. */
import { randomFillSync } from 'node:crypto';
import { open } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;

/** Writes `size` random bytes (incompressible, so no layer can cheat) to `path`, 16 MiB at a time. */
export async function writeRandomFile(path: string, size: number): Promise<void> {
  const handle = await open(path, 'w');
  const chunk = Buffer.allocUnsafe(16 * MiB);
  try {
    for (let written = 0; written < size; written += chunk.length) {
      randomFillSync(chunk);
      await handle.write(chunk, 0, Math.min(chunk.length, size - written));
    }
  } finally {
    await handle.close();
  }
}

/** Reads the file once so that every measured read comes from the page cache. */
export async function warmPageCache(path: string): Promise<void> {
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(16 * MiB);
  try {
    while ((await handle.read(buffer, 0, buffer.length)).bytesRead > 0) {
      // reading is the point
    }
  } finally {
    await handle.close();
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A valid RGB PNG of random pixels, about `approxBytes` long (random pixels do not compress, so the file is
 * as large as its pixels). Every call gives different bytes.
 */
export function makePng(approxBytes: number): Buffer {
  const side = Math.round(Math.sqrt(approxBytes / 3));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  const rows = randomFillSync(Buffer.alloc(side * (side * 3 + 1)));
  for (let y = 0; y < side; y++) rows[y * (side * 3 + 1)] = 0; // filter byte: none
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 1 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
