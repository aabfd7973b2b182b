import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createUploader } from '../src/uploader';
import { useOwnS3rver } from './_support/own-s3rver';
import {
  bytes,
  getBytes,
  inspector,
  iterable,
  listKeys,
  MiB,
  PART,
  s3Config,
  sameBytes,
  writes,
} from './_support/s3';

const s3 = useOwnS3rver();

const isCopy = (request: { headers: Record<string, unknown> }) => 'x-amz-copy-source' in request.headers;

describe('dedupe', () => {
  it('a second upload of the same bytes sends a HEAD and no PUT, and says deduplicated', async () => {
    const uploader = createUploader(s3Config(s3));
    const data = bytes(PART + 1);
    const first = await uploader.upload(data, { filename: 'same.bin' });
    expect(first.deduplicated).toBe(false);
    expect(writes(s3.requests).length).toBeGreaterThan(0);

    s3.requests.length = 0;
    const progress: number[] = [];
    const second = await uploader.upload(new Blob([data]), {
      filename: 'same.bin',
      onProgress: (p) => progress.push(p.loaded),
    });
    expect(second).toMatchObject({ key: first.key, url: first.url, hash: first.hash, deduplicated: true });
    expect(writes(s3.requests)).toEqual([]);
    expect(s3.requests.map((r) => r.method)).toEqual(['HEAD']);
    expect(progress).toEqual([PART + 1]);
  });

  it('an object of other bytes at the key is never replaced: the upload moves to a longer hash', async () => {
    const uploader = createUploader(s3Config(s3, { keyTemplate: 'dedupe/{hash:8}.{ext}' }));
    const data = bytes(1000);
    const first = await uploader.upload(data, { filename: 'a.bin' });
    // Another file at the key, of the same size: what a forged hash prefix looks like. Size alone never decides.
    const forged = bytes(1000);
    await inspector(s3).send(new PutObjectCommand({ Bucket: s3.bucket, Key: first.key, Body: forged }));
    s3.requests.length = 0;
    const second = await uploader.upload(data, { filename: 'a.bin' });
    expect(second.deduplicated).toBe(false);
    expect(second.key).toBe(`dedupe/${second.hash.slice(0, 16)}.bin`);
    expect(s3.requests.map((r) => r.method)).toEqual(['HEAD', 'HEAD', 'PUT']);
    expect(sameBytes(await getBytes(inspector(s3), s3.bucket, first.key), forged)).toBe(true);
    expect(sameBytes(await getBytes(inspector(s3), s3.bucket, second.key), data)).toBe(true);

    // The same bytes again walk the same keys and find their own object: deduplicated, nothing sent.
    s3.requests.length = 0;
    const third = await uploader.upload(data, { filename: 'a.bin' });
    expect(third).toMatchObject({ key: second.key, deduplicated: true });
    expect(writes(s3.requests)).toEqual([]);
  });

  it('a long one-shot stream that turns out to exist already is dropped from its temp key, never copied', async () => {
    const uploader = createUploader(s3Config(s3));
    const data = bytes(PART + 10);
    const first = await uploader.upload(iterable(data), { filename: 'stream.bin' });
    expect(first.deduplicated).toBe(false);
    const temp = s3.requests.filter((r) => r.url.includes('/.bytedrop-tmp/'));
    expect(temp.map((r) => r.method)).toEqual(['POST', 'PUT', 'PUT', 'POST', 'DELETE']);
    expect(s3.requests.filter(isCopy)).toHaveLength(1);
    expect(await listKeys(inspector(s3), s3.bucket, '.bytedrop-tmp/')).toEqual([]);

    s3.requests.length = 0;
    const second = await uploader.upload(iterable(data), { filename: 'stream.bin' });
    expect(second).toMatchObject({ key: first.key, deduplicated: true });
    expect(s3.requests.filter(isCopy)).toEqual([]);
    expect(s3.requests.filter((r) => r.method === 'DELETE' && r.url.includes('.bytedrop-tmp/'))).toHaveLength(
      1,
    );
    expect(await listKeys(inspector(s3), s3.bucket, '.bytedrop-tmp/')).toEqual([]);
  });

  it('a key without the hash is checked too: a clash takes a numbered suffix, the same bytes are reused', async () => {
    const uploader = createUploader(s3Config(s3, { keyTemplate: 'nohash/{name}.{ext}' }));
    const one = await uploader.upload(bytes(10), { filename: 'x.txt' });
    const two = await uploader.upload(bytes(10), { filename: 'x.txt' });
    expect([one.key, two.key]).toEqual(['nohash/x.txt', 'nohash/x-1.txt']);
    const same = await getBytes(inspector(s3), s3.bucket, two.key);
    s3.requests.length = 0;
    const again = await uploader.upload(same, { filename: 'x.txt' });
    expect(again).toMatchObject({ key: 'nohash/x-1.txt', deduplicated: true });
    expect(s3.requests.map((r) => r.method)).toEqual(['HEAD', 'HEAD']);
  });
});

describe('what goes over the wire', () => {
  const uploader = () => createUploader(s3Config(s3, { keyTemplate: 'wire/{uuid}' }));
  const partRequests = () => s3.requests.filter((r) => r.method === 'PUT' && /[?&]partNumber=/.test(r.url));

  it('exactly partSize is a HEAD and one PUT', async () => {
    await uploader().upload(bytes(PART), { filename: 'a' });
    expect(s3.requests.map((r) => r.method)).toEqual(['HEAD', 'PUT']);
    expect(partRequests()).toEqual([]);
  });

  it('partSize + 1 is a HEAD and a multipart upload of two parts', async () => {
    await uploader().upload(bytes(PART + 1), { filename: 'a' });
    expect(s3.requests.map((r) => r.method)).toEqual(['HEAD', 'POST', 'PUT', 'PUT', 'POST']);
    expect(partRequests()).toHaveLength(2);
  });

  it('a long one-shot stream whose key does not use the hash waits at a temporary key too, then is copied', async () => {
    await uploader().upload(iterable(bytes(PART + 99)), { filename: 'a' });
    const temp = s3.requests.filter((r) => r.url.includes('/.bytedrop-tmp/'));
    expect(temp.map((r) => r.method)).toEqual(['POST', 'PUT', 'PUT', 'POST', 'DELETE']);
    expect(s3.requests.filter(isCopy)).toHaveLength(1);
    expect(await listKeys(inspector(s3), s3.bucket, '.bytedrop-tmp/')).toEqual([]);
  });

  it('50 MiB is ten equal parts', async () => {
    await uploader().upload(bytes(50 * MiB), { filename: 'a' });
    const parts = partRequests();
    expect(parts).toHaveLength(10);
    expect(new Set(parts.map((r) => r.headers['content-length']))).toEqual(new Set([String(PART)]));
  });
});
