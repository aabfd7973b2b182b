/**
 * `copyFrom` on radosgw (which ignores `x-amz-copy-source-if-match`, so the store's own check after the copy is what
 * is tested): a body that is already an object in the store, long or short, is read and hashed, then placed by a copy
 * of that version, with no write of its bytes; a short image is prepared whole as any (written stripped, or measured
 * with its metadata); a source that changed meanwhile gets ERR_CONFLICT and nothing at the final key.
 */
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createUploader } from '../src/uploader';
import { makeImage, PRIVATE_TAGS, scratch } from './_support/images';
import { rgwConfig, useRgw } from './_support/rgw';
import { bytes, getBytes, headObject, inspector, iterable, listKeys, MiB, sameBytes } from './_support/s3';

const rgw = useRgw('copy-from');
const SOURCE = '.assembled/big.bin';

function uploader(prefix: string, template = '{hash:16}.{ext}') {
  return createUploader(rgwConfig(rgw, { keyTemplate: `${prefix}/${template}`, multipartThreshold: MiB }));
}

/** The requests since `from` that wrote bytes (a PUT, a part, a multipart start), as `Operation key`. */
const writesSince = (from: number) =>
  rgw.requests
    .slice(from)
    .filter((r) => ['PutObject', 'UploadPart', 'CreateMultipartUpload'].includes(r.operation))
    .map((r) => `${r.operation} ${r.key}`);

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
    expect(writesSince(from)).toEqual([]);
    expect(rgw.requests.slice(from).map((r) => `${r.operation} ${r.key}`)).toContain(
      `CopyObject ${result.key}`,
    );
    expect(result).toMatchObject({ size: data.byteLength, deduplicated: false });
    expect(sameBytes(await getBytes(inspector(rgw.direct), rgw.bucket, result.key), data)).toBe(true);
    expect(await listKeys(inspector(rgw.direct), rgw.bucket, SOURCE)).toEqual([SOURCE]);
  });

  it.each([
    ['with {hash}', '{hash:16}.{ext}'],
    ['without {hash}', '{uuid}/{name}.{ext}'],
  ])(
    'a body under multipartThreshold is copied as well, under a template %s: not written again',
    async (_, template) => {
      const data = bytes(MiB - 3);
      const etag = await putSource(data);
      const from = rgw.requests.length;
      const result = await uploader('short', template).upload(iterable(data), {
        filename: 'small.bin',
        copyFrom: { key: SOURCE, etag },
      });
      expect(writesSince(from)).toEqual([]);
      expect(rgw.requests.slice(from).map((r) => `${r.operation} ${r.key}`)).toContain(
        `CopyObject ${result.key}`,
      );
      expect(result).toMatchObject({
        size: data.byteLength,
        deduplicated: false,
        contentType: 'application/octet-stream',
      });
      expect(sameBytes(await getBytes(inspector(rgw.direct), rgw.bucket, result.key), data)).toBe(true);
    },
  );

  it('a short image whose metadata goes is written stripped: its stored bytes are not the source’s', async () => {
    const photo = await makeImage(
      await scratch(),
      'photo.jpg',
      ['-size', '96x64', 'plasma:', '-seed', '7'],
      PRIVATE_TAGS,
    );
    const etag = await putSource(photo.bytes);
    const from = rgw.requests.length;
    const result = await uploader('photo').upload(iterable(new Uint8Array(photo.bytes)), {
      filename: 'photo.jpg',
      copyFrom: { key: SOURCE, etag },
    });
    expect(result.stripped).toContain('gps');
    expect(writesSince(from)).toEqual([`PutObject ${result.key}`]);
    const stored = await getBytes(inspector(rgw.direct), rgw.bucket, result.key);
    expect(stored.byteLength).toBe(result.size);
    expect(stored.byteLength).toBeLessThan(photo.bytes.byteLength);
  });

  it('a short image whose metadata is kept is still measured whole: a Retina PNG says pixelRatio 2', async () => {
    const retina = await makeImage(await scratch(), 'retina.png', [
      '-size',
      '40x20',
      'xc:navy',
      '-units',
      'PixelsPerInch',
      '-density',
      '144',
    ]);
    const etag = await putSource(retina.bytes);
    const result = await uploader('retina').upload(iterable(new Uint8Array(retina.bytes)), {
      filename: 'retina.png',
      stripMetadata: false,
      copyFrom: { key: SOURCE, etag },
    });
    expect(result).toMatchObject({ width: 40, height: 20, pixelRatio: 2, metadataKept: 'setting' });
    expect(sameBytes(await getBytes(inspector(rgw.direct), rgw.bucket, result.key), retina.bytes)).toBe(true);
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
