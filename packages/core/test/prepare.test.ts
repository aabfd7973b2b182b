/**
 * `prepare` names the upload before any byte is sent (an editor inserts the final link at paste time), and its
 * `upload()` writes exactly there. Requests are counted at the server, so "no request" is what s3rver saw.
 */
import { describe, expect, it, vi } from 'vitest';
import { isBytedropError } from '../src/errors';
import { formatLink } from '../src/links';
import { createServerUploader } from '../src/server-uploader';
import { canPrepare, createUploader } from '../src/uploader';
import { useOwnS3rver } from './_support/own-s3rver';
import {
  bytes,
  getBytes,
  headObject,
  inspector,
  iterable,
  leftovers,
  listKeys,
  PART,
  s3Config,
  sameBytes,
  sha256,
} from './_support/s3';

const s3 = useOwnS3rver();

// A complete 1×1 PNG, so the sniffed type and extension differ from what a clipboard name says.
const png = Uint8Array.from(
  Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000a49444154789c63000100000500010d0a2db40000000049454e44ae426082',
    'hex',
  ),
);

describe('prepare', () => {
  it('knows the final key, URL, type and name without a request; upload() writes exactly there', async () => {
    const uploader = createUploader(s3Config(s3, { keyTemplate: 'cas/{name}-{hash:8}.{ext}' }));
    const prepared = await uploader.prepare(png, { filename: 'image.png' });
    expect(s3.requests).toEqual([]);
    expect(prepared).toMatchObject({
      key: `cas/image-${(await sha256(png)).slice(0, 8)}.png`,
      url: `${s3.endpoint}/${s3.bucket}/${prepared.key}`,
      size: png.byteLength,
      hash: await sha256(png),
      contentType: 'image/png',
      filename: 'image.png',
      contentAddressed: true,
    });
    // A host formats the link from the prepared upload alone.
    expect(formatLink(prepared, 'markdown')).toBe(`![image.png](${prepared.url})`);

    const result = await prepared.upload();
    const { upload: _upload, contentAddressed: _contentAddressed, ...named } = prepared;
    expect(result).toEqual({ ...named, deduplicated: false, verified: false, etag: expect.any(String) });
    expect(s3.requests.map((request) => request.method)).toEqual(['HEAD', 'PUT']);
    expect(sameBytes(await getBytes(inspector(s3), s3.bucket, prepared.key), png)).toBe(true);
    expect((await headObject(inspector(s3), s3.bucket, prepared.key))?.ContentType).toBe('image/png');
  });

  it('gives the same key and URL as upload() of the same bytes, which then deduplicates', async () => {
    const uploader = createUploader(s3Config(s3));
    const data = bytes(1234);
    const uploaded = await uploader.upload(data, { filename: 'same.bin' });
    s3.requests.length = 0;
    const prepared = await uploader.prepare(new Blob([data]), { filename: 'same.bin' });
    expect(s3.requests).toEqual([]);
    expect({ key: prepared.key, url: prepared.url }).toEqual({ key: uploaded.key, url: uploaded.url });
    expect(await prepared.upload()).toMatchObject({ key: uploaded.key, deduplicated: true });
    expect(s3.requests.map((request) => request.method)).toEqual(['HEAD']);
  });

  it('fixes {uuid}, {rand} and the date at prepare time for a key without the hash, also across retries', async () => {
    const uploader = createUploader(
      s3Config(s3, { keyTemplate: 'plain/{yyyy}-{mm}-{dd}/{uuid}-{rand:6}.{ext}' }),
    );
    const data = bytes(10);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(2020, 0, 2, 3, 4, 5));
    // Real time again before any request: SigV4 signs with the clock.
    const prepared = await uploader
      .prepare(data, { filename: 'notes.txt' })
      .finally(() => vi.useRealTimers());
    expect(prepared.key).toMatch(/^plain\/2020-01-02\/[0-9a-f-]{36}-[a-z0-9]{6}\.txt$/);
    expect(prepared.contentAddressed).toBe(false);
    expect(s3.requests).toEqual([]);

    const first = await prepared.upload();
    const again = await prepared.upload();
    expect([first.key, again.key]).toEqual([prepared.key, prepared.key]);
    expect(first.url).toBe(prepared.url);
    // The second send finds its own bytes at the key (the recorded hash matches) and sends nothing again.
    expect(s3.requests.map((request) => request.method)).toEqual(['HEAD', 'PUT', 'HEAD']);
    expect(again.deduplicated).toBe(true);
    expect(await listKeys(inspector(s3), s3.bucket, 'plain/')).toEqual([prepared.key]);
    expect(sameBytes(await getBytes(inspector(s3), s3.bucket, prepared.key), data)).toBe(true);
  });

  it("upload()'s progress and signal default to prepare's and can be given anew", async () => {
    const uploader = createUploader(s3Config(s3, { keyTemplate: 'progress/{uuid}' }));
    const early: number[] = [];
    const late: number[] = [];
    const prepared = await uploader.prepare(bytes(PART + 1), {
      filename: 'p.bin',
      onProgress: (progress) => early.push(progress.loaded),
    });
    await prepared.upload({ onProgress: (progress) => late.push(progress.loaded) });
    expect(early).toEqual([]);
    expect(late.at(-1)).toBe(PART + 1);
    await prepared.upload();
    expect(early.at(-1)).toBe(PART + 1);
  });
});

describe('a prepared upload that is aborted leaves nothing', () => {
  it.each([
    ['a key without the hash', 'prep-abort-a/{uuid}.{ext}', 'prep-abort-a/'],
    ['a content-addressed key', 'prep-abort-b/{hash}.{ext}', 'prep-abort-b/'],
  ])(
    'mid-multipart (%s): ERR_ABORTED, no part, no object; a retry then lands at the prepared key',
    async (_label, keyTemplate, prefix) => {
      const uploader = createUploader(s3Config(s3, { keyTemplate }));
      const data = bytes(3 * PART);
      const prepared = await uploader.prepare(data, { filename: 'big.bin' });
      const controller = new AbortController();
      const upload = prepared.upload({
        signal: controller.signal,
        onProgress: () => controller.abort(), // right after the first part is stored
      });
      await expect(upload).rejects.toMatchObject({ name: 'BytedropError', code: 'ERR_ABORTED' });
      expect(s3.requests.some((r) => r.method === 'DELETE' && r.url.includes('uploadId='))).toBe(true);
      expect(await leftovers(s3, prefix)).toEqual([]);

      const retried = await prepared.upload();
      expect(retried.key).toBe(prepared.key);
      expect(sameBytes(await getBytes(inspector(s3), s3.bucket, prepared.key), data)).toBe(true);
    },
  );

  it('with an already-aborted signal, upload() sends nothing', async () => {
    const uploader = createUploader(s3Config(s3, { keyTemplate: 'prep-abort-c/{hash}' }));
    const prepared = await uploader.prepare(bytes(10), { filename: 'x.bin' });
    const error = await prepared.upload({ signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(isBytedropError(error, 'ERR_ABORTED')).toBe(true);
    expect(s3.requests).toEqual([]);
    expect(await listKeys(inspector(s3), s3.bucket, 'prep-abort-c/')).toEqual([]);
  });
});

describe('what prepare refuses', () => {
  it('a one-shot stream: ERR_INPUT that says to call upload(), and no request', async () => {
    const uploader = createUploader(s3Config(s3));
    const stream = iterable(bytes(10)) as unknown as Uint8Array;
    const error = await uploader.prepare(stream, { filename: 's.bin' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_INPUT', message: expect.stringContaining('call upload(') });
    expect(s3.requests).toEqual([]);
  });

  it('a body over maxFileSize: ERR_TOO_LARGE before hashing or any request', async () => {
    const uploader = createUploader(s3Config(s3, { maxFileSize: 100 }));
    const error = await uploader.prepare(bytes(101), { filename: 'big.bin' }).catch((e: unknown) => e);
    expect(isBytedropError(error, 'ERR_TOO_LARGE')).toBe(true);
    expect(s3.requests).toEqual([]);
  });
});

describe('canPrepare', () => {
  it('is true for createUploader and false for a server, which picks its own keys', () => {
    expect(canPrepare(createUploader(s3Config(s3)))).toBe(true);
    expect(canPrepare(createServerUploader({ url: 'http://127.0.0.1:1', accessKey: 'k' }))).toBe(false);
  });
});
