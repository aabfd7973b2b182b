/**
 * The tus concatenation extension on the local disk: tus-js-client (unmodified) with `parallelUploads: 3` through the
 * real Node runner ends byte-exact, with a working `Bytedrop-Url`, a catalog record and nothing left of the partials;
 * and request by request, every bad final (unknown, unfinished, foreign, expired partials, a malformed
 * `Upload-Concat`, a PATCH on a final) is answered with the protocol's status and a message that says what to do.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import * as tus from 'tus-js-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bytes as random } from '../../core/test/_support/s3';
import { TUS_TEMP_PREFIX } from '../src/_tus-setup';
import { createSqliteCatalog } from '../src/catalog/sqlite';
import type { Catalog } from '../src/catalog/types';
import { createHandler } from '../src/handler';
import { type RunningServer, serve } from '../src/node';
import { createTusDiskBackend } from '../src/tus-disk';
import { KEY, KEY2, ORIGIN, PNG, SECRET } from './_support/fixtures';
import { SHARED_KEYS } from './_support/rgw-server';

const dir = await mkdtemp(join(tmpdir(), 'bytedrop-tus-concat-'));
let server: RunningServer;
let catalog: Catalog;

beforeAll(async () => {
  const store = createLocalDiskStore({ dir: join(dir, 'files'), publicBaseUrl: 'http://unused.test/f' });
  catalog = await createSqliteCatalog({ file: join(dir, 'catalog.sqlite') });
  server = await serve({
    port: 0,
    hostname: '127.0.0.1',
    uploader: createUploader({ bucket: 'local-disk', keyTemplate: 'tus/{hash:16}.{ext}' }, { store }),
    store,
    files: store,
    keys: SHARED_KEYS,
    secret: SECRET,
    catalog,
    maxFileSize: 4_000_000,
    tus: { backend: createTusDiskBackend({ dir: join(dir, 'files'), prefix: TUS_TEMP_PREFIX }) },
  });
});
afterEach(() => vi.useRealTimers());
afterAll(async () => {
  await server?.close(true);
  await catalog?.close();
  await rm(dir, { recursive: true, force: true });
});

const inFlight = async () =>
  readdir(join(dir, 'files', ...TUS_TEMP_PREFIX.split('/').filter(Boolean))).catch(() => []);

const b64 = (text: string) => Buffer.from(text).toString('base64');
const tusFetch = (
  path: string,
  init: { method: string; headers?: Record<string, string>; body?: Uint8Array },
) =>
  fetch(path.startsWith('http') ? path : `${server.url}${path}`, {
    method: init.method,
    headers: { 'tus-resumable': '1.0.0', authorization: KEY, ...init.headers },
    ...(init.body ? { body: Buffer.from(init.body) } : {}),
  });

/** A partial upload holding `data` (all of it when `sent` is not given); its URL. */
async function partial(data: Uint8Array, sent = data.byteLength, key = KEY): Promise<string> {
  const created = await tusFetch('/tus/', {
    method: 'POST',
    headers: { authorization: key, 'upload-length': String(data.byteLength), 'upload-concat': 'partial' },
  });
  expect(created.status, await created.clone().text()).toBe(201);
  const url = created.headers.get('location')!;
  const patched = await tusFetch(url, {
    method: 'PATCH',
    headers: { authorization: key, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
    body: data.subarray(0, sent),
  });
  expect(patched.status).toBe(204);
  // A partial is never a file by itself: no link.
  expect(patched.headers.get('bytedrop-url')).toBeNull();
  return url;
}

const final = (urls: string[], headers: Record<string, string> = {}) =>
  tusFetch('/tus/', {
    method: 'POST',
    headers: {
      'upload-concat': `final;${urls.join(' ')}`,
      'upload-metadata': `filename ${b64('joined.bin')}`,
      ...headers,
    },
  });

const refusal = async (response: Response) => ({
  status: response.status,
  msg: ((await response.json()) as { msg: string }).msg,
});

describe('tus concatenation on the local disk', () => {
  it('takes tus-js-client with parallelUploads: 3, byte-exact, recorded, nothing left behind', async () => {
    const data = random(3_000_001);
    let link: string | undefined;
    const links: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      const upload = new tus.Upload(Buffer.from(data), {
        endpoint: `${server.url}/tus/`,
        headers: { authorization: `Bearer ${KEY}` },
        metadata: { filename: 'parallel.bin', filetype: 'application/octet-stream' },
        parallelUploads: 3,
        chunkSize: 400_000,
        onAfterResponse(_request, response) {
          const header = response.getHeader('Bytedrop-Url');
          if (header) links.push(header);
          link = header ?? link;
        },
        onError: reject,
        onSuccess: () => resolve(upload.url!),
      });
      upload.start();
    });
    // Only the final's answer carries a link: the partials are not files.
    expect(links).toEqual([link]);
    const served = await fetch(link!.replace('http://unused.test', server.url));
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(Buffer.from(data))).toBe(true);
    const key = link!.split('/f/')[1]!;
    expect(await catalog.get(key)).toMatchObject({
      owner: 'alice',
      filename: 'parallel.bin',
      size: 3_000_001,
    });

    const head = await tusFetch(url, { method: 'HEAD' });
    expect(head.headers.get('upload-concat')).toMatch(
      /^final;\/tus\/[0-9a-f]{32} \/tus\/[0-9a-f]{32} \/tus\/[0-9a-f]{32}$/,
    );
    expect(head.headers.get('upload-length')).toBe('3000001');
    // The final's record stays until the sweep (for GET); of the partials, nothing at all.
    expect(await inFlight()).toEqual([`${url.split('/').pop()}.info`]);
    expect(await catalog.uploads.list('alice', 10)).toEqual([]);
    const answer = await tusFetch(url, { method: 'GET', headers: { accept: 'application/json' } });
    expect(await answer.json()).toMatchObject({ success: true, url: link });
  });

  it('answers HEAD of a partial with Upload-Concat: partial, and GET with 409', async () => {
    const url = await partial(random(10), 4);
    const head = await tusFetch(url, { method: 'HEAD' });
    expect(head.headers.get('upload-concat')).toBe('partial');
    expect(head.headers.get('upload-offset')).toBe('4');
    expect(await refusal(await tusFetch(url, { method: 'GET' }))).toEqual({
      status: 409,
      msg: expect.stringMatching(/is a partial upload .*only inside a final upload/),
    });
    expect(await catalog.uploads.get(url.split('/').pop()!)).toMatchObject({
      kind: 'tus-partial',
      offset: 4,
    });
    await tusFetch(url, { method: 'DELETE' });
  });

  it('refuses a final naming an unfinished, unknown, foreign or plain upload, and keeps the partials', async () => {
    const done = await partial(random(100));
    const unfinished = await partial(random(100), 60);
    expect(await refusal(await final([done, unfinished]))).toEqual({
      status: 400,
      msg: expect.stringMatching(
        /partial upload '[0-9a-f]{32}' is not finished \(60 of 100 bytes.*finish every partial/,
      ),
    });
    expect(await refusal(await final([done, `${server.url}/tus/${'0'.repeat(32)}`]))).toEqual({
      status: 404,
      msg: expect.stringMatching(/no tus upload '0{32}'/),
    });
    const bobs = await partial(random(100), 100, KEY2);
    expect(await refusal(await final([done, bobs]))).toEqual({
      status: 403,
      msg: expect.stringMatching(/belongs to another access key/),
    });
    const plain = await tusFetch('/tus/', { method: 'POST', headers: { 'upload-length': '5' } });
    expect(await refusal(await final([done, plain.headers.get('location')!]))).toEqual({
      status: 400,
      msg: expect.stringMatching(/was not created as a partial upload \(Upload-Concat: partial\)/),
    });
    // Nothing was consumed: the finished partial still makes a file.
    const joined = await final([done]);
    expect(joined.status).toBe(201);
    expect(joined.headers.get('bytedrop-url')).toMatch(/\/f\/tus\//);
    for (const url of [unfinished, bobs, plain.headers.get('location')!]) {
      await tusFetch(url, { method: 'DELETE', headers: url === bobs ? { authorization: KEY2 } : {} });
    }
  });

  it('refuses a final whose partial expired (410), removing it', async () => {
    const url = await partial(random(50));
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 3_600_000 });
    expect(await refusal(await final([url]))).toEqual({
      status: 410,
      msg: expect.stringMatching(/expired at .* and was removed: start it again/),
    });
    vi.useRealTimers();
    expect(await inFlight()).not.toContain(`${url.split('/').pop()}.info`);
  });

  it('refuses a malformed Upload-Concat, a final with a length or a body, and a PATCH on a final', async () => {
    const url = await partial(random(20));
    const cases: [Record<string, string>, number, RegExp][] = [
      [
        { 'upload-concat': 'partly' },
        400,
        /Upload-Concat 'partly' is neither `partial` nor `final;<url> <url> …`/,
      ],
      [{ 'upload-concat': 'final;' }, 400, /names no partial uploads/],
      [
        { 'upload-concat': 'final;/files/abc' },
        400,
        /'\/files\/abc', which is not a tus upload URL of this server/,
      ],
      [{ 'upload-concat': `final;${url} ${url}` }, 400, /names one partial upload twice/],
      [{ 'upload-concat': `final;${url}`, 'upload-length': '20' }, 400, /send no Upload-Length/],
      [
        { 'upload-concat': `final;${url}`, 'content-type': 'application/offset+octet-stream' },
        403,
        /a final upload takes no bytes of its own/,
      ],
    ];
    for (const [headers, status, msg] of cases) {
      expect(await refusal(await tusFetch('/tus/', { method: 'POST', headers }))).toEqual({
        status,
        msg: expect.stringMatching(msg),
      });
    }
    const joined = await final([url]);
    expect(joined.status).toBe(201);
    const patched = await tusFetch(joined.headers.get('location')!, {
      method: 'PATCH',
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '20' },
      body: new Uint8Array(1),
    });
    expect(await refusal(patched)).toEqual({
      status: 403,
      msg: expect.stringMatching(/is a final upload \(Upload-Concat: final\).*takes no PATCH/),
    });
    const options = await fetch(`${server.url}/tus/`, { method: 'OPTIONS' });
    expect(options.headers.get('tus-extension')).toContain('concatenation');
  });
});

it('refuses a final whose bytes are of a type not allowed (415), removing it and its partials', async () => {
  const root = await mkdtemp(join(tmpdir(), 'bytedrop-tus-concat-types-'));
  const store = createLocalDiskStore({ dir: root, publicBaseUrl: `${ORIGIN}/f` });
  const handler = createHandler({
    uploader: createUploader({ bucket: 'local-disk' }, { store }),
    store,
    files: store,
    keys: SHARED_KEYS,
    secret: SECRET,
    allowedTypes: ['image/png'],
    tus: { backend: createTusDiskBackend({ dir: root, prefix: TUS_TEMP_PREFIX }) },
  });
  const ask = (method: string, path: string, headers: Record<string, string>, body?: Uint8Array) =>
    handler(
      new Request(path.startsWith('http') ? path : `${ORIGIN}${path}`, {
        method,
        headers: { 'tus-resumable': '1.0.0', authorization: KEY, ...headers },
        ...(body ? { body: Buffer.from(body) } : {}),
      }),
    );
  const piece = async (data: Uint8Array) => {
    const created = await ask('POST', '/tus/', {
      'upload-length': String(data.byteLength),
      'upload-concat': 'partial',
    });
    const url = created.headers.get('location')!;
    await ask(
      'PATCH',
      url,
      { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
      data,
    );
    return url;
  };
  try {
    // A PNG in two pieces is a file; the same bytes behind a text header are not a PNG any more.
    const half = Math.floor(PNG.byteLength / 2);
    const png = await ask('POST', '/tus/', {
      'upload-concat': `final;${await piece(PNG.subarray(0, half))} ${await piece(PNG.subarray(half))}`,
    });
    expect(png.status).toBe(201);
    const text = new TextEncoder().encode('just some words, not an image');
    const refused = await ask('POST', '/tus/', {
      'upload-concat': `final;${await piece(text.subarray(0, 10))} ${await piece(text.subarray(10))}`,
    });
    expect(refused.status).toBe(415);
    const tusDir = join(root, ...TUS_TEMP_PREFIX.split('/').filter(Boolean));
    // Of the refused final and its partials nothing is left; of the PNG's final only its record.
    expect((await readdir(tusDir)).filter((name) => !name.endsWith('.info'))).toEqual([]);
    expect(await readdir(tusDir)).toHaveLength(1);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
