import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isReplayable, knownSize, toAsyncIterable } from '../src/_body';
import type { BodyInput, HashAlgorithm } from '../src/index';
import { createHasher, hashBody, isBytedropError, shortHash } from '../src/index';

// Vectors from FIPS 180-2 / RFC 1321, and 1 MiB of zero bytes digested by coreutils (sha256sum, md5sum).
const VECTORS: { label: string; bytes: () => Uint8Array; sha256: string; md5: string }[] = [
  {
    label: 'empty',
    bytes: () => new Uint8Array(0),
    sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    md5: 'd41d8cd98f00b204e9800998ecf8427e',
  },
  {
    label: "'abc'",
    bytes: () => new TextEncoder().encode('abc'),
    sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    md5: '900150983cd24fb0d6963f7d28e17f72',
  },
  {
    label: '1 MiB of zeros',
    bytes: () => new Uint8Array(1024 * 1024),
    sha256: '30e14955ebf1352266dc2ff8067e68104607e750abb9d3b36582b8af909fcb58',
    md5: 'b6d81b360a5672d80c27430f39153e2c',
  },
];

/** The same bytes as each of the five body kinds, split into uneven chunks for the streaming kinds. */
function asBodies(bytes: Uint8Array): Record<string, () => BodyInput> {
  const chunks = (): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let at = 0, size = 1; at < bytes.length; at += size, size = size * 3 + 7) {
      out.push(bytes.subarray(at, at + size));
    }
    return out;
  };
  return {
    Uint8Array: () => bytes,
    ArrayBuffer: () => bytes.slice().buffer,
    Blob: () => new Blob([bytes.slice()]),
    ReadableStream: () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks()) controller.enqueue(chunk);
          controller.close();
        },
      }),
    AsyncIterable: () =>
      (async function* () {
        yield* chunks();
      })(),
  };
}

const backends = ['auto', 'wasm'] as const;
const algorithms: HashAlgorithm[] = ['sha256', 'md5'];

describe.each(backends)('hashBody with the %s backend', (backend) => {
  for (const vector of VECTORS) {
    for (const algorithm of algorithms) {
      it(`${algorithm} of ${vector.label} matches the reference for all five body kinds`, async () => {
        for (const [kind, body] of Object.entries(asBodies(vector.bytes()))) {
          const result = await hashBody(body(), algorithm, { backend });
          expect(result, kind).toEqual({ hash: vector[algorithm], size: vector.bytes().length });
        }
      });
    }
  }
});

describe('createHasher', () => {
  it('uses node:crypto under Node and hash-wasm when forced (the browser path)', async () => {
    expect((await createHasher()).implementation).toBe('node:crypto');
    expect((await createHasher('md5', { backend: 'wasm' })).implementation).toBe('hash-wasm');
  });

  it('defaults to SHA-256 and hashes incrementally', async () => {
    for (const backend of backends) {
      const hasher = await createHasher(undefined, { backend });
      hasher.update(new TextEncoder().encode('a'));
      hasher.update(new TextEncoder().encode('bc'));
      expect(await hasher.digest()).toBe(VECTORS[1]!.sha256);
    }
  });

  it('node:crypto and hash-wasm agree on arbitrary chunked input', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.constantFrom(...algorithms),
        async (chunks, algorithm) => {
          const digests = await Promise.all(
            backends.map(async (backend) => {
              const hasher = await createHasher(algorithm, { backend });
              for (const chunk of chunks) hasher.update(chunk);
              return hasher.digest();
            }),
          );
          expect(digests[0]).toBe(digests[1]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects an unknown algorithm with ERR_CONFIG naming it', async () => {
    const error = await createHasher('sha1' as HashAlgorithm).catch((e: unknown) => e);
    expect(isBytedropError(error, 'ERR_CONFIG')).toBe(true);
    expect((error as Error).message).toBe(
      "hash algorithm 'sha1' is not supported: use 'sha256' (default) or 'md5'",
    );
  });
});

describe('shortHash', () => {
  const hex = VECTORS[1]!.sha256;
  it('takes the first 8 characters by default, or N', () => {
    expect(shortHash(hex)).toBe('ba7816bf');
    expect(shortHash(hex, 12)).toBe('ba7816bf8f01');
    expect(shortHash(hex.toUpperCase(), 4)).toBe('ba78');
  });
  it.each([0, -1, 1.5, 65])('rejects length %s with ERR_INPUT', (length) => {
    expect(() => shortHash(hex, length)).toThrow(
      /short hash length .* is out of range: use a whole number from 1 to 64/,
    );
  });
});

describe('body helpers', () => {
  it('tells replayable bodies and known sizes apart from streams', () => {
    const bodies = asBodies(new Uint8Array(5));
    expect(isReplayable(bodies.Uint8Array!())).toBe(true);
    expect(isReplayable(bodies.ArrayBuffer!())).toBe(true);
    expect(isReplayable(bodies.Blob!())).toBe(true);
    expect(isReplayable(bodies.ReadableStream!())).toBe(false);
    expect(isReplayable(bodies.AsyncIterable!())).toBe(false);
    expect(knownSize(bodies.Blob!())).toBe(5);
    expect(knownSize(bodies.ArrayBuffer!())).toBe(5);
    expect(knownSize(bodies.ReadableStream!())).toBeUndefined();
  });

  it('cancels a ReadableStream when the reader stops early', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(1));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const _chunk of toAsyncIterable(stream)) break;
    expect(cancelled).toBe(true);
  });

  it('refuses text chunks and unknown bodies with ERR_INPUT', async () => {
    const strings = (async function* () {
      yield 'text' as unknown as Uint8Array;
    })();
    await expect(hashBody(strings)).rejects.toThrow(
      /yielded a string chunk, not bytes: pass a stream of Uint8Array/,
    );
    await expect(hashBody(42 as unknown as BodyInput)).rejects.toThrow(/unsupported body \(number\)/);
  });
});
