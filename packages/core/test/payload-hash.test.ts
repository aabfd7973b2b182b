/**
 * A single PUT is signed with the content SHA-256 the uploader already computed (`x-amz-content-sha256`), so the
 * body is hashed once, not twice. What the SigV4 signer hashes is counted through its own hash constructor (the
 * client's `sha256` setting); what was sent is read at the server, which verifies the signature.
 */
import { createHash } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config';
import { createS3Store } from '../src/stores/s3';
import { createUploader } from '../src/uploader';
import { useOwnS3rver } from './_support/own-s3rver';
import { bytes, getBytes, inspector, MiB, PART, s3Config, sameBytes } from './_support/s3';

const s3 = useOwnS3rver();
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The SDK's SHA-256 (also its HMAC, given a secret), counting every byte it is fed. */
let signerHashed = 0;
class CountingSha256 {
  private readonly inner: Hash;
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    this.inner = new Hash('sha256', secret);
  }
  update(...[data, encoding]: Parameters<Hash['update']>): void {
    signerHashed += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    this.inner.update(data, encoding);
  }
  digest(): Promise<Uint8Array> {
    return this.inner.digest();
  }
}

function uploaderWith(overrides: Record<string, unknown>) {
  signerHashed = 0;
  return createUploader(s3Config(s3, overrides), { clientConfig: { sha256: CountingSha256 } });
}

const payloadHeaders = (method: string) =>
  s3.requests.filter((r) => r.method === method).map((r) => r.headers['x-amz-content-sha256']);

describe('SigV4 payload hash', () => {
  it('a single PUT is signed with the content hash: the signer never hashes the body', async () => {
    const uploader = uploaderWith({});
    const data = bytes(MiB);
    const result = await uploader.upload(data, { filename: 'once.bin' });
    expect(result.hash).toBe(sha256(data));
    expect(payloadHeaders('PUT')).toEqual([result.hash]);
    // Canonical requests, strings to sign and HMAC keys only: a few hundred bytes per request.
    expect(signerHashed).toBeLessThan(16 * 1024);
    expect(sameBytes(await getBytes(inspector(s3), s3.bucket, result.key), data)).toBe(true);
  });

  it('a client that caches its middleware (cacheMiddleware) still signs each PUT with its own body’s hash', async () => {
    // The SDK's handler cache keeps the first command's middleware for every later command of its kind when a send
    // has no options: two puts in a row (no HEAD between, as with putFirst) must each carry their own payload hash.
    const store = createS3Store(parseConfig(s3Config(s3)), { clientConfig: { cacheMiddleware: true } });
    const [first, second] = [bytes(MiB), bytes(MiB)];
    for (const [key, data] of [
      ['cached/first.bin', first],
      ['cached/second.bin', second],
    ] as const) {
      await store.put(key, data, {
        contentType: 'application/octet-stream',
        size: MiB,
        sha256: sha256(data),
      });
    }
    expect(payloadHeaders('PUT')).toEqual([sha256(first), sha256(second)]);
    expect(sameBytes(await getBytes(inspector(s3), s3.bucket, 'cached/second.bin'), second)).toBe(true);
  });

  it('concurrent single PUTs through one store each carry the hash of their own body', async () => {
    const store = createS3Store(parseConfig(s3Config(s3)));
    const data = [1, 2, 3, 4].map((n) => bytes(64 * 1024 + n));
    // Started in one go, so that the four PutObjects are in the SDK's middleware at the same time.
    await Promise.all(
      data.map((d, i) =>
        store.put(`many/${i}.bin`, d, {
          contentType: 'application/octet-stream',
          size: d.byteLength,
          sha256: sha256(d),
        }),
      ),
    );
    const sent = new Map(
      s3.requests
        .filter((r) => r.method === 'PUT')
        .map((r) => [r.url.split('?')[0], r.headers['x-amz-content-sha256']]),
    );
    expect(sent.size).toBe(4);
    for (const [i, d] of data.entries()) expect(sent.get(`/${s3.bucket}/many/${i}.bin`)).toBe(sha256(d));
  });

  it('control: with MD5 content hashes the signer hashes the body itself', async () => {
    const uploader = uploaderWith({ hashAlgorithm: 'md5' });
    const data = bytes(MiB);
    const result = await uploader.upload(data, { filename: 'md5.bin' });
    expect(payloadHeaders('PUT')).toEqual([sha256(data)]);
    expect(signerHashed).toBeGreaterThanOrEqual(MiB);
    expect(sameBytes(await getBytes(inspector(s3), s3.bucket, result.key), data)).toBe(true);
  });

  it('multipart parts are signed with their own hashes, never the whole body’s', async () => {
    const uploader = uploaderWith({ multipartThreshold: PART });
    const data = bytes(PART + 1234);
    const result = await uploader.upload(data, { filename: 'parts.bin' });
    const parts = [data.subarray(0, PART), data.subarray(PART)];
    // Parts go out concurrently, so in any order.
    expect(payloadHeaders('PUT').sort()).toEqual(parts.map(sha256).sort());
    expect(signerHashed).toBeGreaterThanOrEqual(data.byteLength);
    expect(sameBytes(await getBytes(inspector(s3), s3.bucket, result.key), data)).toBe(true);
  });
});
