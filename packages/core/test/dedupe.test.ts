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

  it('an object of another size at the key is replaced, not trusted', async () => {
    const uploader = createUploader(s3Config(s3, { keyTemplate: 'dedupe/{hash}.{ext}' }));
    const data = bytes(1000);
    const first = await uploader.upload(data, { filename: 'a.bin' });
    await inspector(s3).send(new PutObjectCommand({ Bucket: s3.bucket, Key: first.key, Body: 'truncated' }));
    s3.requests.length = 0;
    const second = await uploader.upload(data, { filename: 'a.bin' });
    expect(second.deduplicated).toBe(false);
    expect(writes(s3.requests)).toHaveLength(1);
    expect(sameBytes(await getBytes(inspector(s3), s3.bucket, first.key), data)).toBe(true);
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

  it('a key without the hash sends no HEAD at all', async () => {
    const uploader = createUploader(s3Config(s3, { keyTemplate: 'nohash/{uuid}.{ext}' }));
    await uploader.upload(bytes(10), { filename: 'x.txt' });
    expect(s3.requests.map((r) => r.method)).toEqual(['PUT']);
  });
});

describe('what goes over the wire', () => {
  const uploader = () => createUploader(s3Config(s3, { keyTemplate: 'wire/{uuid}' }));
  const partRequests = () => s3.requests.filter((r) => r.method === 'PUT' && /[?&]partNumber=/.test(r.url));

  it('exactly partSize is one PUT', async () => {
    await uploader().upload(bytes(PART), { filename: 'a' });
    expect(s3.requests.map((r) => r.method)).toEqual(['PUT']);
    expect(partRequests()).toEqual([]);
  });

  it('partSize + 1 is a multipart upload of two parts', async () => {
    await uploader().upload(bytes(PART + 1), { filename: 'a' });
    expect(s3.requests.map((r) => r.method)).toEqual(['POST', 'PUT', 'PUT', 'POST']);
    expect(partRequests()).toHaveLength(2);
  });

  it('a long one-shot stream whose key does not use the hash goes straight to its key: no temp key, no copy', async () => {
    await uploader().upload(iterable(bytes(PART + 99)), { filename: 'a' });
    expect(s3.requests.map((r) => r.method)).toEqual(['POST', 'PUT', 'PUT', 'POST']);
    expect(s3.requests.every((r) => r.url.includes('/wire/'))).toBe(true);
  });

  it('50 MiB is ten equal parts', async () => {
    await uploader().upload(bytes(50 * MiB), { filename: 'a' });
    const parts = partRequests();
    expect(parts).toHaveLength(10);
    expect(new Set(parts.map((r) => r.headers['content-length']))).toEqual(new Set([String(PART)]));
  });
});
