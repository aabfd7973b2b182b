/**
 * Bytes in memory that fit in one part go out as one PutObject sent by the store itself, not through lib-storage
 * (issue 16: lib-storage's chunking and second endpoint resolution cost CPU on every upload the server makes); one
 * byte more than a part is still lib-storage's multipart upload. Requests are counted at the test's own s3rver.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config';
import { createS3Store } from '../src/stores/s3';
import type { UploadProgress } from '../src/types';
import { useOwnS3rver } from './_support/own-s3rver';
import { bytes, getBytes, inspector, PART, s3Config, sameBytes, writes } from './_support/s3';

const s3 = useOwnS3rver();

async function put(key: string, data: Uint8Array) {
  const store = createS3Store(parseConfig(s3Config(s3)));
  const progress: UploadProgress[] = [];
  const result = await store.put(key, data, {
    contentType: 'application/octet-stream',
    size: data.byteLength,
    onProgress: (p) => progress.push(p),
  });
  return { result, progress };
}

describe('a put of bytes in memory', () => {
  it('within one part: one PutObject, the bytes stored as given, progress once with the whole size', async () => {
    const data = bytes(PART);
    const { result, progress } = await put('single/one-part.bin', data);
    expect(writes(s3.requests).map((r) => `${r.method} ${r.url}`)).toEqual([
      `PUT /${s3.bucket}/single/one-part.bin?x-id=PutObject`,
    ]);
    expect(progress).toEqual([{ loaded: PART, total: PART }]);
    expect(result.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(sameBytes(await getBytes(inspector(s3), s3.bucket, 'single/one-part.bin'), data)).toBe(true);
  });

  it('one byte over a part: still a multipart upload, progress up to the whole size', async () => {
    const data = bytes(PART + 1);
    const { progress } = await put('single/two-parts.bin', data);
    const sent = writes(s3.requests).map((r) => r.method);
    expect(sent).toEqual(['POST', 'PUT', 'PUT', 'POST']);
    expect(progress.at(-1)).toEqual({ loaded: PART + 1, total: PART + 1 });
    expect(sameBytes(await getBytes(inspector(s3), s3.bucket, 'single/two-parts.bin'), data)).toBe(true);
  });
});
