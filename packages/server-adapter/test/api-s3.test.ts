/**
 * The catalog routes that read objects, on radosgw (the real S3 protocol): `POST /api/zip` streams each object
 * with GetObject and `unzip` gets the stored bytes back; `POST /api/links` answers a presigned GET that works
 * without a key, with Range and the download disposition, and stops working once its signature is changed.
 */
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRgw } from '../../core/test/_support/rgw';
import { inspector } from '../../core/test/_support/s3';
import { createSqliteCatalog } from '../src/catalog/sqlite';
import type { Catalog } from '../src/catalog/types';
import type { BytedropHandler } from '../src/handler';
import { body, KEY, ORIGIN, PNG, uploadRequest } from './_support/fixtures';
import { rgwHandler } from './_support/rgw-server';
import { digests, unzipped, uploadSome, zipRequest } from './_support/zip';

const rgw = useRgw('server-api');

let catalog: Catalog;
let handler: BytedropHandler;
let stored: Map<string, Uint8Array>;
beforeAll(async () => {
  catalog = await createSqliteCatalog({ file: ':memory:' });
  handler = rgwHandler(rgw, { catalog }, { keyTemplate: 'api/{name}-{hash:16}.{ext}' });
  stored = await uploadSome(handler, 3, 300_000);
});
afterAll(() => catalog.close());

/** The answer of `POST /api/links` (or its error). */
type LinkAnswer = { url: string; msg: string } & Record<string, unknown>;

const link = async (json: unknown) => {
  const response = await handler(
    new Request(`${ORIGIN}/api/links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(json),
    }),
  );
  return { status: response.status, body: (await response.json()) as LinkAnswer };
};

describe('the catalog API on S3', () => {
  it('zips objects read with GetObject, one at a time, to the bytes stored', async () => {
    const response = await handler(zipRequest({ keys: [...stored.keys()] }));
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(Number(response.headers.get('content-length'))).toBe(bytes.byteLength);
    expect(digests(await unzipped(bytes))).toEqual(digests(stored));
    const reads = rgw.requests.filter((request) => request.operation === 'GetObject');
    expect(reads.map((request) => request.key)).toEqual([...stored.keys()]);
  });

  it('answers a presigned GET: no key needed, Range works, download asks for an attachment', async () => {
    // A PNG: an inert type, which storage serves inline unless the link asks for a download.
    const uploaded = await body(
      await handler(uploadRequest([{ name: 'pic.png', body: PNG, type: 'image/png' }])),
    );
    const key = uploaded.files[0]!.key;
    const inline = await link({ key, expiresIn: 600 });
    expect(inline.status).toBe(200);
    expect(inline.body.url).toContain('X-Amz-Signature=');
    expect(inline.body.url).toContain('X-Amz-Expires=600');
    const part = await fetch(inline.body.url, { headers: { range: 'bytes=1-3' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('PNG');
    expect(part.headers.get('content-disposition')).toBeNull();

    const download = await link({ key, expiresIn: 600, download: true });
    const whole = await fetch(download.body.url);
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(PNG);
    expect(whole.headers.get('content-disposition')).toMatch(/^attachment; filename="pic-[0-9a-f]+\.png"/);
    const forged = download.body.url.replace(
      /X-Amz-Signature=[0-9a-f]/,
      (m) => `${m.slice(0, -1)}${m.endsWith('0') ? '1' : '0'}`,
    );
    expect((await fetch(forged)).status).toBe(403);
  });

  it('answers a private upload with a presigned link to its object under the private prefix', async () => {
    const response = await handler(
      uploadRequest([{ name: 'secret.png', body: PNG, type: 'image/png' }], {
        authorization: `Bearer ${KEY}`,
        'bytedrop-private': 'true',
      }),
    );
    const file = (await body(response)).files[0]!;
    expect(file.key).toMatch(/^private\/api\//);
    expect(file.url).toContain('X-Amz-Signature=');
    expect(file.url).toContain('X-Amz-Expires=3600');
    expect(new Uint8Array(await (await fetch(file.url)).arrayBuffer())).toEqual(PNG);
  });

  it('stores a tus upload with private metadata under the private prefix, answering a presigned link', async () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const created = await handler(
      new Request(`${ORIGIN}/tus/`, {
        method: 'POST',
        headers: {
          'tus-resumable': '1.0.0',
          authorization: `Bearer ${KEY}`,
          'upload-length': String(PNG.byteLength),
          'upload-metadata': `filename ${b64('tus.png')},private ${b64('true')}`,
        },
      }),
    );
    expect(created.status).toBe(201);
    const patched = await handler(
      new Request(created.headers.get('location')!, {
        method: 'PATCH',
        headers: {
          'tus-resumable': '1.0.0',
          authorization: `Bearer ${KEY}`,
          'content-type': 'application/offset+octet-stream',
          'upload-offset': '0',
        },
        body: PNG,
      }),
    );
    expect(patched.status).toBe(204);
    const url = patched.headers.get('bytedrop-url')!;
    expect(new URL(url).pathname).toMatch(/\/private\/api\//);
    expect(url).toContain('X-Amz-Signature=');
  });

  it('cuts the ZIP when an object is gone from the bucket', async () => {
    const keys = [...stored.keys()];
    await inspector(rgw.direct).send(new DeleteObjectCommand({ Bucket: rgw.bucket, Key: keys[2] }));
    const response = await handler(zipRequest({ keys }));
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow('gone from storage');
  });
});
