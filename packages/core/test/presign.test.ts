import { describe, expect, inject, it } from 'vitest';
import { createUploader } from '../src/uploader';
import { bytes, s3Config, sameBytes } from './_support/s3';

const s3 = inject('s3');
const uploader = createUploader(s3Config(s3));

describe('presign', () => {
  it('a presigned GET fetches the uploaded bytes', async () => {
    const data = bytes(3000);
    const result = await uploader.upload(data, { filename: 'private.bin' });
    const url = await uploader.presign(result.key);
    const signed = new URL(url);
    expect(signed.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(signed.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(sameBytes(new Uint8Array(await response.arrayBuffer()), data)).toBe(true);
  });

  it('honours expiresIn', async () => {
    const url = await uploader.presign('some/key.png', 60);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('60');
  });

  it('a link signed with an unknown access key is refused by the server', async () => {
    const stranger = createUploader(s3Config(s3, { accessKeyId: 'NOBODY' }));
    const result = await uploader.upload(bytes(10), { filename: 'x.bin' });
    const response = await fetch(await stranger.presign(result.key));
    expect(response.status).toBe(403);
  });

  it.each([0, -5, 1.5, 8 * 24 * 3600])('rejects expiresIn %s with ERR_INPUT', async (expiresIn) => {
    await expect(uploader.presign('a.png', expiresIn)).rejects.toMatchObject({
      code: 'ERR_INPUT',
      message: expect.stringContaining('from 1 to 604800'),
    });
  });

  it('an uploader over a store that is not S3 says presign needs S3', async () => {
    const store = { ...uploader.store, kind: 'memory' };
    const other = createUploader(s3Config(s3), { store });
    await expect(other.presign('a.png')).rejects.toMatchObject({ code: 'ERR_CONFIG' });
  });
});
