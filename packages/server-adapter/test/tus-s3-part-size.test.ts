/**
 * The tus S3 backend on radosgw, across a restart with another part size: an upload keeps the part size its first
 * bytes were cut at (R2 refuses a multipart upload whose parts, but the last, differ in size). What is checked is
 * what went over the wire: the UploadPart bodies, seen at the proxy in front of radosgw. A record an older server
 * stored without its part size takes it from its parts.
 */
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { useRgw } from '../../core/test/_support/rgw';
import { getBytes, inspector } from '../../core/test/_support/s3';
import { createTusS3Backend } from '../src/_tus-s3';
import type { TusUpload } from '../src/tus-store';

const MiB = 1024 * 1024;
const PREFIX = 'tmp/tus/';
const rgw = useRgw('server-tus-part-size');

const newUpload = (id: string, length: number): TusUpload => ({
  id,
  owner: 'k',
  offset: 0,
  length,
  metadata: {},
  created: Date.now(),
  expires: Date.now() + 3_600_000,
  parts: [],
  tailSize: 0,
});
const backend = (partSize: number) =>
  createTusS3Backend({ client: inspector(rgw), bucket: rgw.bucket, prefix: PREFIX, partSize });
async function* once(bytes: Uint8Array) {
  yield bytes;
}
const partSizes = () =>
  rgw.requests
    .filter((request) => request.operation === 'UploadPart')
    .map((request) => request.bytesForwarded);

it('an upload begun at 5 MiB parts goes on at 5 MiB on a server restarted with 6 MiB, byte-exact', async () => {
  const data = randomBytes(13 * MiB);
  const upload = newUpload('restarted', data.byteLength);
  const before = backend(5 * MiB);
  await before.create(upload);
  expect((await before.append(upload, once(data.subarray(0, 7 * MiB)))).offset).toBe(7 * MiB);

  const after = backend(6 * MiB);
  const loaded = await after.load('restarted');
  expect(loaded?.partSize).toBe(5 * MiB);
  expect((await after.append(loaded as TusUpload, once(data.subarray(7 * MiB)))).offset).toBe(13 * MiB);

  expect(partSizes()).toEqual([5 * MiB, 5 * MiB, 3 * MiB]);
  const stored = await getBytes(inspector(rgw.direct), rgw.bucket, `${PREFIX}restarted`);
  expect(Buffer.from(stored).equals(data)).toBe(true);
});

it('a record stored before records kept their part size goes on at the size of its parts, byte-exact', async () => {
  const data = randomBytes(13 * MiB);
  const upload = newUpload('old-record', data.byteLength);
  const before = backend(5 * MiB);
  await before.create(upload);
  await before.append(upload, once(data.subarray(0, 7 * MiB)));
  // What an older server wrote: the same record without `partSize`.
  const { partSize: _, ...old } = (await before.load('old-record')) as TusUpload;
  await before.save(old as TusUpload);

  const after = backend(6 * MiB);
  const loaded = (await after.load('old-record')) as TusUpload;
  expect(loaded.partSize).toBeUndefined();
  expect((await after.append(loaded, once(data.subarray(7 * MiB)))).offset).toBe(13 * MiB);

  expect(partSizes()).toEqual([5 * MiB, 5 * MiB, 3 * MiB]);
  const stored = await getBytes(inspector(rgw.direct), rgw.bucket, `${PREFIX}old-record`);
  expect(Buffer.from(stored).equals(data)).toBe(true);
});

it('control: a new upload on the restarted server is cut at its 6 MiB', async () => {
  const data = randomBytes(13 * MiB);
  const upload = newUpload('fresh', data.byteLength);
  const server = backend(6 * MiB);
  await server.create(upload);
  await server.append(upload, once(data));
  expect(partSizes()).toEqual([6 * MiB, 6 * MiB, 1 * MiB]);
});
