/**
 * The server uploads with core's `putFirst`: it holds the body already, so on a store that refuses a create-only
 * PUT to a taken key (radosgw, declared so) a fresh upload is one PutObject and no HEAD, and a taken key is HEADed
 * only after its 412 and judged by the full-hash identity, as the wire through the fault proxy shows.
 */
import { createUploader } from '@bytedrop/core';
import { describe, expect, it } from 'vitest';
import { rgwConfig, useRgw } from '../../core/test/_support/rgw';
import { bytes as random } from '../../core/test/_support/s3';
import { createHandler } from '../src/handler';
import { body, KEY, KEY2, ORIGIN, SECRET } from './_support/fixtures';
import { SHARED_KEYS } from './_support/rgw-server';

const rgw = useRgw('server-put-first');

function handler() {
  const uploader = createUploader(
    rgwConfig(rgw, { publicBaseUrl: `${rgw.direct.endpoint}/${rgw.bucket}`, keyTemplate: 'pf/{name}.{ext}' }),
    { conditionalWrites: { enforced: true } },
  );
  return createHandler({ uploader, keys: SHARED_KEYS, secret: SECRET });
}

async function upload(app: ReturnType<typeof handler>, key: string, bytes: Uint8Array<ArrayBuffer>) {
  const form = new FormData();
  form.append('file', new Blob([bytes]), 'x.bin');
  const response = await app(
    new Request(`${ORIGIN}/upload`, { method: 'POST', body: form, headers: { authorization: key } }),
  );
  expect(response.status).toBe(200);
  return (await body(response)).files[0]!;
}

/** The requests about uploaded keys from the `from`th on, as `Operation status key`. */
const wire = (from: number) =>
  rgw.requests
    .slice(from)
    .filter((request) => request.key?.startsWith('pf/'))
    .map((request) => `${request.operation} ${request.status} ${request.key}`);

describe('the server PUTs first where the store refuses writes to taken keys (radosgw)', () => {
  it('fresh: one PUT; same bytes again: 412, HEAD, deduplicated; other bytes: the next key', async () => {
    const app = handler();
    const mine = random(700);
    const first = await upload(app, KEY, mine);
    expect(wire(0)).toEqual(['PutObject 200 pf/x.bin']);

    let from = rgw.requests.length;
    const again = await upload(app, KEY2, mine);
    expect(again).toMatchObject({ key: 'pf/x.bin', deduplicated: true, deleteUrl: null });
    expect(wire(from)).toEqual(['PutObject 412 pf/x.bin', 'HeadObject 200 pf/x.bin']);

    from = rgw.requests.length;
    const other = await upload(app, KEY, random(700));
    expect(other).toMatchObject({ key: 'pf/x-1.bin', deduplicated: false });
    expect(wire(from)).toEqual([
      'PutObject 412 pf/x.bin',
      'HeadObject 200 pf/x.bin',
      'PutObject 200 pf/x-1.bin',
    ]);
    expect(first.deleteUrl).toMatch(/\?token=/);
  });
});
