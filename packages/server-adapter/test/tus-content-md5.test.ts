/**
 * `Bytedrop-Content-MD5` on the tus request that completes an upload (on radosgw, where the assembled bytes are read
 * back from a real multipart upload): the file is stored only if the bytes match the client's MD5 of its whole file.
 * A mismatch is 460 with the upload removed and nothing stored; a malformed value is 400 naming the header, before a
 * byte of the chunk is kept.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useRgw } from '../../core/test/_support/rgw';
import { objectsIn, rgwHandler, uploadsIn } from './_support/rgw-server';
import { create, patch, tusRequest } from './_support/tus';

const rgw = useRgw('server-tus-md5');
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');
const data = new Uint8Array(6000).map((_, index) => (index * 31) % 251);

describe('Bytedrop-Content-MD5 on the completing tus request', () => {
  it('stores the file when the assembled bytes match it', async () => {
    const handler = rgwHandler(rgw, {}, { keyTemplate: 'md5-ok/{hash:16}.{ext}' });
    const path = await create(handler, data.byteLength);
    expect((await patch(handler, path, 0, data.slice(0, 4000))).status).toBe(204);
    const done = await patch(handler, path, 4000, data.slice(4000), { 'bytedrop-content-md5': md5(data) });
    expect(done.status).toBe(204);
    expect(done.headers.get('bytedrop-url')).toMatch(/md5-ok\//);
    expect(await objectsIn(rgw, 'md5-ok/')).toHaveLength(1);
  });

  it('refuses with 460 when they do not (the file changed between requests): the upload is removed, nothing stored', async () => {
    const handler = rgwHandler(rgw, {}, { keyTemplate: 'md5-bad/{hash:16}.{ext}' });
    const path = await create(handler, data.byteLength);
    expect((await patch(handler, path, 0, data.slice(0, 4000))).status).toBe(204);
    // The client's file is not what it sent first: its MD5 now is of other bytes.
    const changed = data.slice();
    changed.set([(data[10] ?? 0) ^ 0xff], 10);
    const refused = await patch(handler, path, 4000, data.slice(4000), {
      'bytedrop-content-md5': md5(changed),
    });
    expect(refused.status).toBe(460);
    expect(refused.headers.get('tus-resumable')).toBe('1.0.0');
    expect(await refused.text()).toMatch(/do not match Bytedrop-Content-MD5 .*upload the file again/);
    expect((await handler(tusRequest(path, { method: 'HEAD' }))).status).toBe(404);
    expect(await objectsIn(rgw, 'md5-bad/')).toEqual([]);
    expect(await uploadsIn(rgw)).toEqual([]);
  });

  it('a malformed value is 400 naming the header, and the chunk is not kept', async () => {
    const handler = rgwHandler(rgw, {}, { keyTemplate: 'md5-malformed/{hash:16}.{ext}' });
    const path = await create(handler, data.byteLength);
    const bad = await patch(handler, path, 0, data.slice(0, 4000), { 'bytedrop-content-md5': 'not-an-md5' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/Bytedrop-Content-MD5 'not-an-md5' is not an MD5: send the base64/);
    const head = await handler(tusRequest(path, { method: 'HEAD' }));
    expect(head.headers.get('upload-offset')).toBe('0');
  });
});
