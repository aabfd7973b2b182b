/**
 * The signing routes (Uppy Companion's `/s3/multipart`) on radosgw: a direct upload lands at a temporary key, the
 * complete call has the server read it back and place it through core; a signed part URL fits one part of one
 * upload only; abort leaves nothing; and every bad input gets its clear answer.
 */
import { describe, expect, it } from 'vitest';
import { useRgw } from '../../core/test/_support/rgw';
import { bytes, getBytes, inspector, MiB, sameBytes } from '../../core/test/_support/s3';
import { KEY2, localFixture, ORIGIN } from './_support/fixtures';
import { rgwHandler } from './_support/rgw-server';
import {
  call,
  complete,
  nothingLeft as left,
  partUrl,
  put,
  q,
  type Started,
  sendParts,
  start,
  TEMP,
} from './_support/s3-sign';

const rgw = useRgw('server-s3-sign');
const nothingLeft = (...started: Started[]) => left(rgw, ...started);

describe('direct multipart uploads signed by the server', () => {
  it('a two-part upload is read back, placed at its content-addressed key, and answered with links', async () => {
    const handler = rgwHandler(rgw, {}, { keyTemplate: 'direct/{hash:16}.{ext}' });
    const data = bytes(5 * MiB + 4321);
    const started = await start(handler);
    expect(started.key.startsWith(TEMP)).toBe(true);
    const parts = await sendParts(handler, started, [data.subarray(0, 5 * MiB), data.subarray(5 * MiB)]);

    const listed = await call(handler, 'GET', `/s3/multipart/${started.uploadId}?${q(started)}`);
    expect(
      ((await listed.json()) as { PartNumber: number; Size: number }[]).map((p) => [p.PartNumber, p.Size]),
    ).toEqual([
      [1, 5 * MiB],
      [2, 4321],
    ]);

    const done = await complete(handler, started, parts);
    expect(done.status).toBe(200);
    const body = (await done.json()) as {
      location: string;
      key: string;
      url: string;
      files: { size: number }[];
    };
    expect(body.key).toMatch(/^direct\/[0-9a-f]{16}\.bin$/);
    expect(body.location).toBe(body.url);
    expect(body.files[0]!.size).toBe(data.byteLength);
    expect(sameBytes(await getBytes(inspector(rgw.direct), rgw.bucket, body.key), data)).toBe(true);
    expect(sameBytes(new Uint8Array(await (await fetch(body.location)).arrayBuffer()), data)).toBe(true);
    await nothingLeft(started);
  });

  it('complete reads the object once and copies that version inside the storage: its bytes never go back up', async () => {
    const handler = rgwHandler(
      rgw,
      {},
      { keyTemplate: 'copied/{hash:16}.{ext}', multipartThreshold: 5 * MiB },
    );
    const data = bytes(5 * MiB + 777);
    const started = await start(handler);
    const parts = await sendParts(handler, started, [data.subarray(0, 5 * MiB), data.subarray(5 * MiB)]);
    const from = rgw.requests.length;
    const done = await complete(handler, started, parts);
    expect(done.status).toBe(200);
    const { key } = (await done.json()) as { key: string };
    const wire = rgw.requests.slice(from);
    const writes = wire.filter((r) =>
      ['PutObject', 'UploadPart', 'CreateMultipartUpload'].includes(r.operation),
    );
    expect(writes.map((r) => r.key)).toEqual([]);
    const copy = wire.find((r) => r.operation === 'CopyObject');
    expect(copy?.key).toBe(key);
    expect(copy?.headers['x-amz-copy-source']).toContain(started.key);
    expect(copy?.headers['x-amz-copy-source-if-match']).toMatch(/^"?[0-9a-f]+-2"?$/);
    expect(sameBytes(await getBytes(inspector(rgw.direct), rgw.bucket, key), data)).toBe(true);
    await nothingLeft(started);
  });

  it('batch signs several parts at once, each URL for its own part', async () => {
    const handler = rgwHandler(rgw);
    const started = await start(handler);
    const response = await call(
      handler,
      'GET',
      `/s3/multipart/${started.uploadId}/batch?${q(started)}&partNumbers=1,2`,
    );
    const { presignedUrls } = (await response.json()) as { presignedUrls: Record<string, string> };
    expect(Object.keys(presignedUrls)).toEqual(['1', '2']);
    expect(new URL(presignedUrls['2']!).searchParams.get('partNumber')).toBe('2');
    expect((await call(handler, 'DELETE', `/s3/multipart/${started.uploadId}?${q(started)}`)).status).toBe(
      200,
    );
    await nothingLeft(started);
  });

  it('a signed part URL fails for another part, another key, and after abort; abort leaves nothing', async () => {
    const handler = rgwHandler(rgw);
    const started = await start(handler);
    const other = await start(handler);
    const url = await partUrl(handler, started, 1);

    const otherPart = new URL(url);
    otherPart.searchParams.set('partNumber', '2');
    expect((await put(otherPart.href, bytes(1024))).status).toBe(403);

    const otherKey = new URL(url);
    otherKey.pathname = otherKey.pathname.replace(started.key, other.key);
    otherKey.searchParams.set('uploadId', other.uploadId);
    expect((await put(otherKey.href, bytes(1024))).status).toBe(403);

    expect((await call(handler, 'DELETE', `/s3/multipart/${started.uploadId}?${q(started)}`)).status).toBe(
      200,
    );
    expect((await put(url, bytes(1024))).status).toBe(404);
    expect((await call(handler, 'DELETE', `/s3/multipart/${other.uploadId}?${q(other)}`)).status).toBe(200);
    await nothingLeft(started, other);
  });

  it('Uppy reaches the routes through a session endpoint; a forged token is refused', async () => {
    const handler = rgwHandler(rgw);
    const session = await call(handler, 'POST', '/s3/session');
    const { companionEndpoint } = (await session.json()) as { companionEndpoint: string };
    expect(companionEndpoint.startsWith(`${ORIGIN}/s3-session/`)).toBe(true);
    const path = new URL(companionEndpoint).pathname;
    const created = await call(handler, 'POST', `${path}/s3/multipart`, { filename: 'a.bin' }, null);
    const started = (await created.json()) as Started;
    expect(started.key.startsWith(TEMP)).toBe(true);
    const forged = await call(
      handler,
      'POST',
      `${path.slice(0, -2)}xx/s3/multipart`,
      { filename: 'a.bin' },
      null,
    );
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { msg: string }).msg).toMatch(/POST \/s3\/session/);
    await call(handler, 'DELETE', `/s3/multipart/${started.uploadId}?${q(started)}`);
    await nothingLeft(started);
  });
});

describe('bad input to the signing routes', () => {
  const msg = async (response: Response) => ((await response.json()) as { msg: string }).msg;

  it('part numbers out of range, or past the size limit', async () => {
    const handler = rgwHandler(rgw, { maxFileSize: 6 * MiB });
    const started = await start(handler);
    for (const number of ['0', '10001', 'abc']) {
      const response = await call(
        handler,
        'GET',
        `/s3/multipart/${started.uploadId}/${number}?${q(started)}`,
      );
      expect(response.status).toBe(400);
      expect(await msg(response)).toMatch(/numbered 1 to 10000/);
    }
    // Part 3 means more than 10 MiB: over the 6 MiB limit before a byte is sent.
    const response = await call(handler, 'GET', `/s3/multipart/${started.uploadId}/3?${q(started)}`);
    expect(response.status).toBe(413);
    await call(handler, 'DELETE', `/s3/multipart/${started.uploadId}?${q(started)}`);
    await nothingLeft(started);
  });

  it('an uploadId of another key, a key outside the prefix, another access key’s upload', async () => {
    const handler = rgwHandler(rgw);
    const a = await start(handler);
    const b = await start(handler);
    const mixed = await call(handler, 'GET', `/s3/multipart/${b.uploadId}/1?${q(a)}`);
    expect(mixed.status).toBe(404);
    expect(await msg(mixed)).toMatch(/is not the upload at/);
    const garbled = await call(handler, 'GET', `/s3/multipart/%E0%A4%A/1?${q(a)}`);
    expect(garbled.status).toBe(404);
    const outside = await call(
      handler,
      'GET',
      `/s3/multipart/${a.uploadId}/1?key=${encodeURIComponent('someone/else.png')}`,
    );
    expect(outside.status).toBe(403);
    expect(await msg(outside)).toMatch(/not a direct upload of this server/);
    const bob = await call(handler, 'GET', `/s3/multipart/${a.uploadId}/1?${q(a)}`, undefined, KEY2);
    expect(bob.status).toBe(403);
    expect(await msg(bob)).toMatch(/belongs to another access key/);
    const bobAbort = await call(handler, 'DELETE', `/s3/multipart/${a.uploadId}?${q(a)}`, undefined, KEY2);
    expect(bobAbort.status).toBe(403);
    for (const started of [a, b])
      await call(handler, 'DELETE', `/s3/multipart/${started.uploadId}?${q(started)}`);
    await nothingLeft(a, b);
  });

  it('complete with a missing part is 400 and the upload stays open for a retry', async () => {
    const handler = rgwHandler(rgw);
    const started = await start(handler);
    const parts = await sendParts(handler, started, [bytes(5 * MiB)]);
    const missing = await complete(handler, started, [...parts, { PartNumber: 2, ETag: '"0123"' }]);
    expect(missing.status).toBe(400);
    expect(await msg(missing)).toMatch(/must have been uploaded/);
    expect((await complete(handler, started, 'nope')).status).toBe(400);
    // A body past 1 MiB is refused before more of it is read; the upload still stays open.
    const huge = await complete(handler, started, [{ PartNumber: 1, ETag: 'x'.repeat(1024 * 1024) }]);
    expect(huge.status).toBe(413);
    expect(await msg(huge)).toMatch(/over 1048576 bytes: send at most 10,000 parts/);
    const done = await complete(handler, started, parts);
    expect(done.status).toBe(200);
    await nothingLeft(started);
  });

  it('a file over the size limit is refused at complete and removed', async () => {
    const handler = rgwHandler(rgw, { maxFileSize: 6 * MiB });
    const started = await start(handler);
    const parts = await sendParts(handler, started, [bytes(5 * MiB), bytes(2 * MiB)]);
    const response = await complete(handler, started, parts);
    expect(response.status).toBe(413);
    // Refused from the assembled size alone: the server never read the 7 MiB back.
    const reads = rgw.requests.filter(
      (r) => r.method === 'GET' && r.url.split('?')[0]!.endsWith(started.key),
    );
    expect(reads).toEqual([]);
    await nothingLeft(started);
  });

  it('a type not allowed: declared at the start, or sniffed from the bytes at complete', async () => {
    const handler = rgwHandler(rgw, { allowedTypes: ['image/*'] });
    const declared = await call(handler, 'POST', '/s3/multipart', {
      filename: 'a.pdf',
      type: 'application/pdf',
    });
    expect(declared.status).toBe(415);
    expect(await msg(declared)).toMatch(/declared application\/pdf/);
    // It claims to be a PNG; the bytes say otherwise, and core reads the bytes.
    const started = await start(handler, 'fake.png', 'image/png');
    const parts = await sendParts(handler, started, [new TextEncoder().encode('%PDF-1.4 not an image')]);
    const response = await complete(handler, started, parts);
    expect(response.status).toBe(415);
    await nothingLeft(started);
  });

  it('single uploads, unknown routes, no key, and a local-disk store get clear answers', async () => {
    const handler = rgwHandler(rgw);
    const params = await call(handler, 'GET', '/s3/params?filename=a.bin&type=x');
    expect(params.status).toBe(400);
    expect(await msg(params)).toMatch(/shouldUseMultipart: true/);
    expect((await call(handler, 'POST', '/s3/multipart', { filename: 'a' }, null)).status).toBe(401);
    expect((await call(handler, 'POST', '/s3/multipart', { type: 'x' })).status).toBe(400);
    const local = await localFixture();
    try {
      const response = await call(local.handler, 'POST', '/s3/multipart', { filename: 'a.bin' });
      expect(response.status).toBe(404);
      expect(await msg(response)).toMatch(/need an S3 store.*local disk/);
    } finally {
      await local.dispose();
    }
  });
});
