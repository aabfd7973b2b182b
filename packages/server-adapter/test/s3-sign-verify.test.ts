/**
 * What the finish of a direct upload guarantees, on radosgw: a client's claimed MD5 that the bytes do not match is
 * refused with nothing left at the final key or the temporary one; a key already holding another file is never
 * overwritten (content-addressed or not); the placed object is byte for byte what was sent; and the temporary object
 * is gone by the time the answer arrives.
 */
import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { useRgw } from '../../core/test/_support/rgw';
import { bytes, getBytes, inspector, MiB, sameBytes, sha256 } from '../../core/test/_support/s3';
import { objectsIn, rgwHandler } from './_support/rgw-server';
import { call, complete, nothingLeft as left, q, type Started, sendParts, start } from './_support/s3-sign';

const rgw = useRgw('server-s3-sign-verify');
const nothingLeft = (...started: Started[]) => left(rgw, ...started);
const md5Of = (data: Uint8Array) => createHash('md5').update(data).digest('base64');
const two = (data: Uint8Array) => [data.subarray(0, 5 * MiB), data.subarray(5 * MiB)];
const put = (key: string, body: Uint8Array) =>
  inspector(rgw.direct).send(new PutObjectCommand({ Bucket: rgw.bucket, Key: key, Body: body }));
const read = (key: string) => getBytes(inspector(rgw.direct), rgw.bucket, key);

describe('the finish of a direct upload', () => {
  it('refuses bytes that do not match the claimed MD5, leaving nothing at the final or the temporary key', async () => {
    const handler = rgwHandler(rgw, {}, { keyTemplate: 'claimed/{hash:16}.{ext}' });
    const data = bytes(5 * MiB + 11);
    const started = await start(handler);
    const parts = await sendParts(handler, started, two(data));
    const other = md5Of(bytes(16));
    const refused = await call(handler, 'POST', `/s3/multipart/${started.uploadId}/complete?${q(started)}`, {
      parts,
      contentMd5: other,
    });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { code: string; msg: string };
    expect(body.code).toBe('ERR_CHECKSUM');
    expect(body.msg).toContain(other);
    expect(await objectsIn(rgw, 'claimed/')).toEqual([]);
    await nothingLeft(started);
  });

  it('places bytes that match the claimed MD5; a malformed claim is 400 and leaves the upload open', async () => {
    const handler = rgwHandler(rgw, {}, { keyTemplate: 'matched/{hash:16}.{ext}' });
    const data = bytes(5 * MiB + 12);
    const started = await start(handler);
    const parts = await sendParts(handler, started, two(data));
    const path = `/s3/multipart/${started.uploadId}/complete?${q(started)}`;
    const malformed = await call(handler, 'POST', path, { parts, contentMd5: 'not-an-md5' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { msg: string }).msg).toContain('base64(md5(file))');
    const done = await call(handler, 'POST', path, { parts, contentMd5: md5Of(data) });
    expect(done.status).toBe(200);
    const { key } = (await done.json()) as { key: string };
    expect(key).toBe(`matched/${(await sha256(data)).slice(0, 16)}.bin`);
    expect(sameBytes(await read(key), data)).toBe(true);
    await nothingLeft(started);
  });

  it('never overwrites a content-addressed key that holds other bytes: it takes the next candidate', async () => {
    const handler = rgwHandler(rgw, {}, { keyTemplate: 'taken/{hash:16}.{ext}' });
    const data = bytes(5 * MiB + 13);
    const first = `taken/${(await sha256(data)).slice(0, 16)}.bin`;
    // Another file already sits where these bytes would go (a prefix collision, or a file put there by hand).
    const squatter = bytes(1000);
    await put(first, squatter);
    const started = await start(handler);
    const done = await complete(handler, started, await sendParts(handler, started, two(data)));
    expect(done.status).toBe(200);
    const { key } = (await done.json()) as { key: string };
    expect(key).not.toBe(first);
    expect(key.startsWith('taken/')).toBe(true);
    expect(sameBytes(await read(first), squatter)).toBe(true);
    expect(sameBytes(await read(key), data)).toBe(true);
    await nothingLeft(started);
  });

  it('under a template without {hash}, a taken name gets another key; the same bytes again are the same file', async () => {
    const handler = rgwHandler(rgw, {}, { keyTemplate: 'named/{name}.{ext}' });
    const upload = async (data: Uint8Array) => {
      const started = await start(handler, 'report.bin');
      const done = await complete(handler, started, await sendParts(handler, started, two(data)));
      expect(done.status).toBe(200);
      await nothingLeft(started);
      return ((await done.json()) as { key: string; files: { hash: string }[] }).key;
    };
    const a = bytes(5 * MiB + 14);
    const b = bytes(5 * MiB + 14);
    const keyA = await upload(a);
    expect(keyA).toBe('named/report.bin');
    const keyB = await upload(b);
    expect(keyB).not.toBe(keyA);
    expect(sameBytes(await read(keyA), a)).toBe(true);
    expect(sameBytes(await read(keyB), b)).toBe(true);
    expect(await upload(a)).toBe(keyA);
  });

  it('batch signing answers each number its own URL, in whatever order they were asked', async () => {
    const handler = rgwHandler(rgw);
    const started = await start(handler);
    const response = await call(
      handler,
      'GET',
      `/s3/multipart/${started.uploadId}/batch?${q(started)}&partNumbers=3,1,2`,
    );
    const { presignedUrls } = (await response.json()) as { presignedUrls: Record<string, string> };
    for (const number of ['1', '2', '3'])
      expect(new URL(presignedUrls[number]!).searchParams.get('partNumber')).toBe(number);
    expect((await call(handler, 'DELETE', `/s3/multipart/${started.uploadId}?${q(started)}`)).status).toBe(
      200,
    );
    await nothingLeft(started);
  });
});
