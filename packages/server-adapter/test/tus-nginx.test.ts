/**
 * tus is how a file larger than nginx's `client_max_body_size` gets through: with the deploy site file set to 10m,
 * a single PUT of the file gets nginx's 413, and tus-js-client in 8 MiB chunks stores it byte-exact (local disk).
 * 48 MiB rather than 200: the point (a body five times the limit) holds, and CI time stays small.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes as random } from '../../core/test/_support/s3';
import { TUS_TEMP_PREFIX } from '../src/_tus-setup';
import { type RunningServer, serve } from '../src/node';
import { createTusDiskBackend } from '../src/tus-disk';
import { KEY, SECRET } from './_support/fixtures';
import { freePort } from './_support/net';
import { type Nginx, startNginx } from './_support/nginx';

const MiB = 1024 * 1024;
const SIZE = 48 * MiB;

describe('tus through nginx with client_max_body_size 10m', () => {
  let dir: string;
  let server: RunningServer;
  let nginx: Nginx;
  const store = () => createLocalDiskStore({ dir, publicBaseUrl: 'http://unused/f' });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-tus-nginx-'));
    // nginx passes `Host $host`, without the port: the server learns its public URL (Location) from serverUrl, as a
    // deployment does from BYTEDROP_SERVER_URL.
    const serverPort = await freePort();
    nginx = await startNginx(serverPort, [
      [/^\s*client_max_body_size \d+m;$/m, '    client_max_body_size 10m;'],
    ]);
    server = await serve({
      port: serverPort,
      serverUrl: `http://127.0.0.1:${nginx.port}`,
      hostname: '127.0.0.1',
      uploader: createUploader({ bucket: 'local-disk', keyTemplate: '{hash:16}.{ext}' }, { store: store() }),
      files: store(),
      keys: [{ name: 'a', key: KEY }],
      secret: SECRET,
      maxFileSize: 64 * MiB,
      trustProxy: { addresses: ['loopback'] },
      tus: { backend: createTusDiskBackend({ dir, prefix: TUS_TEMP_PREFIX }) },
    });
  });
  afterAll(async () => {
    await nginx?.stop();
    await server?.close(true);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses the file as one PUT with 413', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest({
        port: nginx.port,
        host: '127.0.0.1',
        method: 'PUT',
        path: '/upload/big.bin',
        headers: { authorization: `Bearer ${KEY}`, 'content-length': String(SIZE) },
      });
      request.once('response', (response) => {
        response.resume();
        resolve(response.statusCode!);
      });
      request.once('error', reject);
      // nginx answers from the headers alone; no body needs to be sent.
      request.flushHeaders();
    });
    expect(status).toBe(413);
  });

  it('takes it over tus in 8 MiB chunks, byte-exact, with no temp file at nginx', async () => {
    const data = random(SIZE);
    let link: string | undefined;
    await new Promise<void>((resolve, reject) => {
      new tus.Upload(Buffer.from(data.buffer), {
        endpoint: `http://127.0.0.1:${nginx.port}/tus/`,
        headers: { authorization: `Bearer ${KEY}` },
        metadata: { filename: 'big.bin' },
        chunkSize: 8 * MiB,
        retryDelays: null,
        onAfterResponse(_request, response) {
          link = response.getHeader('Bytedrop-Url') ?? link;
        },
        onError: reject,
        onSuccess: () => resolve(),
      }).start();
    });
    const key = new URL(link!).pathname.slice(3);
    const file = await store().read(key);
    const stored = Buffer.from(await new Response(file!.stream).arrayBuffer());
    expect(stored.equals(Buffer.from(data))).toBe(true);
    expect(await readdir(nginx.bodyTemp).catch(() => [])).toEqual([]);
  });
});
