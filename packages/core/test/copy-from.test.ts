/**
 * `copyFrom` on radosgw (which ignores `x-amz-copy-source-if-match`, so the store's own check after the copy is what
 * is tested): a long body that is already an object in the store is read and hashed, then placed by a copy of that
 * version, with no write of its bytes; a source that changed meanwhile gets ERR_CONFLICT and nothing at the final key.
 */
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createUploader } from '../src/uploader';
import { rgwConfig, useRgw } from './_support/rgw';
import { bytes, getBytes, headObject, inspector, iterable, listKeys, MiB, sameBytes } from './_support/s3';

const rgw = useRgw('copy-from');
const SOURCE = '.assembled/big.bin';

function uploader(prefix: string) {
  return createUploader(
    rgwConfig(rgw, { keyTemplate: `${prefix}/{hash:16}.{ext}`, multipartThreshold: MiB }),
  );
}

async function putSource(data: Uint8Array): Promise<string> {
  const direct = inspector(rgw.direct);
  await direct.send(new PutObjectCommand({ Bucket: rgw.bucket, Key: SOURCE, Body: data }));
  return (await headObject(direct, rgw.bucket, SOURCE))?.ETag as string;
}

describe('copyFrom', () => {
  it('reads and hashes the object, then copies that version: no PUT or part of its bytes, the source stays', async () => {
    const data = bytes(3 * MiB + 5);
    const etag = await putSource(data);
    const from = rgw.requests.length;
    const result = await uploader('copied').upload(iterable(data), {
      filename: 'big.bin',
      copyFrom: { key: SOURCE, etag },
    });
    const wire = rgw.requests.slice(from).map((r) => `${r.operation} ${r.key}`);
    expect(wire.filter((line) => /^(PutObject|UploadPart|CreateMultipartUpload) /.test(line))).toEqual([]);
    expect(wire).toContain(`CopyObject ${result.key}`);
    expect(result).toMatchObject({ size: data.byteLength, deduplicated: false });
    expect(sameBytes(await getBytes(inspector(rgw.direct), rgw.bucket, result.key), data)).toBe(true);
    expect(await listKeys(inspector(rgw.direct), rgw.bucket, SOURCE)).toEqual([SOURCE]);
  });

  it('a source that changed after it was read: ERR_CONFLICT, and nothing is left at the final key', async () => {
    const data = bytes(3 * MiB + 6);
    const etag = await putSource(data);
    // The object changes once the uploader has read it all, before the copy.
    async function* readThenChange() {
      yield* iterable(data);
      await putSource(bytes(3 * MiB + 6));
    }
    const upload = uploader('changed').upload(readThenChange(), {
      filename: 'big.bin',
      copyFrom: { key: SOURCE, etag },
    });
    await expect(upload).rejects.toMatchObject({
      code: 'ERR_CONFLICT',
      message: expect.stringMatching(/changed since it was read .*upload it again/),
    });
    expect(await listKeys(inspector(rgw.direct), rgw.bucket, 'changed/')).toEqual([]);
  });

  it('a source removed before the copy (a cancelled upload): the upload fails and places nothing', async () => {
    const data = bytes(3 * MiB + 7);
    const etag = await putSource(data);
    async function* readThenRemove() {
      yield* iterable(data);
      await inspector(rgw.direct).send(new DeleteObjectCommand({ Bucket: rgw.bucket, Key: SOURCE }));
    }
    const upload = uploader('gone').upload(readThenRemove(), {
      filename: 'big.bin',
      copyFrom: { key: SOURCE, etag },
    });
    await expect(upload).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_/) });
    expect(await listKeys(inspector(rgw.direct), rgw.bucket, 'gone/')).toEqual([]);
  });

  it('a copyFrom without its key or ETag is ERR_INPUT naming the fix, before anything is read', async () => {
    for (const copyFrom of [{ key: SOURCE }, { etag: '"x"' }, null]) {
      const upload = uploader('bad').upload(iterable(bytes(10)), {
        filename: 'a.bin',
        copyFrom: copyFrom as unknown as { key: string; etag: string },
      });
      await expect(upload).rejects.toMatchObject({
        code: 'ERR_INPUT',
        message: expect.stringMatching(/copyFrom of 'a\.bin' needs the object's key and the ETag/),
      });
    }
  });
});
