/**
 * `POST /api/zip` on the local-disk store: the answer is one ZIP that Debian's `unzip` tests and extracts to the
 * stored bytes, with an exact `Content-Length`; only the caller's files (an admin's: anyone's); every bad input a
 * 4xx naming the field and the fix; a file gone from storage cuts the stream and is logged. On SQLite and
 * PostgreSQL.
 */
import { rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ZIP_FILES } from '../src/_api-zip';
import type { Logger } from '../src/handler';
import { ADMIN_KEY, API_KINDS, type ApiFixture, apiFixture } from './_support/api';
import { KEY, KEY2, ORIGIN } from './_support/fixtures';
import { digests, unzipped, uploadSome, zipRequest } from './_support/zip';

const logged: Record<string, unknown>[] = [];
const logger: Logger = { info() {}, warn() {}, error: (object) => logged.push(object) };

describe.each(API_KINDS)('on %s', (kind) => {
  let api: ApiFixture;
  let alice: Map<string, Uint8Array>;
  let bob: Map<string, Uint8Array>;
  beforeAll(async () => {
    api = await apiFixture({ logger }, kind);
    alice = await uploadSome(api.handler, 3, 70_000);
    bob = await uploadSome(api.handler, 1, 1000, KEY2);
  });
  afterAll(() => api.dispose());

  const zip = async (json: unknown, key = KEY) => api.handler(zipRequest(json, key));
  const failure = async (json: unknown, key = KEY) => {
    const response = await zip(json, key);
    return { status: response.status, ...((await response.json()) as { code: string; msg: string }) };
  };

  describe('POST /api/zip', () => {
    it('streams one ZIP of the listed files, with the exact Content-Length, that unzip extracts byte for byte', async () => {
      const response = await zip({ keys: [...alice.keys()], name: 'mine.zip' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/zip');
      expect(response.headers.get('content-disposition')).toContain('filename="mine.zip"');
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect(Number(response.headers.get('content-length'))).toBe(bytes.byteLength);
      expect(digests(await unzipped(bytes))).toEqual(digests(alice));
    });

    it('zips a prefix: the caller’s files under it, oldest first', async () => {
      const response = await zip({ prefix: 'alice/' });
      expect(response.status).toBe(200);
      expect(digests(await unzipped(new Uint8Array(await response.arrayBuffer())))).toEqual(digests(alice));
    });

    it('lets an admin key zip any owner’s files', async () => {
      const keys = [...alice.keys(), ...bob.keys()];
      const response = await zip({ keys }, ADMIN_KEY);
      expect(response.status).toBe(200);
      expect(digests(await unzipped(new Uint8Array(await response.arrayBuffer())))).toEqual(
        digests(new Map([...alice, ...bob])),
      );
    });

    it('refuses another owner’s key with 403 naming it', async () => {
      const [theirs] = bob.keys();
      const answer = await failure({ keys: [...alice.keys(), theirs] });
      expect(answer).toMatchObject({ status: 403, code: 'ERR_FORBIDDEN' });
      expect(answer.msg).toContain(`'${theirs}' is not one of your files`);
    });

    it.each([
      [
        '10,000 keys',
        { keys: Array.from({ length: 10_000 }, (_, i) => `k${i}`) },
        `keys lists 10000 files: a ZIP holds at most ${MAX_ZIP_FILES}`,
      ],
      ['no keys', { keys: [] }, 'keys is empty'],
      ['a key twice', { keys: ['a', 'a'] }, "keys lists 'a' twice"],
      ['a number as key', { keys: [3] }, 'each key must be a string'],
      ['keys not a list', { keys: 'a.png' }, 'keys must be an array'],
      ['keys and prefix', { keys: ['a'], prefix: 'b/' }, 'send either keys'],
      ['neither', {}, 'send either keys'],
      ['an empty prefix', { prefix: '' }, 'prefix is empty'],
      ['a name not .zip', { keys: ['a'], name: 'x.tar' }, 'name must be a file name ending in .zip'],
      [
        'an unknown field',
        { keys: ['a'], level: 9 },
        "unknown field 'level': the fields are keys, prefix and name",
      ],
      ['broken JSON', '{"keys": [', 'is not JSON'],
    ])('refuses %s with 400 naming the field and the fix', async (_, json, message) => {
      const answer = await failure(json);
      expect(answer).toMatchObject({ status: 400, code: 'ERR_INPUT' });
      expect(answer.msg).toContain(message);
    });

    it('answers 404 naming keys not in the catalog, and a prefix that matches nothing', async () => {
      expect(await failure({ keys: ['alice/none.png'] })).toMatchObject({
        status: 404,
        msg: expect.stringContaining("no file 'alice/none.png' in the catalog"),
      });
      expect(await failure({ prefix: 'nothing/' })).toMatchObject({
        status: 404,
        msg: expect.stringContaining("prefix 'nothing/' matches none of your files"),
      });
    });

    it('needs a JSON body, a key and POST', async () => {
      const text = await api.handler(
        new Request(`${ORIGIN}/api/zip`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}` },
          body: 'x',
        }),
      );
      expect(text.status).toBe(400);
      expect(((await text.json()) as { msg: string }).msg).toContain('Content-Type: application/json');
      expect((await zip({ keys: ['a'] }, 'wrong-key-0000000000')).status).toBe(401);
      expect((await api.call('/api/zip')).status).toBe(405);
    });

    it('answers 503 naming what failed when the catalog does not answer', async () => {
      const healthy = await apiFixture();
      const broken = Object.assign(Object.create(healthy.catalog), {
        getMany: async () => {
          throw new Error('connection refused');
        },
      });
      const down = await apiFixture({ catalog: broken });
      const response = await down.handler(zipRequest({ keys: ['alice/a.png'] }));
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        code: 'ERR_NETWORK',
        msg: expect.stringContaining('is not answering, so the files could not be looked up'),
      });
      // Closes the catalog (through the prototype) and the store of each.
      await down.dispose();
      await rm(healthy.dir, { recursive: true, force: true });
    });

    it('cuts the stream when a file in storage is not the size the catalog says', async () => {
      const [first] = alice.keys();
      await writeFile(api.store.path(first!), 'short');
      const response = await zip({ keys: [first] });
      expect(response.status).toBe(200);
      await expect(response.arrayBuffer()).rejects.toThrow(`'${first}' in storage is not the`);
      await writeFile(api.store.path(first!), alice.get(first!)!);
    });

    it('cuts the stream and logs the key when a file is gone from storage mid-ZIP', async () => {
      const keys = [...alice.keys()];
      await rm(api.store.path(keys[1]!));
      const response = await zip({ keys });
      expect(response.status).toBe(200);
      await expect(response.arrayBuffer()).rejects.toThrow(
        `'${keys[1]}' is in the catalog but gone from storage`,
      );
      expect(logged).toContainEqual(expect.objectContaining({ key: keys[1] }));
      // The server keeps serving.
      expect((await zip({ keys: [keys[0]] })).status).toBe(200);
    });
  });
});
