/**
 * Private files on the local disk: a `private` form field, a `Bytedrop-Private` header or a key's `"private": true`
 * stores the upload under the private prefix; `/f/` serves it only through a signed link; the upload answer carries
 * a signed link instead of the public one, and the catalog API shows `private: true` without a URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeysFile } from '../src/auth';
import { serverSettingsFromEnv } from '../src/settings';
import { ADMIN_KEY, type ApiFixture, apiFixture } from './_support/api';
import { body, KEY, ORIGIN, PNG } from './_support/fixtures';

const SECRETIVE = 'carol-access-key-00004';

let api: ApiFixture;
beforeAll(async () => {
  api = await apiFixture({
    keys: [
      { name: 'alice', key: KEY, prefix: 'alice/' },
      { name: 'carol', key: SECRETIVE, private: true },
      { name: 'root', key: ADMIN_KEY, admin: true },
    ],
  });
});
afterAll(() => api.dispose());

const upload = async (headers: Record<string, string> = {}, key = KEY, field?: string) => {
  const form = new FormData();
  if (field !== undefined) form.append('private', field);
  form.append('file', new Blob([PNG], { type: 'image/png' }), 'pic.png');
  const response = await api.handler(
    new Request(`${ORIGIN}/upload`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${key}`, ...headers },
    }),
  );
  return { status: response.status, ...(await body(response)) };
};

describe('private files', () => {
  it('stores a private upload under the private prefix, answers a signed link, and /f/ refuses it without one', async () => {
    const answer = await upload({ 'bytedrop-private': 'true' });
    expect(answer.status).toBe(200);
    const file = answer.files[0]!;
    expect(file.key).toMatch(/^private\/alice\//);
    expect(file.url).toMatch(/\?expires=\d+&sig=/);
    expect(file.markdown).toContain(file.url);
    const signed = await api.handler(new Request(file.url));
    expect(signed.status).toBe(200);
    expect(new Uint8Array(await signed.arrayBuffer())).toEqual(PNG);

    const bare = await api.handler(new Request(`${ORIGIN}/f/${file.key}`));
    expect(bare.status).toBe(403);
    expect(await bare.json()).toMatchObject({
      code: 'ERR_FORBIDDEN',
      msg: `'${file.key}' is a private file: open it through a signed link (its owner asks POST /api/links for one)`,
    });
  });

  it('takes a private form field before the file part', async () => {
    const answer = await upload({}, KEY, 'yes');
    expect(answer.files[0]!.key).toMatch(/^private\/alice\//);
  });

  it('keeps the same bytes public and private in two objects: dedupe never crosses the prefix', async () => {
    const open = await upload();
    const hidden = await upload({ 'bytedrop-private': '1' });
    expect(open.files[0]!.key).toMatch(/^alice\//);
    expect(hidden.files[0]!.key).toBe(`private/${open.files[0]!.key}`);
    expect((await api.handler(new Request(open.files[0]!.url))).status).toBe(200);
  });

  it('makes a private key’s uploads private unless the request says false', async () => {
    expect((await upload({}, SECRETIVE)).files[0]!.key).toMatch(/^private\//);
    expect((await upload({ 'bytedrop-private': 'false' }, SECRETIVE)).files[0]!.key).not.toMatch(
      /^private\//,
    );
  });

  it('lists a private file with private: true and no URL; POST /api/links signs one', async () => {
    const { key } = (await upload({ 'bytedrop-private': 'on' })).files[0]!;
    const listed = await api.call(`/api/files/${key}`);
    expect(listed.body.file).toMatchObject({ key, private: true, url: null });
  });

  it.each([
    [
      'header',
      { 'bytedrop-private': 'maybe' },
      undefined,
      "Bytedrop-Private header 'maybe' is not a boolean",
    ],
    ['form field', {}, 'sure', "private form field 'sure' is not a boolean"],
  ])('refuses a %s that is not a boolean with 400 naming it', async (_, headers, field, message) => {
    const answer = await upload(headers, KEY, field);
    expect(answer).toMatchObject({ status: 400, code: 'ERR_INPUT' });
    expect(answer.msg).toContain(message);
    expect(answer.msg).toContain('send true to store the file private');
  });

  it('reads "private" from a keys file, and refuses one that is not a boolean', () => {
    expect(parseKeysFile('[{"name":"c","key":"k","private":true}]')).toEqual([
      { name: 'c', key: 'k', private: true },
    ]);
    expect(() => parseKeysFile('[{"name":"c","key":"k","private":"yes"}]')).toThrow(
      `keys file entry 'c': "private" must be true or false`,
    );
  });

  it('takes the private prefix from PRIVATE_PREFIX', () => {
    expect(serverSettingsFromEnv({ PRIVATE_PREFIX: 'hidden/' }).privatePrefix).toBe('hidden/');
    expect(serverSettingsFromEnv({}).privatePrefix).toBeUndefined();
  });

  it('takes the header on PUT too', async () => {
    const response = await api.handler(
      new Request(`${ORIGIN}/upload/pic.png`, {
        method: 'PUT',
        body: PNG,
        headers: { authorization: `Bearer ${KEY}`, 'bytedrop-private': 'true' },
      }),
    );
    expect((await body(response)).files[0]!.key).toMatch(/^private\/alice\//);
  });
});
