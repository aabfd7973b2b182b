import { describe, expect, inject, it } from 'vitest';
import type { BytedropError } from '../src/errors';
import { createUploader } from '../src/uploader';
import {
  bytes,
  getBytes,
  headObject,
  inspector,
  iterable,
  listKeys,
  MiB,
  openUploads,
  PART,
  s3Config,
  sameBytes,
  sha256,
  webStream,
} from './_support/s3';

const s3 = inject('s3');
const client = inspector(s3);
const uploader = createUploader(s3Config(s3));

/** Uploads, then reads the object back with a separate client and checks every byte and the result's fields. */
async function roundTrip(
  data: Uint8Array,
  body: Parameters<typeof uploader.upload>[0],
  filename = 'data.bin',
) {
  const result = await uploader.upload(body, { filename });
  expect(result.size).toBe(data.byteLength);
  expect(result.hash).toBe(await sha256(data));
  expect(result.deduplicated).toBe(false);
  expect(sameBytes(await getBytes(client, s3.bucket, result.key), data)).toBe(true);
  return result;
}

describe('byte-exact round trips', () => {
  it.each([
    ['0 B', 0],
    ['1 B', 1],
    ['exactly partSize', PART],
    ['partSize + 1 (two parts)', PART + 1],
  ])('%s as a Uint8Array', async (_label, size) => {
    const data = bytes(size);
    const result = await roundTrip(data, data);
    expect(result.key).toMatch(new RegExp(`^\\d{4}/\\d{2}/\\d{2}/data-${result.hash.slice(0, 16)}\\.bin$`));
  });

  it('50 MiB goes multipart and comes back identical', async () => {
    const data = bytes(50 * MiB);
    const result = await roundTrip(data, data, 'big.bin');
    expect(result.url).toBe(`${s3.endpoint}/${s3.bucket}/${result.key}`);
  });

  it('an ArrayBuffer', async () => {
    const data = bytes(1000);
    await roundTrip(data, data.slice().buffer);
  });

  it('a Blob larger than partSize (streamed twice: hash, then parts)', async () => {
    const data = bytes(PART + 12345);
    await roundTrip(data, new Blob([data]));
  });

  it('a ReadableStream below the multipart threshold (buffered, then hashed)', async () => {
    const data = bytes(300 * 1024);
    await roundTrip(data, webStream(data));
  });

  // The temporary key itself is checked in dedupe.test.ts, on a server no other test file writes to.
  it('a ReadableStream above the threshold (temporary key, then copy)', async () => {
    const data = bytes(2 * PART + 7);
    const result = await roundTrip(data, webStream(data, 100_000));
    const head = await headObject(client, s3.bucket, result.key);
    expect(head?.CacheControl).toBe('public, max-age=31536000, immutable');
    expect(head?.ContentType).toBe('application/octet-stream');
  });

  it('an AsyncIterable below the threshold', async () => {
    const data = bytes(5000);
    await roundTrip(data, iterable(data, 999));
  });

  it('an AsyncIterable above the threshold', async () => {
    const data = bytes(PART + 1);
    await roundTrip(data, iterable(data));
  });

  it('a one-shot stream above the threshold with a key that does not use the hash', async () => {
    const direct = createUploader(s3Config(s3, { keyTemplate: 'direct/{uuid}.{ext}' }));
    const data = bytes(PART + 99);
    const result = await direct.upload(iterable(data), { filename: 'x.bin' });
    expect(result.key).toMatch(/^direct\/[0-9a-f-]{36}\.bin$/);
    expect(result.hash).toBe(await sha256(data));
    expect(sameBytes(await getBytes(client, s3.bucket, result.key), data)).toBe(true);
  });

  it('the public URL serves the same bytes', async () => {
    const data = bytes(4096);
    const result = await roundTrip(data, data, 'served file.bin');
    expect(result.url).toContain('/served-file-');
    const response = await fetch(result.url);
    expect(sameBytes(new Uint8Array(await response.arrayBuffer()), data)).toBe(true);
  });
});

describe('keys, types and headers', () => {
  // A complete 1×1 transparent PNG: file-type also reads the chunks after IHDR, so noise there is not a PNG.
  const png = Uint8Array.from(
    Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000a49444154789c63000100000500010d0a2db40000000049454e44ae426082',
      'hex',
    ),
  );

  it('a PNG named data.bin is stored as image/png, content-addressed and immutable', async () => {
    const result = await uploader.upload(png, { filename: 'data.bin' });
    expect(result.contentType).toBe('image/png');
    const head = await headObject(client, s3.bucket, result.key);
    expect(head?.ContentType).toBe('image/png');
    expect(head?.CacheControl).toBe('public, max-age=31536000, immutable');
  });

  it('a pasted clipboard name takes the sniffed extension', async () => {
    const result = await uploader.upload(png.slice(), { filename: 'blob' });
    expect(result.key).toMatch(/\/blob-[0-9a-f]{16}\.png$/);
    expect(result.filename).toBe('blob.png');
  });

  it('a key without the hash gets no Cache-Control and no HEAD', async () => {
    const plain = createUploader(s3Config(s3, { keyTemplate: 'plain/{uuid}-{name}.{ext}' }));
    const result = await plain.upload(bytes(10), { filename: 'notes.txt', contentType: 'text/plain' });
    expect(result.key).toMatch(/^plain\/[0-9a-f-]{36}-notes\.txt$/);
    const head = await headObject(client, s3.bucket, result.key);
    expect(head?.CacheControl).toBeUndefined();
    expect(head?.ContentType).toBe('text/plain');
  });

  it('keyPrefix and caller variables shape the key; path tricks do not escape it', async () => {
    const notes = createUploader(s3Config(s3, { keyTemplate: '{folder}/{note}/{name}-{hash:8}.{ext}' }));
    const result = await notes.upload(bytes(10), {
      filename: '../../etc/passwd.txt',
      keyPrefix: 'alice',
      vars: { folder: 'Daily Notes', note: '../2024-05-01' },
    });
    expect(result.key).toMatch(/^alice\/Daily-Notes\/2024-05-01\/passwd-[0-9a-f]{8}\.txt$/);
    expect(result.filename).toBe('passwd.txt');
  });

  it('progress ends at the full size', async () => {
    const seen: number[] = [];
    const data = bytes(PART + 1);
    await uploader.upload(data, { filename: 'p.bin', onProgress: (progress) => seen.push(progress.loaded) });
    expect(seen.at(-1)).toBe(PART + 1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('a long one-shot stream is read only as fast as parts are sent (memory ≤ partSize × queueSize + slack)', async () => {
    const queueSize = 2;
    const bounded = createUploader(s3Config(s3, { queueSize, keyTemplate: 'bounded/{hash}' }));
    const total = 60 * MiB;
    let read = 0;
    let worstLead = 0;
    const chunk = bytes(256 * 1024);
    async function* counting(): AsyncGenerator<Uint8Array> {
      for (let sent = 0; sent < total; sent += chunk.byteLength) {
        read += chunk.byteLength;
        yield chunk;
      }
    }
    await bounded.upload(counting(), {
      filename: 'bounded.bin',
      onProgress: (progress) => {
        worstLead = Math.max(worstLead, read - progress.loaded);
      },
    });
    expect(read).toBe(total);
    // In flight: one part per queue slot, one part forming in lib-storage's chunker, one chunk in hand.
    expect(worstLead).toBeGreaterThan(0);
    expect(worstLead).toBeLessThanOrEqual((queueSize + 2) * PART);
  });

  it('md5 keys work for ByteGo-style names', async () => {
    const md5 = createUploader(s3Config(s3, { hashAlgorithm: 'md5', keyTemplate: '{hash}.{ext}' }));
    const data = new TextEncoder().encode('hello');
    const result = await md5.upload(data, { filename: 'hello.txt' });
    expect(result.key).toBe('5d41402abc4b2a76b9719d911017c592.txt');
  });
});

describe('bad inputs: each has its own code and a message that says the fix', () => {
  /** The rejection of an upload, so code, message and provider details can all be checked. */
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.unreachable('the upload should have failed'),
      (error: unknown) => error as BytedropError,
    );

  it('a missing bucket: ERR_BUCKET_NOT_FOUND naming the bucket', async () => {
    const wrong = createUploader(s3Config(s3, { bucket: 'no-such-bucket' }));
    const error = await failure(wrong.upload(bytes(10), { filename: 'a.txt' }));
    expect(error).toMatchObject({ code: 'ERR_BUCKET_NOT_FOUND', status: 404, s3Code: 'NoSuchBucket' });
    expect(error.message).toContain("bucket 'no-such-bucket' does not exist");
    expect(error.message).toContain("create it or fix 'bucket'");
  });

  it('a wrong secret: ERR_AUTH (SignatureDoesNotMatch), although the HEAD before it has no error body', async () => {
    const wrong = createUploader(s3Config(s3, { secretAccessKey: 'not-the-secret' }));
    const error = await failure(wrong.upload(bytes(10), { filename: 'a.txt' }));
    expect(error).toMatchObject({ code: 'ERR_AUTH', status: 403, s3Code: 'SignatureDoesNotMatch' });
    expect(error.message).toContain("check 'accessKeyId' and 'secretAccessKey'");
  });

  it('an unknown access key id: ERR_AUTH (InvalidAccessKeyId)', async () => {
    const wrong = createUploader(s3Config(s3, { accessKeyId: 'NOBODY' }));
    const error = await failure(wrong.upload(bytes(PART + 1), { filename: 'a.txt' }));
    expect(error).toMatchObject({ code: 'ERR_AUTH', s3Code: 'InvalidAccessKeyId' });
  });

  it('an endpoint without a scheme: ERR_CONFIG before anything is sent', () => {
    const endpoint = s3.endpoint.replace('http://', '');
    expect(() => createUploader(s3Config(s3, { endpoint }))).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG',
        message: expect.stringContaining(`'http://${endpoint}'`),
      }),
    );
  });

  it('an unknown key template variable: ERR_TEMPLATE naming it', () => {
    expect(() => createUploader(s3Config(s3, { keyTemplate: '{yyyy}/{nmae}.{ext}' }))).toThrow(
      expect.objectContaining({ code: 'ERR_TEMPLATE', message: expect.stringContaining('{nmae}') }),
    );
  });

  it('too large with a known size: ERR_TOO_LARGE before any request', async () => {
    const small = createUploader(s3Config(s3, { maxFileSize: 1000, keyTemplate: 'toolarge-a/{hash}' }));
    const error = await failure(small.upload(new Blob([bytes(1001)]), { filename: 'big.bin' }));
    expect(error.code).toBe('ERR_TOO_LARGE');
    expect(error.message).toContain("'big.bin' is 1001 bytes");
    expect(error.message).toContain("raise 'maxFileSize'");
    expect(await listKeys(client, s3.bucket, 'toolarge-a/')).toEqual([]);
  });

  it('too large found while streaming: ERR_TOO_LARGE, the multipart upload aborted, nothing stored', async () => {
    const limited = createUploader(
      s3Config(s3, { maxFileSize: 2 * PART, keyTemplate: 'toolarge-b/{uuid}', queueSize: 1 }),
    );
    const error = await failure(limited.upload(iterable(bytes(3 * PART)), { filename: 'endless.bin' }));
    expect(error.code).toBe('ERR_TOO_LARGE');
    expect(await openUploads(client, s3.bucket, 'toolarge-b/')).toEqual([]);
    expect(await listKeys(client, s3.bucket, 'toolarge-b/')).toEqual([]);
  });

  it.each([
    ['an empty filename', ''],
    ['only path separators', '../../'],
  ])('%s: ERR_FILENAME', async (_label, filename) => {
    const error = await failure(uploader.upload(bytes(1), { filename }));
    expect(error.code).toBe('ERR_FILENAME');
    expect(error.message).toContain("e.g. 'photo.png'");
  });

  it('a body stream that fails: ERR_INPUT about the body, not the storage, and nothing left', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield bytes(PART + 1);
      throw new Error('EIO: i/o error, read');
    }
    const error = await failure(
      createUploader(s3Config(s3, { keyTemplate: 'broken/{uuid}' })).upload(broken(), {
        filename: 'disk.bin',
      }),
    );
    expect(error.code).toBe('ERR_INPUT');
    expect(error.message).toContain("reading the body of 'disk.bin' failed (EIO: i/o error, read)");
    expect(await openUploads(client, s3.bucket, 'broken/')).toEqual([]);
    expect(await listKeys(client, s3.bucket, 'broken/')).toEqual([]);
  });

  it('a right-to-left override and a 300-character unicode name still give a safe, short key', async () => {
    const result = await uploader.upload(bytes(5), { filename: `${'ü'.repeat(300)}\u202Egnp.exe` });
    expect(result.key).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect(new TextEncoder().encode(result.key).byteLength).toBeLessThanOrEqual(1024);
    expect(result.key).toMatch(/\.exe$/);
  });
});
