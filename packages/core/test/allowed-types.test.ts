/**
 * `allowedTypes` is judged on the sniffed type, right after sniffing: a refused file is not hashed, and no request
 * reaches the storage (counted at the server), on every path — prepare, replayable upload, short and long streams,
 * and the server uploader.
 */
import { describe, expect, it } from 'vitest';
import { isBytedropError } from '../src/errors';
import { createServerUploader } from '../src/server-uploader';
import { createUploader } from '../src/uploader';
import { useOwnS3rver } from './_support/own-s3rver';
import { bytes, getBytes, inspector, iterable, PART, s3Config, sameBytes } from './_support/s3';

const s3 = useOwnS3rver();

// Real heads: a complete 1×1 PNG, and a JPEG's JFIF signature (enough for magic-byte detection).
const PNG = Uint8Array.from(
  Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000a49444154789c63000100000500010d0a2db40000000049454e44ae426082',
    'hex',
  ),
);
const JPEG = Uint8Array.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01,
  0x00, 0x00,
]);

/** The refusal a test expects: the code, and a message naming the file, the sniffed type and the list. */
async function expectRefused(work: Promise<unknown>, filename: string, type: string, allowed: string) {
  const error = await work.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(isBytedropError(error, 'ERR_UNSUPPORTED_TYPE')).toBe(true);
  const message = (error as Error).message;
  expect(message).toContain(`'${filename}'`);
  expect(message).toContain(type);
  expect(message).toContain(`allowed: ${allowed}`);
}

/** A Blob that counts full reads: sniffing slices the head, hashing and sending stream the whole. */
function countingBlob(data: Uint8Array<ArrayBuffer>): { blob: Blob; streams: () => number } {
  const real = new Blob([data]);
  let streams = 0;
  const blob = {
    size: real.size,
    type: '',
    slice: (start?: number, end?: number) => real.slice(start, end),
    arrayBuffer: () => real.arrayBuffer(),
    stream: () => {
      streams++;
      return real.stream();
    },
  } as Blob;
  return { blob, streams: () => streams };
}

/** A one-shot stream of `total` random bytes after `head`, that records how far it was read and whether it was released. */
function trackedStream(head: Uint8Array, total: number, chunk = 256 * 1024) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled >= total) {
        controller.close();
        return;
      }
      const piece = state.pulled === 0 ? head : bytes(Math.min(chunk, total - state.pulled));
      state.pulled += piece.byteLength;
      controller.enqueue(piece);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

describe('createUploader with allowedTypes', () => {
  it('prepare refuses a JPEG named .png when only PNG is allowed: the bytes decide, nothing hashed or sent', async () => {
    const uploader = createUploader(s3Config(s3));
    const { blob, streams } = countingBlob(Uint8Array.from([...JPEG, ...bytes(64 * 1024)]));
    await expectRefused(
      uploader.prepare(blob, {
        filename: 'photo.png',
        contentType: 'image/png',
        allowedTypes: ['image/png'],
      }),
      'photo.png',
      'image/jpeg',
      'image/png',
    );
    expect(streams()).toBe(0);
    expect(s3.requests).toEqual([]);
  });

  it('prepare and upload accept a matching type, and its upload() stores it', async () => {
    const uploader = createUploader(s3Config(s3, { keyTemplate: 'allowed/{name}-{hash:8}.{ext}' }));
    const prepared = await uploader.prepare(PNG, {
      filename: 'image.png',
      allowedTypes: ['image/*', 'application/pdf'],
    });
    expect(s3.requests).toEqual([]);
    expect(prepared.contentType).toBe('image/png');
    await prepared.upload();
    expect(sameBytes(await getBytes(inspector(s3), s3.bucket, prepared.key), PNG)).toBe(true);
  });

  it('upload of bytes refuses before any request', async () => {
    const uploader = createUploader(s3Config(s3));
    await expectRefused(
      uploader.upload(bytes(1000), { filename: 'data.bin', allowedTypes: ['image/*', 'application/pdf'] }),
      'data.bin',
      'application/octet-stream',
      'image/*, application/pdf',
    );
    expect(s3.requests).toEqual([]);
  });

  it('an empty list allows nothing and says so', async () => {
    const uploader = createUploader(s3Config(s3));
    await expectRefused(
      uploader.upload(PNG, { filename: 'image.png', allowedTypes: [] }),
      'image.png',
      'image/png',
      'none',
    );
    expect(s3.requests).toEqual([]);
  });

  it('a short one-shot stream (buffered) refuses before any request', async () => {
    const uploader = createUploader(s3Config(s3));
    await expectRefused(
      uploader.upload(iterable(Uint8Array.from([...JPEG, ...bytes(5000)])), {
        filename: 'photo.jpg',
        allowedTypes: ['application/pdf'],
      }),
      'photo.jpg',
      'image/jpeg',
      'application/pdf',
    );
    expect(s3.requests).toEqual([]);
  });

  it.each([
    ['a content-addressed key (temporary key path)', '{name}-{hash}.{ext}'],
    ['a key without the hash (direct multipart path)', 'direct/{uuid}.{ext}'],
  ])(
    'a long one-shot stream with %s: refused after the first bytes, not read on, released, no request',
    async (_label, keyTemplate) => {
      const uploader = createUploader(s3Config(s3, { keyTemplate }));
      const total = 4 * PART;
      const { stream, state } = trackedStream(JPEG, total);
      await expectRefused(
        uploader.upload(stream, { filename: 'big.jpg', allowedTypes: ['image/png'] }),
        'big.jpg',
        'image/jpeg',
        'image/png',
      );
      expect(s3.requests).toEqual([]);
      // Read up to the multipart threshold (the buffered head), no further; then handed back.
      expect(state.pulled).toBeGreaterThan(PART);
      expect(state.pulled).toBeLessThan(2 * PART);
      expect(state.cancelled).toBe(true);
    },
  );

  it('a long one-shot stream of an allowed type goes through', async () => {
    // Metadata kept: stripping would drop the filler after the PNG's end, and this is about the stream going through.
    const uploader = createUploader(
      s3Config(s3, { keyTemplate: 'long-allowed/{name}-{hash:8}.{ext}', stripMetadata: false }),
    );
    const { stream, state } = trackedStream(PNG, 2 * PART);
    const result = await uploader.upload(stream, { filename: 'big.png', allowedTypes: ['image/*'] });
    expect(result).toMatchObject({ contentType: 'image/png', size: 2 * PART, deduplicated: false });
    expect(state.pulled).toBe(2 * PART);
    expect(s3.requests.some((request) => request.method === 'PUT')).toBe(true);
  });
});

describe('createServerUploader with allowedTypes', () => {
  const counted = () => {
    const calls: string[] = [];
    const fetch = (async (input: RequestInfo | URL) => {
      calls.push(String(input));
      return Response.json({
        success: true,
        files: [
          { url: 'http://files.test/a.png', key: 'a.png', size: PNG.byteLength, contentType: 'image/png' },
        ],
      });
    }) as typeof globalThis.fetch;
    return { calls, uploader: createServerUploader({ url: 'http://drop.test', accessKey: 'k', fetch }) };
  };

  it('refuses a type outside the list without sending it', async () => {
    const { calls, uploader } = counted();
    await expectRefused(
      uploader.upload(JPEG, { filename: 'photo.png', allowedTypes: ['image/png'] }),
      'photo.png',
      'image/jpeg',
      'image/png',
    );
    expect(calls).toEqual([]);
  });

  it('sends a type on the list', async () => {
    const { calls, uploader } = counted();
    const result = await uploader.upload(PNG, { filename: 'image.png', allowedTypes: ['image/png'] });
    expect(result.url).toBe('http://files.test/a.png');
    expect(calls).toEqual(['http://drop.test/upload']);
  });
});
