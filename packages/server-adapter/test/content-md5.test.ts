/**
 * A client's Content-MD5 is checked against the bytes it sent, on radosgw: a mismatch is 400 `ERR_CHECKSUM` and
 * nothing is stored (no object, no temporary object, no multipart upload), and the server keeps serving. PUT takes
 * the header; multipart/form-data takes a `Content-MD5` form field right before the file part it describes.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useRgw } from '../../core/test/_support/rgw';
import { bytes as random } from '../../core/test/_support/s3';
import { KEY, ORIGIN } from './_support/fixtures';
import { objectsIn, rgwHandler, uploadsIn } from './_support/rgw-server';

const rgw = useRgw('server-md5');

const md5 = (bytes: Uint8Array<ArrayBuffer>) => createHash('md5').update(bytes).digest('base64');

const put = (name: string, bytes: Uint8Array<ArrayBuffer>, contentMd5?: string) =>
  new Request(`${ORIGIN}/upload/${name}`, {
    method: 'PUT',
    body: bytes,
    headers: { authorization: KEY, ...(contentMd5 === undefined ? {} : { 'content-md5': contentMd5 }) },
  });

/** A handler whose keys start with `prefix`, so each test looks at its own objects. */
const handlerIn = (prefix: string) =>
  rgwHandler(rgw, {}, { keyTemplate: `${prefix}/{name}-{hash:16}.{ext}` });

/** Nothing left: no object under `prefix`, no temporary object, no open multipart upload. */
async function expectNothingUnder(prefix: string) {
  expect(await objectsIn(rgw, `${prefix}/`)).toEqual([]);
  expect(await objectsIn(rgw, '.bytedrop-tmp/')).toEqual([]);
  expect(await uploadsIn(rgw)).toEqual([]);
}

describe('PUT /upload/:name with Content-MD5', () => {
  it('stores the file when the MD5 matches', async () => {
    const bytes = random(1000);
    const response = await handlerIn('put-right')(put('right.bin', bytes, md5(bytes)));
    expect(response.status).toBe(200);
    const { files } = (await response.json()) as { files: { url: string }[] };
    expect(new Uint8Array(await (await fetch(files[0]!.url)).arrayBuffer())).toEqual(bytes);
  });

  it.each([
    ['in memory', 1000],
    // Past the multipart threshold: streamed to a temporary multipart upload while it is hashed.
    ['streamed', 6 * 1024 * 1024],
  ])(
    'answers 400 ERR_CHECKSUM for a wrong MD5 (%s), stores nothing, and keeps serving',
    async (_kind, size) => {
      const handler = handlerIn(`put-wrong-${size}`);
      const bytes = random(size);
      const wrong = md5(random(16));
      const response = await handler(put('wrong.bin', bytes, wrong));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        success: false,
        code: 'ERR_CHECKSUM',
        msg: expect.stringContaining(`does not match its Content-MD5 ${wrong}`),
      });
      await expectNothingUnder(`put-wrong-${size}`);
      const next = await handler(put('next.bin', bytes, md5(bytes)));
      expect(next.status).toBe(200);
    },
  );

  it('answers 400 ERR_INPUT for a Content-MD5 that is no MD5, naming the fix', async () => {
    const response = await handlerIn('put-bad')(put('bad.bin', random(10), 'not-an-md5'));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'ERR_INPUT', msg: /openssl md5 -binary/ });
    await expectNothingUnder('put-bad');
  });
});

/** A multipart POST of `parts`, in order: files, and `Content-MD5` form fields. */
function post(parts: ({ md5: string } | { name: string; bytes: Uint8Array<ArrayBuffer> })[]): Request {
  const form = new FormData();
  for (const part of parts) {
    if ('md5' in part) form.append('Content-MD5', part.md5);
    else form.append('file', new Blob([part.bytes]), part.name);
  }
  return new Request(`${ORIGIN}/upload`, { method: 'POST', body: form, headers: { authorization: KEY } });
}

describe('POST /upload with a Content-MD5 field before a file part', () => {
  it('stores each file whose MD5 matches; a file without a field is not checked', async () => {
    const [a, b, c] = [random(100), random(200), random(300)];
    const response = await handlerIn('post-right')(
      post([
        { md5: md5(a) },
        { name: 'a.bin', bytes: a },
        { name: 'b.bin', bytes: b },
        { md5: md5(c) },
        { name: 'c.bin', bytes: c },
      ]),
    );
    expect(response.status).toBe(200);
    const { files } = (await response.json()) as { files: { url: string }[] };
    expect(files).toHaveLength(3);
    for (const [index, bytes] of [a, b, c].entries()) {
      expect(new Uint8Array(await (await fetch(files[index]!.url)).arrayBuffer())).toEqual(bytes);
    }
  });

  it.each([
    ['in memory', 1000],
    ['streamed', 6 * 1024 * 1024],
  ])(
    'answers 400 ERR_CHECKSUM for a wrong MD5 (%s), stores nothing, and keeps serving',
    async (_kind, size) => {
      const handler = handlerIn(`post-wrong-${size}`);
      const bytes = random(size);
      const response = await handler(post([{ md5: md5(random(1)) }, { name: 'wrong.bin', bytes }]));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        code: 'ERR_CHECKSUM',
        msg: /'wrong\.bin' does not match/,
      });
      await expectNothingUnder(`post-wrong-${size}`);
      expect((await handler(post([{ md5: md5(bytes) }, { name: 'ok.bin', bytes }]))).status).toBe(200);
    },
  );

  it('answers 400 ERR_INPUT for a Content-MD5 field that no file part follows, naming the fix', async () => {
    const a = random(10);
    for (const parts of [
      [{ name: 'a.bin', bytes: a }, { md5: md5(a) }],
      [{ md5: md5(a) }, { md5: md5(a) }, { name: 'a.bin', bytes: a }],
    ]) {
      const response = await handlerIn('post-stray')(post(parts));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        code: 'ERR_INPUT',
        msg: expect.stringContaining('right before the file part it is for'),
      });
      await expectNothingUnder('post-stray');
    }
  });
});
