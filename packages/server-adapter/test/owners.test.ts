/**
 * Who may delete what, on radosgw: every object records the access key that first uploaded it, and a delete token
 * works only for that owner's object at that key. Identical bytes are shared across keys without prefixes: one
 * object, the first uploader owns it, the others get its link without a delete right.
 */
import { createHmac } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { useRgw } from '../../core/test/_support/rgw';
import { getBytes, inspector, bytes as random } from '../../core/test/_support/s3';
import type { BytedropHandler } from '../src/handler';
import { body, KEY, KEY2, ORIGIN, SECRET, type UploadBody } from './_support/fixtures';
import { objectsIn, rgwHandler } from './_support/rgw-server';

const rgw = useRgw('server-owners');

const upload = async (
  handler: BytedropHandler,
  key: string,
  name: string,
  bytes: Uint8Array<ArrayBuffer>,
) => {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  const response = await handler(
    new Request(`${ORIGIN}/upload`, { method: 'POST', body: form, headers: { authorization: key } }),
  );
  expect(response.status).toBe(200);
  return body(response);
};

const tokenOf = (deleteUrl: string) => new URL(deleteUrl).searchParams.get('token')!;

const deleteWith = (handler: BytedropHandler, key: string, token: string) =>
  handler(new Request(`${ORIGIN}/files/${key}?token=${token}`, { method: 'DELETE' }));

/** The token the server gave before owners were recorded: an HMAC of the key alone. */
const legacyToken = (key: string) =>
  createHmac('sha256', SECRET).update(`bytedrop-delete:${key}`).digest('base64url');

describe('owners and delete rights', () => {
  it('gives a dedupe hit on another key’s object the link but no delete right, and no token of its deletes it', async () => {
    const handler = rgwHandler(rgw, {}, { keyTemplate: 'shared/{name}-{hash:16}.{ext}' });
    const bytes = random(500);
    const a = (await upload(handler, KEY, 'x.bin', bytes)).files[0]!;
    expect(a.deleteUrl).toMatch(/\?token=[\w-]{32}$/);

    // The same name and bytes (clipboard images are all called `image`): the same key, so one object.
    const bob: UploadBody = await upload(handler, KEY2, 'x.bin', bytes);
    const b = bob.files[0]!;
    expect(b).toMatchObject({ key: a.key, url: a.url, deduplicated: true, deleteUrl: null });
    // The field ShareX's DeletionURL reads is null too: ShareX then offers no deletion.
    expect(bob.deleteUrl).toBeNull();

    // Bob's tokens: one of his own file, and the key-only token the server handed out before owners existed.
    const own = (await upload(handler, KEY2, 'own.bin', random(10))).files[0]!;
    for (const token of [tokenOf(own.deleteUrl!), legacyToken(a.key)]) {
      const refused = await deleteWith(handler, a.key, token);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ code: 'ERR_FORBIDDEN', msg: /first uploaded it/ });
    }
    expect(await objectsIn(rgw, 'shared/')).toContain(a.key);

    // Alice's token still works; then the same bytes from Bob make a new object that Bob owns.
    expect((await handler(new Request(a.deleteUrl!, { method: 'DELETE' }))).status).toBe(200);
    expect(await objectsIn(rgw, 'shared/')).not.toContain(a.key);
    const again = (await upload(handler, KEY2, 'x.bin', bytes)).files[0]!;
    expect(again).toMatchObject({ key: a.key, deduplicated: false, deleteUrl: expect.any(String) });
    const stale = await handler(new Request(a.deleteUrl!, { method: 'DELETE' }));
    expect(stale.status).toBe(403);
    expect(await getBytes(inspector(rgw.direct), rgw.bucket, a.key)).toEqual(bytes);
    expect((await handler(new Request(again.deleteUrl!, { method: 'DELETE' }))).status).toBe(200);
    // Deleted already: the link's holder hears so, and the next request is served.
    const twice = await handler(new Request(again.deleteUrl!, { method: 'DELETE' }));
    expect(twice.status).toBe(404);
    expect(await twice.json()).toMatchObject({ code: 'ERR_NOT_FOUND', msg: /deleted already/ });
  });

  it('shows the confirmation page only to the owner’s token', async () => {
    const handler = rgwHandler(rgw, {}, { keyTemplate: 'page/{name}-{hash:16}.{ext}' });
    const a = (await upload(handler, KEY, 'a.bin', random(20))).files[0]!;
    const own = (await upload(handler, KEY2, 'own.bin', random(20))).files[0]!;
    expect((await handler(new Request(a.deleteUrl!))).status).toBe(200);
    const other = await handler(new Request(`${ORIGIN}/files/${a.key}?token=${tokenOf(own.deleteUrl!)}`));
    expect(other.status).toBe(403);
  });

  it('never lets another key replace a file at a name it took (template without {hash})', async () => {
    const handler = rgwHandler(rgw, {}, { keyTemplate: 'named/{name}.{ext}' });
    const first = random(100);
    const a = (await upload(handler, KEY, 'shot.bin', first)).files[0]!;
    const b = (await upload(handler, KEY2, 'shot.bin', random(100))).files[0]!;
    expect(a.key).toBe('named/shot.bin');
    expect(b.key).not.toBe(a.key);
    expect(b.deleteUrl).toEqual(expect.any(String));
    expect(await getBytes(inspector(rgw.direct), rgw.bucket, a.key)).toEqual(first);
  });

  it('keeps key-only delete links working for objects stored before owners were recorded', async () => {
    const handler = rgwHandler(rgw);
    const key = 'legacy/shot-1a2b3c4d.png';
    await inspector(rgw.direct).send(
      new PutObjectCommand({ Bucket: rgw.bucket, Key: key, Body: 'old bytes', ContentType: 'image/png' }),
    );
    const newer = (await upload(handler, KEY, 'n.bin', random(10))).files[0]!;
    expect((await deleteWith(handler, key, tokenOf(newer.deleteUrl!))).status).toBe(403);
    expect((await deleteWith(handler, key, legacyToken(key))).status).toBe(200);
    expect(await objectsIn(rgw, 'legacy/')).toEqual([]);
  });

  it('separates keys with a prefix entirely: identical bytes are two objects, each deletable by its owner', async () => {
    const handler = rgwHandler(rgw, {
      keys: [
        { name: 'alice', key: KEY, prefix: 'alice/' },
        { name: 'bob', key: KEY2, prefix: 'bob/' },
      ],
    });
    const bytes = random(30);
    const a = (await upload(handler, KEY, 'x.bin', bytes)).files[0]!;
    const b = (await upload(handler, KEY2, 'x.bin', bytes)).files[0]!;
    expect(a.key.startsWith('alice/')).toBe(true);
    expect(b).toMatchObject({ key: `bob/${a.key.slice('alice/'.length)}`, deduplicated: false });
    expect((await handler(new Request(b.deleteUrl!, { method: 'DELETE' }))).status).toBe(200);
    expect((await handler(new Request(a.deleteUrl!, { method: 'DELETE' }))).status).toBe(200);
  });
});
