/**
 * The tus concatenation extension on radosgw: tus-js-client (unmodified) with `parallelUploads: 3` against two
 * instances of the real Node runner sharing Redis locks (the partials and the final reach either instance), 16 MiB
 * in 5 MiB parts. The file ends byte-exact behind its `Bytedrop-Url`, and of the partials nothing is left: no open
 * multipart upload, no object under the tus prefix but the final's small record.
 */
import type { ChildProcess } from 'node:child_process';
import { createUploader } from '@bytedrop/core';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rgwConfig, useRgw } from '../../core/test/_support/rgw';
import { bytes as random } from '../../core/test/_support/s3';
import { TUS_TEMP_PREFIX } from '../src/_tus-setup';
import { type RunningServer, serve } from '../src/node';
import { createRedisTusLocks, type RedisTusLocks } from '../src/tus-redis-locks';
import { KEY, SECRET } from './_support/fixtures';
import { freePort } from './_support/net';
import { startRedis } from './_support/redis';
import { objectsIn, SHARED_KEYS, uploadsIn } from './_support/rgw-server';

const MiB = 1024 * 1024;
const rgw = useRgw('server-tus-concat');

let redis: ChildProcess;
const locks: RedisTusLocks[] = [];
const servers: RunningServer[] = [];

beforeAll(async () => {
  const port = await freePort();
  redis = await startRedis(port);
  for (let i = 0; i < 2; i++) {
    const lock = createRedisTusLocks({ url: `redis://127.0.0.1:${port}` });
    locks.push(lock);
    const uploader = createUploader(
      rgwConfig(rgw, {
        publicBaseUrl: `${rgw.direct.endpoint}/${rgw.bucket}`,
        partSize: 5 * MiB,
        keyTemplate: 'tus/{hash:16}.{ext}',
      }),
    );
    servers.push(
      await serve({
        port: 0,
        hostname: '127.0.0.1',
        uploader,
        keys: SHARED_KEYS,
        secret: SECRET,
        maxFileSize: 64 * MiB,
        tus: { locks: lock },
      }),
    );
  }
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close(true)));
  await Promise.all(locks.map((lock) => lock.close()));
  redis?.kill();
});

it('assembles tus-js-client parallelUploads: 3 from S3 byte-exact, leaving no partial behind', async () => {
  const data = random(16 * MiB + 12_345);
  const [a, b] = servers as [RunningServer, RunningServer];
  let link: string | undefined;
  let turn = 0;
  let toB = 0;
  const url = await new Promise<string>((resolve, reject) => {
    const upload = new tus.Upload(Buffer.from(data), {
      endpoint: `${a.url}/tus/`,
      headers: { authorization: `Bearer ${KEY}` },
      metadata: { filename: 'parallel.bin', filetype: 'application/octet-stream' },
      parallelUploads: 3,
      chunkSize: 3 * MiB,
      // Every other request goes to the other instance, as a load balancer without stickiness would send them.
      onBeforeRequest(request) {
        if (turn++ % 2 === 1)
          (request as unknown as { _url: string })._url = request.getURL().replace(a.url, b.url);
      },
      onAfterResponse(request, response) {
        if (request.getURL().startsWith(b.url)) toB++;
        link = response.getHeader('Bytedrop-Url') ?? link;
      },
      onError: reject,
      onSuccess: () => resolve(upload.url!),
    });
    upload.start();
  });

  expect(toB).toBeGreaterThan(2);
  const served = await fetch(link!);
  expect(served.status).toBe(200);
  expect(Buffer.from(await served.arrayBuffer()).equals(Buffer.from(data))).toBe(true);
  expect(await uploadsIn(rgw, TUS_TEMP_PREFIX)).toEqual([]);
  expect(await objectsIn(rgw, TUS_TEMP_PREFIX)).toEqual([`${TUS_TEMP_PREFIX}${url.split('/').pop()}.info`]);
  const head = await fetch(url, {
    method: 'HEAD',
    headers: { authorization: KEY, 'tus-resumable': '1.0.0' },
  });
  expect(head.headers.get('upload-concat')?.split(' ')).toHaveLength(3);
});

it('assembles partials smaller than a part (their bytes wait in small objects, no multipart upload)', async () => {
  const data = random(1_000_003);
  let link: string | undefined;
  await new Promise<void>((resolve, reject) => {
    const upload = new tus.Upload(Buffer.from(data), {
      endpoint: `${servers[0]!.url}/tus/`,
      headers: { authorization: `Bearer ${KEY}` },
      metadata: { filename: 'small.bin' },
      parallelUploads: 3,
      onAfterResponse(_request, response) {
        link = response.getHeader('Bytedrop-Url') ?? link;
      },
      onError: reject,
      onSuccess: () => resolve(),
    });
    upload.start();
  });
  const served = await fetch(link!);
  expect(Buffer.from(await served.arrayBuffer()).equals(Buffer.from(data))).toBe(true);
  expect((await objectsIn(rgw, TUS_TEMP_PREFIX)).filter((key) => !key.endsWith('.info'))).toEqual([]);
});
