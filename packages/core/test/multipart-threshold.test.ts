/**
 * `multipartThreshold` decides single PUT vs multipart, counted at the server: a body up to the threshold is one
 * PUT even when it is larger than a part, a larger one goes multipart.
 */
import { describe, expect, it } from 'vitest';
import { createUploader } from '../src/uploader';
import { useOwnS3rver } from './_support/own-s3rver';
import { bytes, getBytes, inspector, iterable, MiB, PART, s3Config, sameBytes } from './_support/s3';

const s3 = useOwnS3rver();

/** How the object was sent: single PUTs, multipart starts and parts. */
function sent() {
  const puts = s3.requests.filter((r) => r.method === 'PUT');
  return {
    singlePuts: puts.filter((r) => !r.url.includes('partNumber=')).length,
    multipartStarts: s3.requests.filter((r) => r.method === 'POST' && r.url.includes('?uploads')).length,
    parts: puts.filter((r) => r.url.includes('partNumber=')).length,
  };
}

describe('multipartThreshold', () => {
  it.each([
    ['a Uint8Array', (data: Uint8Array) => data],
    ['a one-shot stream', (data: Uint8Array) => iterable(data)],
  ])('above partSize: %s up to the threshold is one PUT, with every byte', async (_label, body) => {
    const uploader = createUploader(s3Config(s3, { partSize: PART, multipartThreshold: 8 * MiB }));
    const data = bytes(PART + 1);
    const result = await uploader.upload(body(data), { filename: 'one-put.bin' });
    expect(sent()).toEqual({ singlePuts: 1, multipartStarts: 0, parts: 0 });
    expect(sameBytes(await getBytes(inspector(s3), s3.bucket, result.key), data)).toBe(true);
  });

  it('control: a body above the threshold goes multipart', async () => {
    const uploader = createUploader(s3Config(s3, { partSize: PART, multipartThreshold: 8 * MiB }));
    const data = bytes(8 * MiB + 1);
    const result = await uploader.upload(data, { filename: 'multi.bin' });
    expect(sent()).toEqual({ singlePuts: 0, multipartStarts: 1, parts: 2 });
    expect(sameBytes(await getBytes(inspector(s3), s3.bucket, result.key), data)).toBe(true);
  });
});
