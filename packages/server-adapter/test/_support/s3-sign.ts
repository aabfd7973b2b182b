/** Calls of the signing routes for tests: start, sign, PUT the parts as a browser does, complete, and look. */
import { expect } from 'vitest';
import type { RgwHarness } from '../../../core/test/_support/rgw';
import type { BytedropHandler } from '../../src/handler';
import { KEY, ORIGIN } from './fixtures';
import { objectsIn, uploadsIn } from './rgw-server';

/** Where direct uploads wait. */
export const TEMP = '.bytedrop-tmp/server/s3/';

export const call = (
  handler: BytedropHandler,
  method: string,
  path: string,
  body?: unknown,
  key: string | null = KEY,
) =>
  handler(
    new Request(`${ORIGIN}${path}`, {
      method,
      headers: {
        ...(key === null ? {} : { authorization: `Bearer ${key}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );

export interface Started {
  key: string;
  uploadId: string;
}

export async function start(
  handler: BytedropHandler,
  filename = 'big.bin',
  type = 'application/octet-stream',
) {
  const response = await call(handler, 'POST', '/s3/multipart', { filename, type, metadata: { a: 1 } });
  expect(response.status).toBe(200);
  return (await response.json()) as Started;
}

export const q = (started: Started) => `key=${encodeURIComponent(started.key)}`;

export async function partUrl(
  handler: BytedropHandler,
  started: Started,
  number: number,
  key = KEY,
): Promise<string> {
  const response = await call(
    handler,
    'GET',
    `/s3/multipart/${started.uploadId}/${number}?${q(started)}`,
    undefined,
    key,
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { url: string }).url;
}

/** Sends `data` to a presigned part URL the way a browser does: a plain PUT. */
export const put = (url: string, data: Uint8Array) => fetch(url, { method: 'PUT', body: Buffer.from(data) });

export async function sendParts(handler: BytedropHandler, started: Started, parts: Uint8Array[], key = KEY) {
  const sent: { PartNumber: number; ETag: string }[] = [];
  for (const [index, data] of parts.entries()) {
    const response = await put(await partUrl(handler, started, index + 1, key), data);
    expect(response.status).toBe(200);
    sent.push({ PartNumber: index + 1, ETag: response.headers.get('etag')! });
  }
  return sent;
}

export const complete = (handler: BytedropHandler, started: Started, parts: unknown, key: string = KEY) =>
  call(handler, 'POST', `/s3/multipart/${started.uploadId}/complete?${q(started)}`, { parts }, key);

/** Nothing of these direct uploads is left: no temporary object, no record, no open multipart upload. */
export async function nothingLeft(rgw: RgwHarness, ...started: Started[]) {
  for (const { key } of started) {
    expect(await objectsIn(rgw, key)).toEqual([]);
    expect(await uploadsIn(rgw, key)).toEqual([]);
  }
}
