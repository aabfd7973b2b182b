/**
 * The tus 1.0 endpoint on radosgw refusing: every bad input answered with the protocol's status, a message that says
 * what to do, and nothing left in the bucket; a storage failure that keeps the upload where it was; expiry; a type
 * not allowed; and an abandoned upload left to the sweep.
 */
import { createUploader } from '@bytedrop/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rgwConfig, useRgw } from '../../core/test/_support/rgw';
import { MiB, bytes as random } from '../../core/test/_support/s3';
import { KEY, KEY2, ORIGIN } from './_support/fixtures';
import { rgwHandler, uploadsIn } from './_support/rgw-server';
import { create, everything, leftovers, patch, sum, TUS, tusRequest } from './_support/tus';

const rgw = useRgw('server-tus-refusals');

/** The handler with 5 MiB parts and a 20 MiB limit. */
const handlerOf = () =>
  rgwHandler(rgw, { maxFileSize: 20 * MiB }, { partSize: 5 * MiB, keyTemplate: 'tus/{hash:16}.{ext}' });

describe('tus on radosgw refuses', () => {
  afterEach(() => vi.restoreAllMocks());

  it('answers bad input with the protocol status and a clear message, and keeps nothing of it', async () => {
    const handler = handlerOf();
    const data = random(6 * MiB);
    const path = await create(handler, data.byteLength);
    const first = await patch(handler, path, 0, data.subarray(0, MiB));
    expect(first.status).toBe(204);

    const wrongOffset = await patch(handler, path, 5, data.subarray(5, 10));
    expect(wrongOffset.status).toBe(409);
    expect((await wrongOffset.json()).msg).toMatch(/HEAD it and resume from there/);

    const wrongSum = await patch(handler, path, MiB, data.subarray(MiB), {
      'upload-checksum': sum('sha1', data.subarray(0, 5)),
    });
    expect(wrongSum.status).toBe(460);
    expect(wrongSum.headers.get('tus-resumable')).toBe('1.0.0');
    expect((await wrongSum.json()).msg).toMatch(/does not match its Upload-Checksum.*offset 1048576/);
    const head = await handler(tusRequest(path, { method: 'HEAD' }));
    expect(head.headers.get('upload-offset')).toBe(String(MiB));

    const other = await handler(
      new Request(`${ORIGIN}${path}`, {
        method: 'HEAD',
        headers: { 'tus-resumable': '1.0.0', authorization: KEY2 },
      }),
    );
    expect(other.status).toBe(403);
    const otherPatch = await handler(
      new Request(`${ORIGIN}${path}`, {
        method: 'PATCH',
        headers: {
          'tus-resumable': '1.0.0',
          authorization: KEY2,
          'content-type': 'application/offset+octet-stream',
          'upload-offset': String(MiB),
        },
        body: data.subarray(MiB),
      }),
    );
    expect(otherPatch.status).toBe(403);
    expect((await otherPatch.json()).msg).toMatch(/belongs to another access key/);

    const otherDelete = await handler(
      new Request(`${ORIGIN}${path}`, {
        method: 'DELETE',
        headers: { 'tus-resumable': '1.0.0', authorization: KEY2 },
      }),
    );
    expect(otherDelete.status).toBe(403);

    const wrongType = await patch(handler, path, MiB, data.subarray(MiB), {
      'content-type': 'application/octet-stream',
    });
    expect(wrongType.status).toBe(415);
    const noVersion = await handler(
      new Request(`${ORIGIN}${path}`, { method: 'HEAD', headers: { authorization: KEY } }),
    );
    expect(noVersion.status).toBe(412);
    expect(noVersion.headers.get('tus-version')).toBe('1.0.0');

    const tooLong = await handler(
      tusRequest('/tus/', { method: 'POST', headers: { 'upload-length': String(20 * MiB + 1) } }),
    );
    expect(tooLong.status).toBe(413);
    expect((await tooLong.json()).msg).toMatch(/larger than the 20971520-byte limit/);
    const badMeta = await handler(
      tusRequest('/tus/', {
        method: 'POST',
        headers: { 'upload-length': '5', 'upload-metadata': 'filename not*base64' },
      }),
    );
    expect(badMeta.status).toBe(400);
    expect((await badMeta.json()).msg).toMatch(/is not `key base64value`/);

    // Termination through X-HTTP-Method-Override (clients behind proxies that allow only GET and POST).
    const ended = await handler(
      tusRequest(path, { method: 'POST', headers: { 'x-http-method-override': 'DELETE' } }),
    );
    expect(ended.status).toBe(204);
    expect((await handler(tusRequest(path, { method: 'HEAD' }))).status).toBe(404);
    expect(await everything(rgw, path)).toEqual([]);
  });

  it('answers a storage failure as the server side (502), keeping the upload where it was', async () => {
    const handler = handlerOf();
    const data = random(6 * MiB);
    const path = await create(handler, data.byteLength);
    rgw.proxy.failWith({ operation: 'UploadPart' }, { status: 403, code: 'AccessDenied' }, { times: 1 });
    const failed = await patch(handler, path, 0, data);
    expect(failed.status).toBe(502);
    expect(failed.headers.get('tus-resumable')).toBe('1.0.0');
    expect((await handler(tusRequest(path, { method: 'HEAD' }))).headers.get('upload-offset')).toBe('0');
    const again = await patch(handler, path, 0, data);
    expect(again.status).toBe(204);
    expect(await leftovers(rgw, path)).toEqual({ objects: [], uploads: [] });
  });

  it('refuses an expired upload with 410 and removes it', async () => {
    const handler = handlerOf();
    const data = random(6 * MiB);
    const path = await create(handler, data.byteLength);
    expect((await patch(handler, path, 0, data.subarray(0, 5 * MiB + 1))).status).toBe(204);
    expect(await uploadsIn(rgw, `${TUS}${path.split('/').pop()}`)).toHaveLength(1);
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + 3_600_001);
    const late = await patch(handler, path, 5 * MiB + 1, data.subarray(5 * MiB + 1));
    expect(late.status).toBe(410);
    expect((await late.json()).msg).toMatch(/expired at .* start it again/);
    expect(await everything(rgw, path)).toEqual([]);
  });

  it('refuses a finished file of a type not allowed, like POST /upload, and keeps nothing', async () => {
    const handler = rgwHandler(rgw, { allowedTypes: ['image/*'] }, { partSize: 5 * MiB });
    const data = random(5 * MiB + 10);
    const path = await create(handler, data.byteLength);
    const refused = await patch(handler, path, 0, data);
    expect(refused.status).toBe(415);
    expect(refused.headers.get('tus-resumable')).toBe('1.0.0');
    expect(await everything(rgw, path)).toEqual([]);
  });

  it('leaves an abandoned upload to the sweep of the server temporary prefix', async () => {
    const handler = handlerOf();
    const data = random(6 * MiB);
    const path = await create(handler, data.byteLength);
    expect((await patch(handler, path, 0, data.subarray(0, 5 * MiB + 1))).status).toBe(204);
    expect(await everything(rgw, path)).toHaveLength(3);
    const store = createUploader(rgwConfig(rgw)).store;
    await store.sweep!({ olderThan: 0, prefix: '.bytedrop-tmp/server/' });
    expect(await everything(rgw, path)).toEqual([]);
  });
});
