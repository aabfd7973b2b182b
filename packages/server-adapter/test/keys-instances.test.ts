/**
 * Two server instances sharing one PostgreSQL catalog (and one store), as behind a load balancer: a key added on one
 * works on the other, a revocation or rotation on one counts on the other at its next request, and a quota counts
 * what was stored through either.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresCatalog } from '../src/catalog/postgres';
import type { Catalog } from '../src/catalog/types';
import { type BytedropHandler, createHandler } from '../src/handler';
import { ADMIN_KEY } from './_support/api';
import { postgresDatabase } from './_support/catalogs';
import { ORIGIN, SECRET } from './_support/fixtures';

let dir: string;
const catalogs: Catalog[] = [];
let a: BytedropHandler;
let b: BytedropHandler;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bytedrop-keys-instances-'));
  const url = await postgresDatabase();
  const instance = async () => {
    const catalog = await createPostgresCatalog({ url });
    catalogs.push(catalog);
    const store = createLocalDiskStore({ dir, publicBaseUrl: `${ORIGIN}/f` });
    return createHandler({
      uploader: createUploader({ bucket: 'local-disk' }, { store }),
      store,
      keys: [{ name: 'root', key: ADMIN_KEY, admin: true }],
      secret: SECRET,
      catalog,
    });
  };
  [a, b] = [await instance(), await instance()];
});
afterAll(async () => {
  await Promise.all(catalogs.map((catalog) => catalog.close()));
  await rm(dir, { recursive: true, force: true });
});

async function admin(handler: BytedropHandler, method: string, path: string, body?: unknown) {
  const response = await handler(
    new Request(`${ORIGIN}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  return (await response.json()) as { secret: string; key: { status: string } };
}

const put = async (handler: BytedropHandler, key: string, name: string, bytes: string) => {
  const response = await handler(
    new Request(`${ORIGIN}/upload/${name}`, { method: 'PUT', body: bytes, headers: { authorization: key } }),
  );
  return { status: response.status, ...((await response.json()) as { code?: string; msg: string }) };
};

describe('two instances on one PostgreSQL', () => {
  it('share keys, revocation and rotation', async () => {
    const { secret } = await admin(a, 'POST', '/api/keys', { name: 'shared' });
    expect((await put(b, secret, 'one.txt', 'one')).status).toBe(200);
    const rotated = await admin(b, 'POST', '/api/keys/shared/rotate');
    expect((await put(a, secret, 'two.txt', 'two')).status).toBe(401);
    expect((await put(a, rotated.secret, 'three.txt', 'three')).status).toBe(200);
    expect((await admin(b, 'DELETE', '/api/keys/shared')).key.status).toBe('revoked');
    expect(await put(a, rotated.secret, 'four.txt', 'four')).toMatchObject({
      status: 401,
      msg: expect.stringContaining("access key 'shared' was revoked"),
    });
  });

  it('share quotas: what one instance stored counts on the other', async () => {
    const { secret } = await admin(b, 'POST', '/api/keys', {
      name: 'capped',
      quotaBytes: 100,
      quotaFiles: 3,
    });
    expect((await put(a, secret, 'big.bin', 'a'.repeat(80))).status).toBe(200);
    expect(await put(b, secret, 'more.bin', 'b'.repeat(40))).toMatchObject({
      status: 413,
      code: 'ERR_QUOTA',
      msg: expect.stringContaining('80 B of 100 B used'),
    });
    const usage = await b(new Request(`${ORIGIN}/api/usage`, { headers: { authorization: secret } }));
    expect(await usage.json()).toMatchObject({ files: 1, bytes: 80, limits: { bytes: 100, files: 3 } });
  });
});
