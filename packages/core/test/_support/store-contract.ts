/**
 * The contract every `ObjectStore` keeps, as a reusable suite: S3 runs it in test/store-contract.test.ts, the
 * local-disk store (core/node) runs it too. A store that passes can sit under `createUploader` unchanged.
 *
 * Usage:
 * ```ts
 * runStoreContract('local disk', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'store-'));
 *   return {
 *     store: createLocalDiskStore({ dir, publicBaseUrl: 'http://localhost:8000/f' }),
 *     read: (key) => readFile(join(dir, key)).then((b) => new Uint8Array(b), () => undefined),
 *     dispose: () => rm(dir, { recursive: true, force: true }),
 *   };
 * });
 * ```
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BodyInput, ObjectStore } from '../../src/types';

/** A store plus a way to see its objects from outside (never through the store itself). */
export interface StoreUnderTest {
  store: ObjectStore;
  /** The stored bytes of `key`, read independently of the store (SDK GetObject, the file on disk); undefined when missing. */
  read(key: string): Promise<Uint8Array | undefined>;
  dispose?(): Promise<void>;
}

const MiB = 1024 * 1024;

function data(size: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(randomBytes(size));
}

function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.byteLength; offset += size)
    out.push(bytes.slice(offset, offset + size));
  return out;
}

async function* iterate(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield* chunks(bytes, 100_000);
}

function stream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  const pieces = chunks(bytes, 100_000);
  return new ReadableStream({
    pull(controller) {
      const next = pieces.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

function sameBytes(actual: Uint8Array | undefined, expected: Uint8Array): boolean {
  return actual !== undefined && Buffer.compare(Buffer.from(actual), Buffer.from(expected)) === 0;
}

/** Registers the contract suite for one store. `setup` runs once; keys are unique per run. */
export function runStoreContract(name: string, setup: () => Promise<StoreUnderTest> | StoreUnderTest): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: ObjectStore;
    const run = randomBytes(4).toString('hex');
    const key = (name: string) => `contract-${run}/${name}`;

    beforeAll(async () => {
      subject = await setup();
      store = subject.store;
    });
    afterAll(() => subject?.dispose?.());

    it('has a kind and passes its own check', async () => {
      expect(typeof store.kind).toBe('string');
      await expect(store.check()).resolves.toBeUndefined();
    });

    it('head of a missing key is undefined', async () => {
      expect(await store.head(key('missing.bin'))).toBeUndefined();
    });

    it.each([
      ['0 B', 0],
      ['1 KiB', 1024],
    ])('put and head a %s Uint8Array', async (_label, size) => {
      const bytes = data(size);
      await store.put(key(`bytes-${size}.txt`), bytes, { contentType: 'text/plain' });
      expect(await store.head(key(`bytes-${size}.txt`))).toMatchObject({ size, contentType: 'text/plain' });
      expect(sameBytes(await subject.read(key(`bytes-${size}.txt`)), bytes)).toBe(true);
    });

    it.each<[string, (bytes: Uint8Array<ArrayBuffer>) => BodyInput]>([
      ['ArrayBuffer', (bytes) => bytes.slice().buffer],
      ['Blob', (bytes) => new Blob([bytes])],
      ['ReadableStream', (bytes) => stream(bytes)],
      ['AsyncIterable', (bytes) => iterate(bytes)],
    ])('stores a %s byte for byte', async (kind, toBody) => {
      const bytes = data(300_000);
      await store.put(key(`kind-${kind}.bin`), toBody(bytes), { contentType: 'application/octet-stream' });
      expect(sameBytes(await subject.read(key(`kind-${kind}.bin`)), bytes)).toBe(true);
    });

    it('stores a stream larger than the S3 minimum part size, reporting progress up to its size', async () => {
      const bytes = data(5 * MiB + 1);
      const seen: number[] = [];
      await store.put(key('large.bin'), stream(bytes), {
        contentType: 'application/octet-stream',
        onProgress: (progress) => seen.push(progress.loaded),
      });
      expect(sameBytes(await subject.read(key('large.bin')), bytes)).toBe(true);
      expect(seen.at(-1)).toBe(bytes.byteLength);
      expect((await store.head(key('large.bin')))?.size).toBe(bytes.byteLength);
    });

    // radosgw answers CompleteMultipartUpload with an empty ETag: '' must not pass for the object's ETag.
    it.each([
      ['a single PUT', () => data(1000)],
      ['a multipart upload', () => stream(data(5 * MiB + 1))],
    ])('put after %s resolves to the ETag the object has, or to none', async (_label, body) => {
      const name = key(`etag-${_label.replace(/ /g, '-')}.bin`);
      const { etag } = await store.put(name, body(), { contentType: 'application/octet-stream' });
      if (etag !== undefined) expect(etag).toBe((await store.head(name))?.etag);
    });

    it('put replaces an existing object', async () => {
      await store.put(key('replace.txt'), data(10), { contentType: 'text/plain' });
      const second = data(20);
      await store.put(key('replace.txt'), second, { contentType: 'text/markdown' });
      expect(await store.head(key('replace.txt'))).toMatchObject({ size: 20, contentType: 'text/markdown' });
      expect(sameBytes(await subject.read(key('replace.txt')), second)).toBe(true);
    });

    it('copy makes an identical object with the new headers and keeps the source; head answers them', async () => {
      const bytes = data(2048);
      await store.put(key('copy-from.bin'), bytes, { contentType: 'application/octet-stream' });
      await store.copy(key('copy-from.bin'), key('copied/to.png'), {
        contentType: 'image/png',
        cacheControl: 'public, max-age=31536000, immutable',
        contentDisposition: 'attachment; filename="to.png"',
      });
      expect(await store.head(key('copied/to.png'))).toMatchObject({
        size: 2048,
        contentType: 'image/png',
        cacheControl: 'public, max-age=31536000, immutable',
        contentDisposition: 'attachment; filename="to.png"',
      });
      expect(sameBytes(await subject.read(key('copied/to.png')), bytes)).toBe(true);
      expect(sameBytes(await subject.read(key('copy-from.bin')), bytes)).toBe(true);
    });

    it('copy with sourceEtag copies that version, and refuses with ERR_CONFLICT once the source changed', async () => {
      const first = data(4096);
      await store.put(key('versioned.bin'), first, { contentType: 'application/octet-stream' });
      const etag = (await store.head(key('versioned.bin')))?.etag as string;
      await store.copy(key('versioned.bin'), key('versioned-copy.bin'), {
        contentType: 'application/octet-stream',
        sourceEtag: etag,
      });
      expect(sameBytes(await subject.read(key('versioned-copy.bin')), first)).toBe(true);
      await store.put(key('versioned.bin'), data(4097), { contentType: 'application/octet-stream' });
      // The write id tells this copy's object from another writer's at that key: only its own is removed.
      const changed = store.copy(key('versioned.bin'), key('versioned-late.bin'), {
        contentType: 'application/octet-stream',
        sourceEtag: etag,
        meta: { write: 'late-copy' },
      });
      await expect(changed).rejects.toMatchObject({
        code: 'ERR_CONFLICT',
        message: expect.stringMatching(/changed since it was read .*upload it again/),
      });
      expect(await store.head(key('versioned-late.bin'))).toBeUndefined();
    });

    it('delete removes the object; deleting a missing key is not an error', async () => {
      await store.put(key('delete.txt'), data(5), { contentType: 'text/plain' });
      await store.delete(key('delete.txt'));
      expect(await store.head(key('delete.txt'))).toBeUndefined();
      expect(await subject.read(key('delete.txt'))).toBeUndefined();
      await expect(store.delete(key('never-there.txt'))).resolves.toBeUndefined();
    });

    it('keys with unicode, spaces and nested folders round-trip, and publicUrl encodes each segment', async () => {
      const unicode = key('Ünïcode dir/Café (1)+x.png');
      const bytes = data(64);
      await store.put(unicode, bytes, { contentType: 'image/png' });
      expect(sameBytes(await subject.read(unicode), bytes)).toBe(true);
      const url = store.publicUrl(unicode);
      expect(url).toMatch(/^https?:\/\//);
      expect(url.endsWith(`/contract-${run}/%C3%9Cn%C3%AFcode%20dir/Caf%C3%A9%20%281%29%2Bx.png`)).toBe(true);
    });

    it('an already-aborted signal: ERR_ABORTED and no object', async () => {
      const put = store.put(key('aborted.bin'), data(10), {
        contentType: 'application/octet-stream',
        signal: AbortSignal.abort(),
      });
      await expect(put).rejects.toMatchObject({ name: 'BytedropError', code: 'ERR_ABORTED' });
      expect(await store.head(key('aborted.bin'))).toBeUndefined();
    });

    it('a body that fails mid-way rejects and leaves no object behind', async () => {
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield data(6 * MiB); // past one S3 part, so a multipart upload is under way when it fails
        throw new Error('disk read failed');
      }
      await expect(
        store.put(key('failing.bin'), failing(), { contentType: 'application/octet-stream' }),
      ).rejects.toThrow();
      expect(await store.head(key('failing.bin'))).toBeUndefined();
    });
  });
}
