import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type HashingRead, OWN_DIGEST, OWN_HASHING_READ } from '../../src/_body';
import { changedError, verifiedRead } from '../../src/_verify';
import { hashBody } from '../../src/hash';
import { openFileBlob } from '../../src/node/_file-blob';
import { WORKER_MIN_BYTES } from '../../src/node/_file-digest';

const MiB = 1024 * 1024;
/** The first read's size: each later read then ends 64 KiB past a multiple of 2 MiB (see `LEAD` in `_file-blob.ts`). */
const LEAD = 64 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function readAll(stream: ReadableStream<Uint8Array>): Promise<{ bytes: Uint8Array; sizes: number[] }> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) parts.push(next.value);
  return { bytes: new Uint8Array(Buffer.concat(parts)), sizes: parts.map((part) => part.byteLength) };
}

describe('openFileBlob', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-file-blob-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('streams the file byte for byte in a 64 KiB read, then 2 MiB reads, the last one short', async () => {
    const bytes = randomBytes(5 * MiB + 123);
    const path = join(dir, 'odd-size.bin');
    await writeFile(path, bytes);
    const blob = await openFileBlob(path, await stat(path));
    expect(blob.size).toBe(bytes.byteLength);
    const read = await readAll(blob.stream());
    expect(read.sizes).toEqual([LEAD, 2 * MiB, 2 * MiB, 5 * MiB + 123 - LEAD - 4 * MiB]);
    expect(sha256(read.bytes)).toBe(sha256(bytes));
    // Readable twice, as the uploader does: hash first, then upload.
    expect((await hashBody(blob)).hash).toBe(sha256(bytes));
  });

  it('slices like a Blob: negative indices, clamping, empty ranges', async () => {
    const bytes = randomBytes(3 * MiB);
    const path = join(dir, 'slices.bin');
    await writeFile(path, bytes);
    const blob = await openFileBlob(path, await stat(path));
    const reference = new Blob([bytes]);
    for (const [from, to] of [
      [0, 4100],
      [MiB - 7, 2 * MiB + 9],
      [-100, undefined],
      [-5, -1],
      [10, 5],
      [undefined, 10 * MiB],
    ] as const) {
      const mine = new Uint8Array(await blob.slice(from, to).arrayBuffer());
      const real = new Uint8Array(await reference.slice(from, to).arrayBuffer());
      expect(mine.byteLength, `slice(${from}, ${to})`).toBe(real.byteLength);
      expect(sha256(mine)).toBe(sha256(real));
    }
    const inner = blob.slice(MiB, 2 * MiB).slice(10, 20);
    expect(new Uint8Array(await inner.arrayBuffer())).toEqual(
      new Uint8Array(bytes.subarray(MiB + 10, MiB + 20)),
    );
  });

  it('fails with NotReadableError once the file changed after it was opened', async () => {
    const path = join(dir, 'growing.bin');
    await writeFile(path, randomBytes(MiB));
    const blob = await openFileBlob(path, await stat(path));
    await appendFile(path, 'more');
    await expect(blob.arrayBuffer()).rejects.toMatchObject({ name: 'NotReadableError' });
    await expect(readAll(blob.stream())).rejects.toMatchObject({ name: 'NotReadableError' });
  });

  it('goes into FormData as a file, so a server uploader can send it', async () => {
    const bytes = randomBytes(100_000);
    const path = join(dir, 'form.bin');
    await writeFile(path, bytes);
    const form = new FormData();
    form.append('file', await openFileBlob(path, await stat(path), 'image/png'), 'shot.png');
    const file = form.get('file') as File;
    expect(file.name).toBe('shot.png');
    const sent = new Uint8Array(await new Response(form).arrayBuffer());
    expect(Buffer.from(sent).includes(bytes)).toBe(true);
  });

  it('is a real Blob, slices included: File and Response take its bytes', async () => {
    const bytes = randomBytes(300_000);
    const path = join(dir, 'real.bin');
    await writeFile(path, bytes);
    const blob = await openFileBlob(path, await stat(path), 'image/png');
    const slice = blob.slice(1000, 2000, 'text/plain');
    for (const [real, expected] of [
      [blob, bytes],
      [slice, bytes.subarray(1000, 2000)],
    ] as const) {
      expect(real).toBeInstanceOf(Blob);
      // These read a Blob through Node's internals, never through its JavaScript methods.
      const reads = [new File([real], 'f.bin').arrayBuffer(), new Response(real).arrayBuffer()];
      for (const read of await Promise.all(reads)) expect(Buffer.from(read).equals(expected)).toBe(true);
    }
    expect([blob.type, slice.type, slice.size]).toEqual(['image/png', 'text/plain', 1000]);
    // Core's own reads stay on the slice: its range, in core's stream.
    expect(Buffer.from((await readAll(slice.stream())).bytes).equals(bytes.subarray(1000, 2000))).toBe(true);
  });

  describe('the hash pass of a large file (a worker thread)', () => {
    type OwnDigest = (
      algorithm: 'sha256' | 'md5',
      signal?: AbortSignal,
    ) => Promise<{ hash: string; size: number }> | undefined;
    const own = (blob: Blob) => (blob as unknown as Record<symbol, OwnDigest>)[OWN_DIGEST] as OwnDigest;
    let big: Uint8Array;
    let path: string;
    beforeAll(async () => {
      big = randomBytes(WORKER_MIN_BYTES + 4321);
      path = join(dir, 'big.bin');
      await writeFile(path, big);
    });

    it('hashes a file from WORKER_MIN_BYTES up in a worker, with the same digests; smaller ones are left to the caller', async () => {
      const blob = await openFileBlob(path, await stat(path));
      await expect(own(blob)('sha256')).resolves.toEqual({ hash: sha256(big), size: big.byteLength });
      await expect(own(blob)('md5')).resolves.toEqual({
        hash: createHash('md5').update(big).digest('hex'),
        size: big.byteLength,
      });
      expect((await hashBody(blob)).hash).toBe(sha256(big));
      // A slice hashes its own range only; below the threshold the caller hashes.
      const slice = blob.slice(7, WORKER_MIN_BYTES + 9);
      await expect(own(slice)('sha256')).resolves.toEqual({
        hash: sha256(big.subarray(7, WORKER_MIN_BYTES + 9)),
        size: WORKER_MIN_BYTES + 2,
      });
      expect(own(blob.slice(0, WORKER_MIN_BYTES - 1))('sha256')).toBeUndefined();
    });

    it('fails with NotReadableError when the file changed since it was opened, or is gone', async () => {
      const changing = join(dir, 'big-changing.bin');
      await writeFile(changing, big);
      const blob = await openFileBlob(changing, await stat(changing));
      await appendFile(changing, 'more');
      await expect(own(blob)('sha256')).rejects.toMatchObject({ name: 'NotReadableError' });
      await rm(changing);
      await expect(own(blob)('sha256')).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('stops the worker when the signal fires', async () => {
      const terminate = vi.spyOn(Worker.prototype, 'terminate');
      const blob = await openFileBlob(path, await stat(path));
      const controller = new AbortController();
      const pending = own(blob)('sha256', controller.signal);
      controller.abort(new Error('stop'));
      await expect(pending).rejects.toThrow('stop');
      expect(terminate).toHaveBeenCalledTimes(1);
      terminate.mockRestore();
    });
  });
  describe('the upload read of a large file (a worker thread that hashes as it reads)', () => {
    type OwnRead = (algorithm: 'sha256' | 'md5') => HashingRead | undefined;
    const ownRead = (blob: Blob) => (blob as unknown as Record<symbol, OwnRead>)[OWN_HASHING_READ] as OwnRead;
    const collect = async (chunks: AsyncIterable<Uint8Array>) => {
      const parts: Uint8Array[] = [];
      for await (const chunk of chunks) parts.push(chunk);
      return parts;
    };
    let big: Uint8Array;
    let path: string;
    beforeAll(async () => {
      big = randomBytes(WORKER_MIN_BYTES + 4321);
      path = join(dir, 'big-read.bin');
      await writeFile(path, big);
    });

    it('yields the file in a 64 KiB chunk, then 2 MiB chunks, then the digest of what it yielded; smaller files are left to the caller', async () => {
      const blob = await openFileBlob(path, await stat(path));
      const read = ownRead(blob)('sha256');
      if (!read) throw new Error('no hashing read for a large file');
      await expect(read.digest()).rejects.toThrow('has not ended');
      const parts = await collect(read.chunks);
      const sizes = parts.map((part) => part.byteLength);
      expect(sizes[0]).toBe(LEAD);
      expect(sizes.slice(1, -1).every((size) => size === 2 * MiB)).toBe(true);
      expect(sizes.length).toBe(1 + Math.ceil((big.byteLength - LEAD) / (2 * MiB)));
      expect(sha256(Buffer.concat(parts))).toBe(sha256(big));
      await expect(read.digest()).resolves.toBe(sha256(big));
      // A slice reads and hashes its own range only.
      const slice = ownRead(blob.slice(7, WORKER_MIN_BYTES + 9))('md5');
      if (!slice) throw new Error('no hashing read for a large slice');
      const sliced = Buffer.concat(await collect(slice.chunks));
      expect(sliced.equals(Buffer.from(big.subarray(7, WORKER_MIN_BYTES + 9)))).toBe(true);
      await expect(slice.digest()).resolves.toBe(createHash('md5').update(sliced).digest('hex'));
      expect(ownRead(blob.slice(0, WORKER_MIN_BYTES - 1))('sha256')).toBeUndefined();
    });

    it('hashes what it read: other bytes than the ones hashed before are refused by verifiedRead', async () => {
      // The file as the upload finds it, after an edit its size and mtime do not show.
      const rewritten = join(dir, 'big-rewritten.bin');
      await writeFile(rewritten, randomBytes(big.byteLength));
      const blob = await openFileBlob(rewritten, await stat(rewritten));
      const expected = [
        { algorithm: 'sha256' as const, hex: sha256(big), mismatch: () => changedError('big.bin') },
      ];
      await expect(collect(verifiedRead(blob, expected))).rejects.toMatchObject({
        code: 'ERR_INPUT',
        message: expect.stringContaining("'big.bin' changed during the upload"),
      });
      // The same read against the right hash passes every byte.
      const right = [{ ...expected[0]!, hex: sha256(await readFile(rewritten)) }];
      expect((await collect(verifiedRead(blob, right))).reduce((n, c) => n + c.byteLength, 0)).toBe(
        big.byteLength,
      );
      await rm(rewritten);
    });

    it('fails with NotReadableError when the file changed since it was opened', async () => {
      const changing = join(dir, 'big-read-changing.bin');
      await writeFile(changing, big);
      const blob = await openFileBlob(changing, await stat(changing));
      await appendFile(changing, 'more');
      const read = ownRead(blob)('sha256');
      if (!read) throw new Error('no hashing read for a large file');
      await expect(collect(read.chunks)).rejects.toMatchObject({ name: 'NotReadableError' });
      await rm(changing);
    });

    it.each([1, 4095, 4097])(
      'hands over a short last chunk (%i bytes) in memory of its own, on every Node',
      async (tail) => {
        // Under 4 KiB a Buffer comes from Node's shared pool: Node 24 refuses to transfer it (DataCloneError).
        const bytes = randomBytes(LEAD + WORKER_MIN_BYTES + tail);
        const short = join(dir, `big-tail-${tail}.bin`);
        await writeFile(short, bytes);
        const read = ownRead(await openFileBlob(short, await stat(short)))('sha256');
        if (!read) throw new Error('no hashing read for a large file');
        const parts = await collect(read.chunks);
        expect(parts.at(-1)?.byteLength).toBe(tail);
        // Each chunk owns its memory: none carries a pool (or anything else) beyond its own bytes.
        expect(parts.map((part) => part.buffer.byteLength)).toEqual(parts.map((part) => part.byteLength));
        expect(Buffer.concat(parts).equals(bytes)).toBe(true);
        await expect(read.digest()).resolves.toBe(sha256(bytes));
        await rm(short);
      },
    );

    it('stops its worker when the reader stops early', async () => {
      const terminate = vi.spyOn(Worker.prototype, 'terminate');
      const blob = await openFileBlob(path, await stat(path));
      const iterator = ownRead(blob)('sha256')?.chunks[Symbol.asyncIterator]();
      expect((await iterator?.next())?.value?.byteLength).toBe(LEAD);
      await iterator?.return?.();
      expect(terminate).toHaveBeenCalledTimes(1);
      terminate.mockRestore();
    });
  });
});
