/**
 * tus-js-client (Node, unmodified) against the real Node runner on radosgw, through a fault proxy the test controls:
 * a 50 MiB upload whose connection is cut at 40 % resumes and ends byte-exact; data with the creation, a deferred
 * length, and per-chunk checksums (sent from the client's own `onBeforeRequest` hook) work too.
 */
import { createHash } from 'node:crypto';
import { createUploader } from '@bytedrop/core';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../../core/test/_support/fault-proxy';
import { rgwConfig, useRgw } from '../../core/test/_support/rgw';
import { getBytes, inspector, bytes as random } from '../../core/test/_support/s3';
import { type RunningServer, serve } from '../src/node';
import { KEY, SECRET } from './_support/fixtures';
import { SHARED_KEYS, uploadsIn } from './_support/rgw-server';

const MiB = 1024 * 1024;
const rgw = useRgw('server-tus-client');

let server: RunningServer;
let proxy: FaultProxy;

beforeAll(async () => {
  const uploader = createUploader(
    rgwConfig(rgw, {
      publicBaseUrl: `${rgw.direct.endpoint}/${rgw.bucket}`,
      partSize: 5 * MiB,
      keyTemplate: 'tus/{hash:16}.{ext}',
    }),
  );
  server = await serve({
    port: 0,
    hostname: '127.0.0.1',
    uploader,
    keys: SHARED_KEYS,
    secret: SECRET,
    maxFileSize: 64 * MiB,
  });
  // The proxy keeps the Host header, so the server's Location points back at the proxy: every request goes through it.
  proxy = await startFaultProxy(server.url);
});

beforeEach(() => proxy.reset());

afterAll(async () => {
  await proxy?.close();
  await server?.close(true);
});

interface Sent {
  url: string;
  /** The `Bytedrop-Url` of the answer that finished the upload. */
  link: string | undefined;
}

/** Runs tus-js-client to the end; `hooks` may add options (a checksum hook, a chunk size). */
function send(data: Uint8Array, options: Partial<tus.UploadOptions> = {}): Promise<Sent> {
  let link: string | undefined;
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
      endpoint: `${proxy.endpoint}/tus/`,
      headers: { authorization: `Bearer ${KEY}` },
      metadata: { filename: 'big.bin', filetype: 'application/octet-stream' },
      // Retries follow the client's own defaults in kind (423/409 included); short, so a resume is quick.
      retryDelays: [0, 50, 100, 200, 400, 800, 1000, 1000, 1000, 1000],
      onAfterResponse(_request, response) {
        link = response.getHeader('Bytedrop-Url') ?? link;
      },
      onError: reject,
      onSuccess: () => resolve({ url: upload.url!, link }),
      ...options,
    });
    upload.start();
  });
}

const keyOf = (link: string) => new URL(link).pathname.split('/').slice(2).join('/');

const stored = async (link: string) =>
  Buffer.from(await getBytes(inspector(rgw.direct), rgw.bucket, keyOf(link)));

describe('tus-js-client against the server', () => {
  it('resumes 50 MiB after the connection is cut at 40 %, byte-exact', async () => {
    const data = random(50 * MiB);
    const sending = send(data);
    const patch = await proxy.seen('Unknown', { method: 'PATCH' });
    await proxy.forwarded(patch, 0.4 * data.byteLength);
    const outage = await proxy.outage('reset');
    await outage.end();
    const { url, link } = await sending;

    expect(link).toBeDefined();
    expect((await stored(link!)).equals(Buffer.from(data))).toBe(true);
    // What the cut lost is sent again, and not much more: the server kept what arrived before it.
    const patched = proxy.requests
      .filter((r) => r.method === 'PATCH')
      .reduce((n, r) => n + r.bytesForwarded, 0);
    expect(patched).toBeLessThan(data.byteLength * 1.1);
    expect(proxy.requests.filter((r) => r.method === 'PATCH').length).toBeGreaterThan(1);

    const answer = await fetch(url, {
      headers: { authorization: KEY, 'tus-resumable': '1.0.0', accept: 'application/json' },
    });
    expect(await answer.json()).toMatchObject({
      success: true,
      url: link,
      files: [{ size: data.byteLength }],
    });
    expect(await uploadsIn(rgw, `.bytedrop-tmp/server/tus/${url.split('/').pop()}`)).toEqual([]);
  });

  it('sends the data with the creation (uploadDataDuringCreation)', async () => {
    const data = random(7 * MiB);
    const { link } = await send(data, { uploadDataDuringCreation: true });
    expect(proxy.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
    expect((await stored(link!)).equals(Buffer.from(data))).toBe(true);
  });

  it('defers the length (uploadLengthDeferred)', async () => {
    const data = random(7 * MiB);
    const { link } = await send(data, { uploadLengthDeferred: true, chunkSize: 3 * MiB });
    expect(proxy.requests.find((r) => r.method === 'POST')?.headers['upload-defer-length']).toBe('1');
    expect((await stored(link!)).equals(Buffer.from(data))).toBe(true);
  });

  it('checks each chunk against its Upload-Checksum (sha1 and sha256)', async () => {
    const data = random(7 * MiB);
    const chunkSize = 3 * MiB;
    for (const algorithm of ['sha1', 'sha256'] as const) {
      let corrupt = algorithm === 'sha256';
      const { link } = await send(data, {
        chunkSize,
        onBeforeRequest(request) {
          if (request.getMethod() !== 'PATCH') return;
          const offset = Number(request.getHeader('Upload-Offset'));
          const chunk = data.subarray(offset, offset + chunkSize);
          // One wrong checksum: the server answers 460 and keeps nothing; the client retries the chunk.
          const digest = createHash(algorithm)
            .update(corrupt ? chunk.subarray(1) : chunk)
            .digest('base64');
          corrupt = false;
          request.setHeader('Upload-Checksum', `${algorithm} ${digest}`);
        },
        // tus-js-client retries no 4xx but 409 and 423 by itself; a 460 is worth sending the chunk again.
        onShouldRetry: (error) => error.originalResponse?.getStatus() === 460,
      });
      expect((await stored(link!)).equals(Buffer.from(data))).toBe(true);
    }
    expect(proxy.requests.filter((r) => r.status === 460)).toHaveLength(1);
  });
});
