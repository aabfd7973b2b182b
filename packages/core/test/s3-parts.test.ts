import { expect, it } from 'vitest';
import { createS3Parts } from '../src/stores/s3-parts';
import { useRgw } from './_support/rgw';
import { bytes, getBytes, inspector, listKeys, openUploads, PART, sameBytes } from './_support/s3';

// The multipart and small-object calls a server keeps its uploads in flight with (tus, direct uploads), on radosgw:
// what S3 answers (404 as "gone", a refused part list as the caller's mistake, an ETag that no longer matches) is
// read here, once, for every host.
const rgw = useRgw('s3-parts');
const partsOf = () => createS3Parts(inspector(rgw), rgw.bucket);

async function collect(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

it('creates, sends, lists and assembles parts; the object holds exactly their bytes', async () => {
  const s3 = partsOf();
  const key = 'parts/whole.bin';
  const data = bytes(PART + 1000);
  const uploadId = await s3.create(key);
  const first = await s3.uploadPart(key, uploadId, 1, data.subarray(0, PART));
  const second = await s3.uploadPart(key, uploadId, 2, data.subarray(PART));
  expect(await s3.listParts(key, uploadId)).toEqual([
    { partNumber: 1, size: PART, etag: first },
    { partNumber: 2, size: 1000, etag: second },
  ]);
  await s3.complete(key, uploadId, [
    { partNumber: 1, etag: first },
    { partNumber: 2, etag: second },
  ]);
  expect(sameBytes(await getBytes(inspector(rgw.direct), rgw.bucket, key), data)).toBe(true);
  const stat = await s3.stat(key);
  expect(stat?.size).toBe(PART + 1000);
  expect(await openUploads(inspector(rgw.direct), rgw.bucket, 'parts/whole')).toEqual([]);
});

it('refuses a part list naming a part never sent as the caller’s mistake, and keeps the upload open', async () => {
  const s3 = partsOf();
  const key = 'parts/refused.bin';
  const uploadId = await s3.create(key);
  const etag = await s3.uploadPart(key, uploadId, 1, bytes(1000));
  const completing = s3.complete(key, uploadId, [
    { partNumber: 1, etag },
    { partNumber: 2, etag },
  ]);
  await expect(completing).rejects.toMatchObject({ code: 'ERR_INPUT', status: 400 });
  await expect(completing).rejects.toThrow(
    /refused to assemble the parts of 'parts\/refused.bin' \(InvalidPart\)/,
  );
  // Still open: the caller may send the missing part and complete again.
  expect(await s3.listParts(key, uploadId)).toHaveLength(1);
  await s3.abort(key, uploadId);
  expect(await openUploads(inspector(rgw.direct), rgw.bucket, 'parts/refused')).toEqual([]);
  // Aborting again, or removing a key that is not there, is no failure.
  await s3.abort(key, uploadId);
  await s3.remove('parts/never-there.bin');
});

it('reads small objects whole or as a stream, only the version asked for, and answers undefined when gone', async () => {
  const s3 = partsOf();
  await s3.put('parts/record.json', JSON.stringify({ a: 1 }), 'application/json');
  const body = await s3.get('parts/record.json');
  expect(JSON.parse(Buffer.from(await collect(body!)).toString('utf8'))).toEqual({ a: 1 });
  const { etag } = (await s3.stat('parts/record.json'))!;
  expect(await collect((await s3.get('parts/record.json', { etag }))!)).toHaveLength(7);

  const stream = await s3.open('parts/record.json');
  expect(stream).toBeInstanceOf(ReadableStream);
  expect(await new Response(stream).text()).toBe('{"a":1}');

  // Changed since: the old version is not served.
  await s3.put('parts/record.json', '{"a":2}', 'application/json');
  await expect(s3.get('parts/record.json', { etag })).rejects.toMatchObject({ status: 412 });

  await s3.remove('parts/record.json');
  expect(await s3.get('parts/record.json')).toBeUndefined();
  expect(await s3.open('parts/record.json')).toBeUndefined();
  expect(await s3.stat('parts/record.json')).toBeUndefined();
  expect(await listKeys(inspector(rgw.direct), rgw.bucket, 'parts/record')).toEqual([]);
});

it('signs a part URL that uploads that part only', async () => {
  const s3 = partsOf();
  const key = 'parts/signed.bin';
  const uploadId = await s3.create(key);
  const url = await s3.partUrl(key, uploadId, 1, 60);
  expect(url).toMatch(/partNumber=1/);
  expect((await fetch(url, { method: 'PUT', body: bytes(10) })).status).toBe(200);
  const other = url.replace('partNumber=1', 'partNumber=2');
  expect((await fetch(other, { method: 'PUT', body: bytes(10) })).status).toBe(403);
  expect((await s3.listParts(key, uploadId)).map((part) => part.partNumber)).toEqual([1]);
  await s3.abort(key, uploadId);
});

it('names the bucket and key in a storage failure, with the provider’s status', async () => {
  const s3 = createS3Parts(inspector(rgw), `${rgw.bucket}-missing`);
  await expect(s3.put('parts/x', 'x', 'text/plain')).rejects.toMatchObject({
    code: 'ERR_BUCKET_NOT_FOUND',
    status: 404,
  });
});
