/**
 * A link never changes what it shows: a write never replaces an object that holds other bytes, on a real S3
 * (radosgw) as the adversary would try it: a different file with a forged hash prefix, a key template without the
 * hash, and a writer that slips in between the HEAD and the PUT.
 */
import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createUploader } from '../src/uploader';
import { rgwConfig, useRgw } from './_support/rgw';
import { bytes, getBytes, inspector, listKeys, openUploads, PART, sameBytes } from './_support/s3';

const rgw = useRgw('no-overwrite');

/** Two different byte arrays of one size whose SHA-256 share their first `hexChars` characters. */
function collidingPair(hexChars: number): [Uint8Array, Uint8Array] {
  const seen = new Map<string, Uint8Array>();
  for (let i = 0; ; i++) {
    const candidate = new TextEncoder().encode(`forged file number ${String(i).padStart(8, '0')}`);
    const prefix = createHash('sha256').update(candidate).digest('hex').slice(0, hexChars);
    const other = seen.get(prefix);
    if (other) return [other, candidate];
    seen.set(prefix, candidate);
  }
}

describe('a key that holds other bytes is never written (radosgw)', () => {
  it('a forged hash prefix from another owner gets its own key; the first file keeps its URL and bytes', async () => {
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: 'forged/{name}-{hash:4}.{ext}' }));
    const [original, forged] = collidingPair(4);
    const first = await uploader.upload(original, { filename: 'shot.png', owner: 'alice' });
    const second = await uploader.upload(forged, { filename: 'shot.png', owner: 'mallory' });
    expect(second.key).not.toBe(first.key);
    expect(second.key).toBe(`forged/shot-${second.hash.slice(0, 12)}.png`);
    expect(second).toMatchObject({ deduplicated: false, owner: 'mallory' });
    const client = inspector(rgw.direct);
    expect(sameBytes(await getBytes(client, rgw.bucket, first.key), original)).toBe(true);
    expect(sameBytes(await getBytes(client, rgw.bucket, second.key), forged)).toBe(true);
  });

  it('without {hash}, a clash takes a numbered suffix, for a single PUT and for a multipart upload', async () => {
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: 'plain/{name}.{ext}' }));
    const small = [bytes(100), bytes(100)];
    const large = bytes(PART + 1);
    const keys = [
      (await uploader.upload(small[0]!, { filename: 'notes.txt' })).key,
      (await uploader.upload(small[1]!, { filename: 'notes.txt' })).key,
      (await uploader.upload(large, { filename: 'notes.txt' })).key,
    ];
    expect(keys).toEqual(['plain/notes.txt', 'plain/notes-1.txt', 'plain/notes-2.txt']);
    const client = inspector(rgw.direct);
    expect(sameBytes(await getBytes(client, rgw.bucket, keys[0]!), small[0]!)).toBe(true);
    expect(sameBytes(await getBytes(client, rgw.bucket, keys[2]!), large)).toBe(true);
    expect(await openUploads(client, rgw.bucket)).toEqual([]);
  });

  it('an object that appears between the HEAD and the PUT is not replaced: radosgw refuses If-None-Match (412)', async () => {
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: 'race/{name}.{ext}' }));
    const stall = rgw.proxy.stall({ operation: 'PutObject', key: 'race/a.bin' });
    const mine = bytes(64);
    const upload = uploader.upload(mine, { filename: 'a.bin' });
    await stall.held;
    // Another writer gets there first, straight to radosgw, while our PUT waits in the proxy.
    const theirs = bytes(64);
    await inspector(rgw.direct).send(
      new PutObjectCommand({ Bucket: rgw.bucket, Key: 'race/a.bin', Body: theirs }),
    );
    stall.release();
    const result = await upload;
    expect(result.key).toBe('race/a-1.bin');
    const put = rgw.requests.find((r) => r.operation === 'PutObject' && r.key === 'race/a.bin');
    expect(put).toMatchObject({ status: 412 });
    expect(put?.headers['if-none-match']).toBe('*');
    const client = inspector(rgw.direct);
    expect(sameBytes(await getBytes(client, rgw.bucket, 'race/a.bin'), theirs)).toBe(true);
    expect(sameBytes(await getBytes(client, rgw.bucket, 'race/a-1.bin'), mine)).toBe(true);
  });

  it('two pastes of the same bytes at once end in one object, and both get its link', async () => {
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: 'twice/{hash}.{ext}' }));
    const data = bytes(2048);
    // Both PUTs are held, so both HEADs found the key free: the race a HEAD alone cannot win.
    const firstPut = rgw.proxy.stall({ operation: 'PutObject' }, { nth: 1 });
    const secondPut = rgw.proxy.stall({ operation: 'PutObject' }, { nth: 2 });
    const first = uploader.upload(data, { filename: 'x.bin' });
    const second = uploader.upload(data, { filename: 'x.bin' });
    await Promise.all([firstPut.held, secondPut.held]);
    firstPut.release();
    await rgw.proxy.answered('PutObject');
    secondPut.release();
    const results = await Promise.all([first, second]);
    expect(results[0].key).toBe(results[1].key);
    expect(results.map((r) => r.deduplicated).sort()).toEqual([false, true]);
    expect(await listKeys(inspector(rgw.direct), rgw.bucket, 'twice/')).toEqual([results[0].key]);
  });

  it('an object without Bytedrop metadata (another tool, an older Bytedrop) is not trusted as the same file', async () => {
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: 'legacy/{hash}.{ext}' }));
    const data = bytes(500);
    const planned = await uploader.prepare(data, { filename: 'x.bin' });
    // The very same bytes, but nothing says so: a dedupe on size (or on the key's hash) would trust it.
    await inspector(rgw.direct).send(
      new PutObjectCommand({ Bucket: rgw.bucket, Key: planned.key, Body: data }),
    );
    const result = await planned.upload();
    expect(result).toMatchObject({ key: `${planned.key.replace(/\.bin$/, '')}-1.bin`, deduplicated: false });
  });
});
