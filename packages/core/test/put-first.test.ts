/**
 * `putFirst` on a real S3 (radosgw, which refuses a create-only PUT to a taken key with 412), the wire recorded: a
 * fresh upload is one PUT and no HEAD; a taken key is HEADed only after its 412 and judged by the full-hash identity
 * exactly as HEAD-first does, so a re-upload is deduplicated and other bytes never replace what a link shows.
 */
import { describe, expect, it } from 'vitest';
import type { BytedropConfigInput } from '../src/config-input';
import { createUploader } from '../src/uploader';
import { rgwConfig, useRgw } from './_support/rgw';
import { bytes, getBytes, inspector, sameBytes } from './_support/s3';

const rgw = useRgw('put-first');

/** radosgw honours If-None-Match on PutObject, which the 'custom' preset does not assume: the store is told so. */
function enforcing(overrides: Partial<BytedropConfigInput>) {
  return createUploader(rgwConfig(rgw, overrides), { conditionalWrites: { enforced: true } });
}

/** The requests about keys under `prefix` (from the `from`th on), in order, as `Operation status key`. */
function wire(prefix: string, from = 0): string[] {
  return rgw.requests
    .slice(from)
    .filter((request) => request.key?.startsWith(prefix))
    .map((request) => `${request.operation} ${request.status} ${request.key}`);
}

describe('putFirst (radosgw)', () => {
  it('a fresh upload is one create-only PUT, no HEAD', async () => {
    const uploader = enforcing({ keyTemplate: 'fresh/{hash}.{ext}' });
    const data = bytes(1000);
    const result = await uploader.upload(data, { filename: 'a.bin', putFirst: true });
    expect(wire('fresh/')).toEqual([`PutObject 200 ${result.key}`]);
    const put = rgw.requests.find((request) => request.operation === 'PutObject');
    expect(put?.headers['if-none-match']).toBe('*');
    expect(result).toMatchObject({ deduplicated: false, verified: true });
    expect(sameBytes(await getBytes(inspector(rgw.direct), rgw.bucket, result.key), data)).toBe(true);
  });

  it('a re-upload of the same bytes is PUT, 412, HEAD, and deduplicated to the first owner', async () => {
    const uploader = enforcing({ keyTemplate: 'again/{hash}.{ext}' });
    const data = bytes(1000);
    const first = await uploader.upload(data, { filename: 'a.bin', owner: 'alice', putFirst: true });
    const from = rgw.requests.length;
    const second = await uploader.upload(data, { filename: 'a.bin', owner: 'bob', putFirst: true });
    expect(wire('again/', from)).toEqual([`PutObject 412 ${first.key}`, `HeadObject 200 ${first.key}`]);
    expect(second).toMatchObject({ key: first.key, deduplicated: true, verified: true, owner: 'alice' });
  });

  it('other bytes at a taken key walk on to the next candidate and never replace the first', async () => {
    const uploader = enforcing({ keyTemplate: 'taken/{name}.{ext}' });
    const [mine, theirs] = [bytes(300), bytes(300)];
    const first = await uploader.upload(mine, { filename: 'notes.txt', putFirst: true });
    const from = rgw.requests.length;
    const second = await uploader.upload(theirs, { filename: 'notes.txt', putFirst: true });
    expect(first.key).toBe('taken/notes.txt');
    expect(second).toMatchObject({ key: 'taken/notes-1.txt', deduplicated: false });
    expect(wire('taken/', from)).toEqual([
      'PutObject 412 taken/notes.txt',
      'HeadObject 200 taken/notes.txt',
      'PutObject 200 taken/notes-1.txt',
    ]);
    const client = inspector(rgw.direct);
    expect(sameBytes(await getBytes(client, rgw.bucket, 'taken/notes.txt'), mine)).toBe(true);
    expect(sameBytes(await getBytes(client, rgw.bucket, 'taken/notes-1.txt'), theirs)).toBe(true);
  });

  it('two uploaders racing with the same bytes: one PUT lands, the other gets 412 and the same link', async () => {
    const [one, two] = [
      enforcing({ keyTemplate: 'race/{hash}.{ext}' }),
      enforcing({ keyTemplate: 'race/{hash}.{ext}' }),
    ];
    const data = bytes(2048);
    const firstPut = rgw.proxy.stall({ operation: 'PutObject' }, { nth: 1 });
    const secondPut = rgw.proxy.stall({ operation: 'PutObject' }, { nth: 2 });
    const first = one.upload(data, { filename: 'x.bin', owner: 'alice', putFirst: true });
    const second = two.upload(data, { filename: 'x.bin', owner: 'bob', putFirst: true });
    await Promise.all([firstPut.held, secondPut.held]);
    firstPut.release();
    await rgw.proxy.answered('PutObject');
    secondPut.release();
    const results = await Promise.all([first, second]);
    expect(results[1]).toMatchObject({ key: results[0].key, deduplicated: true, owner: 'alice' });
    expect(wire('race/')).toEqual([
      `PutObject 200 ${results[0].key}`,
      `PutObject 412 ${results[0].key}`,
      `HeadObject 200 ${results[0].key}`,
    ]);
  });

  it('two uploaders racing with other bytes for one key: the later one takes the next candidate', async () => {
    const [one, two] = [
      enforcing({ keyTemplate: 'clash/{name}.{ext}' }),
      enforcing({ keyTemplate: 'clash/{name}.{ext}' }),
    ];
    const [mine, theirs] = [bytes(500), bytes(500)];
    const firstPut = rgw.proxy.stall({ operation: 'PutObject' }, { nth: 1 });
    const secondPut = rgw.proxy.stall({ operation: 'PutObject' }, { nth: 2 });
    const first = one.upload(mine, { filename: 'a.bin', putFirst: true });
    const second = two.upload(theirs, { filename: 'a.bin', putFirst: true });
    await Promise.all([firstPut.held, secondPut.held]);
    firstPut.release();
    await rgw.proxy.answered('PutObject');
    secondPut.release();
    const results = await Promise.all([first, second]);
    expect(results.map((result) => result.key)).toEqual(['clash/a.bin', 'clash/a-1.bin']);
    const client = inspector(rgw.direct);
    expect(sameBytes(await getBytes(client, rgw.bucket, 'clash/a.bin'), mine)).toBe(true);
    expect(sameBytes(await getBytes(client, rgw.bucket, 'clash/a-1.bin'), theirs)).toBe(true);
  });

  it('a 501 to If-None-Match does not drop the guard: the plain PUT again goes only to a key a HEAD found free', async () => {
    const uploader = enforcing({ keyTemplate: 'unimplemented/{name}.{ext}' });
    const [mine, theirs] = [bytes(300), bytes(300)];
    await uploader.upload(mine, { filename: 'a.bin' });
    const from = rgw.requests.length;
    rgw.proxy.failWith({ operation: 'PutObject' }, { status: 501, code: 'NotImplemented' }, { nth: 1 });
    const second = await uploader.upload(theirs, { filename: 'a.bin', putFirst: true });
    expect(second.key).toBe('unimplemented/a-1.bin');
    expect(wire('unimplemented/', from)).toEqual([
      'PutObject 501 unimplemented/a.bin',
      'HeadObject 200 unimplemented/a.bin',
      'HeadObject 200 unimplemented/a.bin',
      'PutObject 200 unimplemented/a-1.bin',
    ]);
    const client = inspector(rgw.direct);
    expect(sameBytes(await getBytes(client, rgw.bucket, 'unimplemented/a.bin'), mine)).toBe(true);
  });

  it('has no effect where the store may replace an object: the custom preset alone still HEADs first', async () => {
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: 'unsure/{hash}.{ext}' }));
    const result = await uploader.upload(bytes(100), { filename: 'a.bin', putFirst: true });
    expect(wire('unsure/')).toEqual([`HeadObject 404 ${result.key}`, `PutObject 200 ${result.key}`]);
  });

  it('is off by default: HEAD first even where the store would refuse', async () => {
    const uploader = enforcing({ keyTemplate: 'default/{hash}.{ext}' });
    const result = await uploader.upload(bytes(100), { filename: 'a.bin' });
    expect(wire('default/')).toEqual([`HeadObject 404 ${result.key}`, `PutObject 200 ${result.key}`]);
  });
});
