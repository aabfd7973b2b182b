/**
 * `/api/keys`: an admin adds, lists, revokes and rotates managed keys; every bad input is refused naming the field
 * and the fix; revoked and expired keys get 401 saying so; the keys given to the handler are mirrored into the
 * catalog (a changed list updates, a key left out stops working).
 */

import { createUploader } from '@bytedrop/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../src/_catalog-keyring';
import type { KeyView } from '../src/_key-actions';
import { createHandler } from '../src/handler';
import { ADMIN_KEY, type ApiFixture, apiFixture } from './_support/api';
import { KEY, KEY2, ORIGIN, SECRET } from './_support/fixtures';

/** What the routes answer, every field present on one answer or another. */
interface Answer {
  success: boolean;
  msg: string;
  code?: string;
  secret: string;
  key: KeyView;
  keys: KeyView[];
}

let api: ApiFixture;
beforeEach(async () => {
  api = await apiFixture();
});
afterEach(() => api.dispose());

async function send(method: string, path: string, body?: unknown, key = ADMIN_KEY) {
  const response = await api.handler(
    new Request(`${ORIGIN}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }),
  );
  return { status: response.status, body: (await response.json()) as Answer };
}

const put = (key: string, name = 'a.txt', bytes = 'hello') =>
  api.handler(
    new Request(`${ORIGIN}/upload/${name}`, {
      method: 'PUT',
      body: bytes,
      headers: { authorization: `Bearer ${key}` },
    }),
  );

describe('POST /api/keys', () => {
  it('adds a key whose secret is shown once and works at once, with its prefix and scopes', async () => {
    const added = await send('POST', '/api/keys', {
      name: 'ci',
      prefix: 'ci/',
      scopes: ['upload'],
      quotaBytes: '5MB',
      quotaFiles: 10,
      uploadsPerHour: 3,
      uploadsPerDay: '20',
      expires: '30d',
    });
    expect(added.status).toBe(201);
    expect(added.body.secret).toMatch(/^bd_[\w-]{43}$/);
    expect(added.body.key).toMatchObject({
      name: 'ci',
      prefix: 'ci/',
      scopes: ['upload'],
      quota: { bytes: 5_000_000, files: 10 },
      rates: { perHour: 3, perDay: 20 },
      source: 'managed',
      status: 'active',
      revokedAt: null,
    });
    const upload = await put(added.body.secret);
    expect(upload.status).toBe(200);
    expect(((await upload.json()) as { files: { key: string }[] }).files[0]!.key).toMatch(/^ci\//);

    const listed = await send('GET', '/api/keys');
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(added.body.secret);
    expect(listed.body.keys.map((k) => k.name).sort()).toEqual(['alice', 'bob', 'ci', 'root']);
    // Only the SHA-256 is stored: the secret appears nowhere in the catalog.
    const stored = await api.catalog.accessKeys.list();
    expect(JSON.stringify(stored)).not.toContain(added.body.secret);
  });

  it.each([
    ['not JSON', '{name:', /body is not JSON/],
    ['an array', '[]', /body must be a JSON object/],
    ['no name', {}, /^name is required/],
    ['a bad name', { name: 'a b' }, /^name must be 1 to 64 letters/],
    ['an unknown field', { name: 'x', admin: true }, /^unknown field admin: use name, prefix, scopes/],
    ['an unknown scope', { name: 'x', scopes: ['root'] }, /^scopes must each be one of upload, delete-own/],
    ['no scope', { name: 'x', scopes: [] }, /^scopes must name at least one/],
    ['a bad size', { name: 'x', quotaBytes: '5XB' }, /^quotaBytes must be .*5GB/],
    ['a zero quota', { name: 'x', quotaFiles: 0 }, /^quotaFiles must be a whole number of files above 0/],
    ['a fractional rate', { name: 'x', uploadsPerHour: 1.5 }, /^uploadsPerHour must be a whole number/],
    ['an absolute prefix', { name: 'x', prefix: '/etc/' }, /^prefix must be a relative folder/],
    ['a .. prefix', { name: 'x', prefix: 'a/../b/' }, /^prefix must be a relative folder/],
    ['a bad expiry', { name: 'x', expires: 'soon' }, /^expires must be a duration like 12h, 30d/],
    ['an expiry in the past', { name: 'x', expires: '2020-01-01' }, /^expires '2020-01-01' is in the past/],
    ['an expiry too far', { name: 'x', expires: '4000d' }, /^expires '4000d' is more than 3650 days ahead/],
  ])('refuses %s with 400 naming the field and the fix', async (_what, body, message) => {
    const answer = await send('POST', '/api/keys', body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      success: false,
      code: 'ERR_INPUT',
      msg: expect.stringMatching(message),
    });
  });

  it('refuses a taken name with 409, and a body over 16 KiB with 413', async () => {
    expect((await send('POST', '/api/keys', { name: 'alice' })).body).toMatchObject({ code: 'ERR_CONFLICT' });
    expect((await send('POST', '/api/keys', { name: 'alice' })).status).toBe(409);
    const big = await send('POST', '/api/keys', { name: 'x', prefix: 'a'.repeat(20_000) });
    expect(big.status).toBe(413);
  });
});

describe('the admin scope', () => {
  it.each([
    ['GET', '/api/keys'],
    ['POST', '/api/keys'],
    ['DELETE', '/api/keys/bob'],
    ['POST', '/api/keys/bob/rotate'],
  ])('%s %s needs it: 403 ERR_SCOPE naming admin', async (method, path) => {
    const answer = await send(method, path, method === 'POST' ? { name: 'y' } : undefined, KEY);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({
      code: 'ERR_SCOPE',
      msg: expect.stringContaining("lacks the 'admin' scope"),
    });
    expect((await send(method, path, undefined, 'wrong-key-0000000000')).status).toBe(401);
  });

  it('names the methods each route takes (405)', async () => {
    expect((await send('PUT', '/api/keys')).status).toBe(405);
    expect((await send('GET', '/api/keys/bob')).status).toBe(405);
    expect((await send('GET', '/api/keys/bob/rotate')).status).toBe(405);
  });
});

describe('revoking and rotating', () => {
  it('a revoked key is answered 401 saying it was revoked and what to do; revoking again keeps the first time', async () => {
    const { body } = await send('POST', '/api/keys', { name: 'temp' });
    const revoked = await send('DELETE', '/api/keys/temp');
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ msg: 'revoked', key: { name: 'temp', status: 'revoked' } });
    const answer = await put(body.secret);
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({
      code: 'ERR_AUTH',
      msg: expect.stringMatching(/access key 'temp' was revoked at .*ask the server's admin for a new key/),
    });
    const again = await send('DELETE', '/api/keys/temp');
    expect(again.body.key.revokedAt).toBe(revoked.body.key.revokedAt);
    expect((await send('POST', '/api/keys/temp/rotate')).status).toBe(409);
  });

  it('rotating gives a new secret; the old one stops working at once', async () => {
    const { body } = await send('POST', '/api/keys', { name: 'bot', scopes: ['upload'] });
    const rotated = await send('POST', '/api/keys/bot/rotate');
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(body.secret);
    expect((await put(body.secret)).status).toBe(401);
    expect((await put(rotated.body.secret)).status).toBe(200);
  });

  it('an expired key is answered 401 saying when it expired', async () => {
    await api.catalog.accessKeys.add({
      hash: '5'.repeat(64),
      record: {
        name: 'old',
        prefix: null,
        scopes: ['upload'],
        quotaBytes: null,
        quotaFiles: null,
        perHour: null,
        perDay: null,
        expiresAt: new Date(Date.UTC(2020, 0, 1)),
        createdAt: new Date(Date.UTC(2019, 0, 1)),
        revokedAt: null,
        source: 'managed',
      },
    });
    await api.catalog.accessKeys.rehash('old', await hashSecret('expired-secret-000'));
    const answer = await put('expired-secret-000');
    expect(answer.status).toBe(401);
    expect(((await answer.json()) as { msg: string }).msg).toMatch(
      /access key 'old' expired at 2020-01-01T00:00:00Z: ask the server's admin for a new key/,
    );
    expect((await send('GET', '/api/keys')).body.keys.find((k) => k.name === 'old')?.status).toBe('expired');
  });

  it('unknown names are 404 and keys-file keys are 409 (edit the file), naming the fix', async () => {
    const unknown = await send('DELETE', '/api/keys/nobody');
    expect(unknown).toMatchObject({ status: 404, body: { msg: expect.stringContaining('GET /api/keys') } });
    const fromFile = await send('POST', '/api/keys/bob/rotate');
    expect(fromFile).toMatchObject({ status: 409, body: { msg: expect.stringContaining('edit the file') } });
    expect((await send('DELETE', '/api/keys/a%2Fb')).status).toBe(400);
  });
});

describe('the keys given to the handler (keys file, AUTH_KEY)', () => {
  it('are mirrored: a changed list updates on the next start, a key left out is answered revoked', async () => {
    expect((await put(KEY2)).status).toBe(200);
    // A restart with bob removed and alice's prefix changed, on the same catalog.
    const restarted = createHandler({
      uploader: createUploader({ bucket: 'local-disk' }, { store: api.store }),
      store: api.store,
      keys: [
        { name: 'alice', key: KEY, prefix: 'moved/' },
        { name: 'root', key: ADMIN_KEY, admin: true },
      ],
      secret: SECRET,
      catalog: api.catalog,
    });
    const gone = await restarted(
      new Request(`${ORIGIN}/upload/b.txt`, { method: 'PUT', body: 'x', headers: { authorization: KEY2 } }),
    );
    expect(gone.status).toBe(401);
    expect(((await gone.json()) as { msg: string }).msg).toContain("access key 'bob' was revoked");
    const moved = await restarted(
      new Request(`${ORIGIN}/upload/c.txt`, { method: 'PUT', body: 'x', headers: { authorization: KEY } }),
    );
    expect(((await moved.json()) as { files: { key: string }[] }).files[0]!.key).toMatch(/^moved\//);
    expect((await api.catalog.accessKeys.get('alice'))?.prefix).toBe('moved/');
  });
});
