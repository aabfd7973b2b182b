/**
 * A storage quota on radosgw, the real S3: an upload big enough to go multipart is cut in its middle when it passes
 * the key's quota, after parts were already sent, and the multipart upload is aborted (ListMultipartUploads shows
 * none), with no object left, as for an over-size upload. A tus upload of deferred length is cut the same way, and
 * ended whole.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRgw } from '../../core/test/_support/rgw';
import { bytes as random } from '../../core/test/_support/s3';
import { addKey } from '../src/_key-actions';
import { createSqliteCatalog } from '../src/catalog/sqlite';
import type { Catalog } from '../src/catalog/types';
import { ORIGIN } from './_support/fixtures';
import { objectsIn, rgwHandler, uploadsIn } from './_support/rgw-server';

const rgw = useRgw('server-quota');
const MiB = 1024 * 1024;

let catalog: Catalog;
beforeAll(async () => {
  catalog = await createSqliteCatalog({ file: ':memory:' });
});
afterAll(() => catalog.close());

/** Waits (for the uploader's request, not for a time) until radosgw has a multipart upload open; how many. */
async function openUploadSeen(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const open = await uploadsIn(rgw);
    if (open.length > 0) return open.length;
    await sleep(25);
  }
  return 0;
}

describe('a byte quota on radosgw', () => {
  /** A key that may upload and store 12 MiB in all. */
  const keyOf12MiB = (name: string) =>
    addKey(catalog, {
      name,
      prefix: null,
      scopes: ['upload'],
      quotaBytes: 12 * MiB,
      quotaFiles: null,
      perHour: null,
      perDay: null,
      expiresAt: null,
    });

  it('cuts a multipart upload mid-stream, aborts it (no parts, no object) and answers 413 ERR_QUOTA', async () => {
    const handler = rgwHandler(rgw, { catalog }, { partSize: 5 * MiB, queueSize: 1 });
    const { secret } = await keyOf12MiB('capped');
    let sent = 0;
    let openMidStream = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        // Past two parts' worth: the multipart upload is under way in storage when the cut comes.
        if (sent === 11 * MiB) openMidStream = await openUploadSeen();
        if (sent >= 20 * MiB) return controller.close();
        sent += MiB;
        controller.enqueue(random(MiB));
      },
    });
    const response = await handler(
      new Request(`${ORIGIN}/upload/big.bin`, {
        method: 'PUT',
        body,
        headers: { authorization: `Bearer ${secret}` },
        duplex: 'half',
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      code: 'ERR_QUOTA',
      msg: expect.stringContaining(
        "'big.bin' would pass the storage quota of access key 'capped': 0 B of 12.58 MB used",
      ),
    });
    expect(openMidStream).toBe(1);
    expect(sent).toBeLessThan(20 * MiB);
    expect(await uploadsIn(rgw)).toEqual([]);
    expect(await objectsIn(rgw)).toEqual([]);
    expect((await catalog.usage('capped', new Date(0))).files).toBe(0);
  });

  it('cuts a tus PATCH of deferred length at the quota and ends the upload: its multipart upload aborted', async () => {
    const handler = rgwHandler(rgw, { catalog, tus: { partSize: 5 * MiB } });
    const { secret } = await keyOf12MiB('deferred');
    const tus = (path: string, headers: Record<string, string>, body?: BodyInit) =>
      handler(
        new Request(`${ORIGIN}${path}`, {
          method: body === undefined ? 'POST' : 'PATCH',
          headers: { authorization: `Bearer ${secret}`, 'tus-resumable': '1.0.0', ...headers },
          ...(body === undefined ? {} : { body, duplex: 'half' }),
        } as RequestInit),
      );
    const created = await tus('/tus/', { 'upload-defer-length': '1' });
    const path = new URL(created.headers.get('location')!).pathname;
    const chunk = { 'content-type': 'application/offset+octet-stream' };
    expect((await tus(path, { ...chunk, 'upload-offset': '0' }, random(6 * MiB))).status).toBe(204);
    expect(await uploadsIn(rgw)).toHaveLength(1);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 10 * MiB) return controller.close();
        sent += MiB;
        controller.enqueue(random(MiB));
      },
    });
    const refused = await tus(path, { ...chunk, 'upload-offset': String(6 * MiB) }, body);
    expect(refused.status).toBe(413);
    expect(await refused.json()).toMatchObject({
      code: 'ERR_QUOTA',
      msg: expect.stringMatching(
        /'upload' would pass the storage quota of access key 'deferred'.*was removed/,
      ),
    });
    expect(sent).toBeLessThan(10 * MiB);
    expect(await uploadsIn(rgw)).toEqual([]);
    expect(await objectsIn(rgw)).toEqual([]);
  });
});
