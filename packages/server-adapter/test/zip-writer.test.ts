/**
 * The ZIP writer behind `POST /api/zip`, read back by Debian's `unzip -t` and `zipinfo` (independent readers):
 * stored entries with the CRC computed natively (or by WebAssembly where the runtime has no zlib), the exact
 * length in advance, ZIP64 for an entry past 4 GiB and the entries after it, and a stream that is cut, not
 * padded, when an entry is not its promised size.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeZip, type ZipSource, zipLength } from '../src/_zip-writer';

const run = promisify(execFile);
const when = new Date(Date.UTC(2026, 10, 29, 12, 30, 44));

const streamOf = (...chunks: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });

/** One MiB of zeros: `zeros` hands out this buffer again and again, and `check` leaves it out of the file. */
const BLOCK = new Uint8Array(2 ** 20);

/** `size` zero bytes, as chunks of `BLOCK` (nothing that size is ever held). */
function zeros(size: number): ReadableStream<Uint8Array> {
  const block = BLOCK;
  let left = size;
  return new ReadableStream({
    pull(controller) {
      if (left === 0) return controller.close();
      const chunk = left >= block.byteLength ? block : block.subarray(0, left);
      left -= chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

async function* listed(sources: ZipSource[]) {
  yield* sources;
}

const wrongSize = (entry: { name: string }) => new Error(`${entry.name} is not its size`);

/**
 * Writes the ZIP to a file, runs `unzip -t` (on `members`, else all) and `zipinfo` on it; answers their output, the
 * byte count and the last 98 bytes (where ZIP64's end records go). Chunks of `BLOCK` are left as holes (a sparse
 * file), so a ZIP of 4 GiB costs no disk.
 */
async function check(sources: ZipSource[], members: string[] = []) {
  const dir = await mkdtemp(join(tmpdir(), 'bytedrop-zip-writer-'));
  const file = join(dir, 'out.zip');
  try {
    const handle = await open(file, 'w');
    let position = 0;
    try {
      const reader = makeZip(listed(sources), wrongSize).getReader();
      for (let part = await reader.read(); !part.done; part = await reader.read()) {
        const chunk = part.value;
        if (chunk.buffer !== BLOCK.buffer) await handle.write(chunk, 0, chunk.byteLength, position);
        position += chunk.byteLength;
      }
      await handle.truncate(position);
    } finally {
      await handle.close();
    }
    const tested = await run('unzip', ['-t', file, ...members]);
    const info = await run('zipinfo', ['-l', file]);
    const verbose = await run('zipinfo', ['-v', file], { maxBuffer: 2 ** 24 });
    const tail = Buffer.alloc(98);
    const reread = await open(file, 'r');
    await reread.read(tail, 0, 98, Math.max(0, position - 98)).finally(() => reread.close());
    return { bytes: position, tested: tested.stdout, info: info.stdout, verbose: verbose.stdout, tail };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('makeZip', () => {
  it('writes entries that unzip tests good, of the exact predicted length, with names, sizes and times', async () => {
    const text = new TextEncoder().encode('hello, zip');
    const entries = [
      { name: '2026/11/29/notes.txt', size: text.byteLength, lastModified: when },
      { name: 'empty.bin', size: 0, lastModified: new Date(Date.UTC(1970, 0, 1)) },
      { name: 'photos/été 🌅.png', size: 3, lastModified: when },
    ];
    const result = await check([
      { ...entries[0]!, stream: streamOf(text.subarray(0, 4), text.subarray(4)) },
      { ...entries[1]!, stream: streamOf() },
      { ...entries[2]!, stream: streamOf(new Uint8Array([1, 2, 3])) },
    ]);
    expect(result.bytes).toBe(zipLength(entries));
    expect(result.tested).toContain('No errors detected');
    expect(result.info).toMatch(/10 bX\s+10 stor .* 2026\/11\/29\/notes\.txt/);
    expect(result.info).toContain('photos/été 🌅.png');
    expect(result.info).toContain('3 files, 13 bytes uncompressed, 13 bytes compressed');
    // The extended timestamp carries the instant, which zipinfo prints in UTC.
    expect(result.verbose).toContain('2026 Nov 29 12:30:44 UTC');
    expect(result.verbose).toMatch(
      new RegExp(`32-bit CRC value \\(hex\\):\\s+${crc32(text).toString(16).padStart(8, '0')}`),
    );
  });

  it('uses ZIP64 for an entry of 4 GiB and more, and for the entries that start past 4 GiB', async () => {
    const size = 2 ** 32 + 10;
    const entries = [
      { name: 'big.bin', size, lastModified: when },
      { name: 'after.txt', size: 5, lastModified: when },
    ];
    // unzip tests after.txt only, found through ZIP64 offsets: reading 4 GiB back took 95 s on a loaded machine.
    // big.bin's CRC is checked against zlib's over the same zeros (and `unzip -t` of all passed when written).
    const result = await check(
      [
        { ...entries[0]!, stream: zeros(size) },
        { ...entries[1]!, stream: streamOf(new TextEncoder().encode('after')) },
      ],
      ['after.txt'],
    );
    expect(result.bytes).toBe(zipLength(entries));
    expect(result.tested).toContain('No errors detected');
    expect(result.info).toMatch(new RegExp(`${size} bX\\s+${size} stor .* big\\.bin`));
    expect(result.info).toContain('2 files, 4294967311 bytes uncompressed');
    // zlib's CRC-32 of 2 ** 32 + 10 zero bytes (Python: zlib.crc32 over them), not computed again here: 4 GiB more.
    expect(result.verbose).toMatch(/32-bit CRC value \(hex\):\s+6b87b1ec/);
    expect(result.verbose).toMatch(
      /after\.txt[\s\S]*offset of local header from start of archive:\s+4294967396/,
    );
    // The central directory starts past 4 GiB: the ZIP64 end record and its locator precede the classic one.
    expect(result.tail.readUInt32LE(0)).toBe(0x06064b50);
    expect(result.tail.readBigUInt64LE(48)).toBe(4294967465n);
    expect(result.tail.readUInt32LE(56)).toBe(0x07064b50);
    expect(result.tail.readUInt32LE(76)).toBe(0x06054b50);
    expect(result.tail.readUInt32LE(76 + 16)).toBe(0xffffffff);
  }, 120_000);

  it('errors the stream, after what was written, when an entry is longer or shorter than its size', async () => {
    for (const bytes of [new Uint8Array(4), new Uint8Array(6)]) {
      const stream = makeZip(
        listed([{ name: 'a.bin', size: 5, lastModified: when, stream: streamOf(bytes) }]),
        wrongSize,
      );
      await expect(new Response(stream).arrayBuffer()).rejects.toThrow('a.bin is not its size');
    }
  });

  it('cancels the entry being read when the ZIP is cancelled (the client went away)', async () => {
    const cancelled = vi.fn();
    const source = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new Uint8Array(1024)),
      cancel: cancelled,
    });
    const reader = makeZip(
      listed([{ name: 'a.bin', size: 2 ** 20, lastModified: when, stream: source }]),
      wrongSize,
    ).getReader();
    await reader.read(); // the local header
    await reader.read(); // the first chunk
    await reader.cancel('gone');
    expect(cancelled).toHaveBeenCalledOnce();
  });
});
