/**
 * Requests to the tus endpoint for tests: a request with the protocol header and the test key, a creation that
 * answers the upload's path, a PATCH at an offset, and what an upload left in a radosgw bucket.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { RgwHarness } from '../../../core/test/_support/rgw';
import type { BytedropHandler } from '../../src/handler';
import { KEY, ORIGIN } from './fixtures';
import { objectsIn, uploadsIn } from './rgw-server';

/** Where tus uploads wait on S3. */
export const TUS = '.bytedrop-tmp/server/tus/';

export const b64 = (text: string) => Buffer.from(text).toString('base64');
/** An `Upload-Checksum` value. */
export const sum = (algorithm: 'sha1' | 'sha256', data: Uint8Array) =>
  `${algorithm} ${createHash(algorithm).update(data).digest('base64')}`;

export function tusRequest(
  path: string,
  init: { method: string; headers?: Record<string, string>; body?: BodyInit },
) {
  return new Request(`${ORIGIN}${path}`, {
    method: init.method,
    headers: { 'tus-resumable': '1.0.0', authorization: KEY, ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
    // A stream body is sent as it is read.
    ...(init.body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}

/** Creates an upload of `length` bytes named big.bin; its path. */
export const create = async (
  handler: BytedropHandler,
  length: number,
  headers: Record<string, string> = {},
) => {
  const response = await handler(
    tusRequest('/tus/', {
      method: 'POST',
      headers: {
        'upload-length': String(length),
        'upload-metadata': `filename ${b64('big.bin')}`,
        ...headers,
      },
    }),
  );
  expect(response.status, await response.clone().text()).toBe(201);
  return new URL(response.headers.get('location')!).pathname;
};

export const patch = (
  handler: BytedropHandler,
  path: string,
  offset: number,
  body: BodyInit,
  headers: Record<string, string> = {},
) =>
  handler(
    tusRequest(path, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/offset+octet-stream',
        'upload-offset': String(offset),
        ...headers,
      },
      body,
    }),
  );

/** What an upload left besides its record (kept until the sweep, for GET). */
export const leftovers = async (rgw: RgwHarness, path: string) => {
  const prefix = `${TUS}${path.split('/').pop()}`;
  return {
    objects: (await objectsIn(rgw, prefix)).filter((key) => !key.endsWith('.info')),
    uploads: await uploadsIn(rgw, prefix),
  };
};

/** Everything an upload left, its record included. */
export const everything = async (rgw: RgwHarness, path: string) => {
  const prefix = `${TUS}${path.split('/').pop()}`;
  return [...(await objectsIn(rgw, prefix)), ...(await uploadsIn(rgw, prefix))];
};
