/**
 * `createServerUploader` over tus, against a real @bytedrop/server (its Node runner, from source) on s3rver, through
 * a fault proxy: a file above `tusThreshold` goes in chunks of at most `chunkSize` read one at a time, survives a
 * cut chunk, resumes after a reload from the pending journal (a new uploader, the entry's `resumeUrl`), starts over
 * when the server lost the upload, and ends with the same result as a one-request upload. Smaller files still POST.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createSqliteCatalog } from '../../server-adapter/src/catalog/sqlite';
import { type RunningServer, serve } from '../../server-adapter/src/node';
import { isBytedropError } from '../src/errors';
import {
  createPendingJournal,
  finishPendingUpload,
  type PendingHost,
  type PendingStorage,
} from '../src/pending-uploads';
import { createServerUploader, type ServerUploaderOptions } from '../src/server-uploader';
import { createUploader } from '../src/uploader';
import { type FaultProxy, startFaultProxy } from './_support/fault-proxy';
import { bytes, MiB, s3Config } from './_support/s3';

const KEY = 'tus-core-test-key-0123456789';
const READER = 'tus-core-reader-key-01234567';
const SMALL = 'tus-core-small-quota-key-0123';
const CHUNK = 256 * 1024;
const s3 = inject('s3');

let server: RunningServer;
let proxy: FaultProxy;

beforeAll(async () => {
  server = await serve({
    port: 0,
    hostname: '127.0.0.1',
    uploader: createUploader(s3Config(s3, { keyTemplate: 'tus-core/{hash:16}.{ext}' })),
    keys: [
      { name: 'editor', key: KEY },
      { name: 'reader', key: READER, scopes: ['list-own'] },
      { name: 'small', key: SMALL, quota: { bytes: 1024 * 1024 } },
    ],
    secret: 'delete-token-secret-for-tests-0123456789',
    banPolicy: { maxFailures: 1000 },
    // Quotas count what a key stored, which the catalog knows.
    catalog: await createSqliteCatalog({ file: ':memory:' }),
  });
  // The proxy keeps the Host header, so the server's Location points back at the proxy.
  proxy = await startFaultProxy(server.url);
});
beforeEach(() => proxy.reset());
afterAll(async () => {
  await proxy?.close();
  await server?.close(true);
});

/** A fetch that records each request's method, URL and body size, as the uploader hands it over. */
function recordingFetch() {
  const sent: { method: string; url: string; bytes: number }[] = [];
  const send: typeof fetch = (input, init) => {
    const body = init?.body;
    const bytes =
      body instanceof Uint8Array ? body.byteLength : body instanceof Blob ? body.size : body ? -1 : 0;
    sent.push({ method: init?.method ?? 'GET', url: String(input), bytes });
    return fetch(input, init);
  };
  return { sent, send };
}

const uploaderFor = (send: typeof fetch, options: Partial<ServerUploaderOptions> = {}) =>
  createServerUploader({
    url: proxy.endpoint,
    accessKey: KEY,
    fetch: send,
    tusThreshold: MiB,
    chunkSize: CHUNK,
    ...options,
  });

const download = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

/** Pending-journal storage in a Map: what survives a reload. */
function memoryStorage(): PendingStorage & { records: Map<string, string> } {
  const records = new Map<string, string>();
  return {
    records,
    write: async (id, json) => void records.set(id, json),
    delete: async (id) => void records.delete(id),
    list: async () => [...records].map(([id, json]) => ({ id, json })),
  };
}

const blobHost = (data: Uint8Array<ArrayBuffer>): PendingHost => ({
  read: async () => new Blob([data]),
  swap: async () => true,
  removeLocal: async () => {},
});

describe('createServerUploader over tus', () => {
  it('sends a file above tusThreshold in chunks no larger than chunkSize, byte-exact, with the POST result', async () => {
    const data = bytes(3 * MiB + 12_345);
    const { sent, send } = recordingFetch();
    const progress: number[] = [];
    const result = await uploaderFor(send).upload(data, {
      filename: 'big.bin',
      onProgress: (p) => progress.push(p.loaded),
    });

    expect((await download(result.url)).equals(data)).toBe(true);
    expect(result).toMatchObject({ size: data.byteLength, filename: 'big.bin', deduplicated: false });
    expect(result.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(result.deleteUrl).toMatch(/\/files\/.*\?token=/);
    expect(sent.some((request) => request.url.endsWith('/upload'))).toBe(false);
    const patches = sent.filter((request) => request.method === 'PATCH');
    expect(patches).toHaveLength(Math.ceil(data.byteLength / CHUNK));
    // Memory stays flat: no body handed to fetch is larger than one chunk.
    expect(Math.max(...sent.map((request) => request.bytes))).toBe(CHUNK);
    // Every chunk carried its SHA-256, which the server checks (it advertises sha256).
    const seen = proxy.requests.filter((request) => request.method === 'PATCH');
    expect(
      seen.every((request) => /^sha256 [A-Za-z0-9+/]+=*$/.test(String(request.headers['upload-checksum']))),
    ).toBe(true);
    expect(progress.at(-1)).toBe(data.byteLength);
    expect(progress.length).toBeGreaterThan(2);
    // Deleting through the deleteUrl works as for a POSTed file.
    expect((await fetch(result.deleteUrl ?? '', { method: 'DELETE' })).status).toBe(200);
  });

  it('still POSTs a file at or below the threshold, in one request', async () => {
    const data = bytes(MiB);
    const { sent, send } = recordingFetch();
    const result = await uploaderFor(send).upload(data, { filename: 'small.bin' });
    expect(sent.map((request) => [request.method, new URL(request.url).pathname])).toEqual([
      ['POST', '/upload'],
    ]);
    expect((await download(result.url)).equals(data)).toBe(true);
  });

  it('a chunk whose answer is lost (the server took it) or refused (460) is followed by a HEAD and the upload goes on', async () => {
    const data = bytes(2 * MiB);
    proxy.loseAnswer({ method: 'PATCH' }, { nth: 2 });
    proxy.failWith({ method: 'PATCH' }, { status: 460, code: 'ERR_CHECKSUM' }, { nth: 5 });
    const result = await uploaderFor(fetch).upload(data, { filename: 'cut.bin' });
    expect((await download(result.url)).equals(data)).toBe(true);
    const methods = proxy.requests.map((request) => request.method);
    expect(methods.filter((method) => method === 'HEAD')).toHaveLength(2);
    expect(methods.filter((method) => method === 'POST')).toHaveLength(1);
  });

  it('resumes after a reload from the journal entry, from where the server stands, byte-exact', async () => {
    const data = bytes(2 * MiB + 777);
    const storage = memoryStorage();
    const journal = createPendingJournal(storage);
    const entry = await journal.add({
      note: 'note.md',
      file: 'big.bin',
      name: 'big.bin',
      size: data.byteLength,
      text: '![big.bin](big.bin)',
      match: 'text',
      removeLocal: false,
    });
    // The network goes away after the third chunk (the app is closed, the phone loses signal).
    let patches = 0;
    const dying: typeof fetch = async (input, init) => {
      if (init?.method === 'PATCH' && ++patches > 3) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const failed = await finishPendingUpload(journal, entry, uploaderFor(dying), blobHost(data)).catch(
      (error: unknown) => error,
    );
    expect(isBytedropError(failed, 'ERR_NETWORK')).toBe(true);
    const [record] = (await createPendingJournal(storage).open()).entries;
    expect(record?.resumeUrl).toMatch(new RegExp(`^${proxy.endpoint}/tus/[0-9a-f]{32}$`));

    // "Reload": a new journal over the same storage, a new uploader.
    proxy.requests.length = 0;
    const reopened = createPendingJournal(storage);
    const [open] = (await reopened.open()).entries;
    const { sent, send } = recordingFetch();
    const done = await finishPendingUpload(reopened, open!, uploaderFor(send), blobHost(data));
    expect((await download(done.uploaded.url)).equals(data)).toBe(true);
    expect(sent.map((request) => request.method).slice(0, 3)).toEqual(['OPTIONS', 'HEAD', 'PATCH']);
    expect(Number(proxy.requests.find((r) => r.method === 'PATCH')?.headers['upload-offset'])).toBe(
      3 * CHUNK,
    );
    expect(sent.some((request) => request.method === 'POST')).toBe(false);
    expect(storage.records.size).toBe(0);
  });

  it('starts over when the server no longer has the upload (404), and records the new URL', async () => {
    const data = bytes(MiB + 1);
    const gone = `${proxy.endpoint}/tus/${'0'.repeat(32)}`;
    const saved: string[] = [];
    const { sent, send } = recordingFetch();
    const result = await uploaderFor(send).upload(data, {
      filename: 'again.bin',
      resumable: { url: gone, save: async (url) => void saved.push(url) },
    });
    expect((await download(result.url)).equals(data)).toBe(true);
    expect(sent.map((request) => request.method).slice(0, 4)).toEqual(['OPTIONS', 'HEAD', 'POST', 'PATCH']);
    expect(saved).toHaveLength(1);
    expect(saved[0]).not.toBe(gone);
  });

  it('a key without the upload scope is ERR_SCOPE, a quota passed is ERR_QUOTA, a dead server ERR_NETWORK', async () => {
    const data = bytes(MiB + 1);
    const scoped = await uploaderFor(fetch, { accessKey: READER })
      .upload(data, { filename: 'x.bin' })
      .catch((error: unknown) => error);
    expect(isBytedropError(scoped, 'ERR_SCOPE')).toBe(true);
    expect((scoped as Error).message).toMatch(/refused the upload \(HTTP 403 ERR_SCOPE\): .*upload/);

    const over = await uploaderFor(fetch, { accessKey: SMALL })
      .upload(bytes(2 * MiB), { filename: 'y.bin' })
      .catch((error: unknown) => error);
    expect(isBytedropError(over, 'ERR_QUOTA')).toBe(true);
    expect((over as Error).message).toMatch(/quota/);

    const dead = await createServerUploader({ url: 'http://127.0.0.1:9', accessKey: KEY, tusThreshold: 0 })
      .upload(data, { filename: 'z.bin' })
      .catch((error: unknown) => error);
    expect(isBytedropError(dead, 'ERR_NETWORK')).toBe(true);
    // The process keeps serving: a good upload after them all.
    expect((await uploaderFor(fetch).upload(data, { filename: 'ok.bin' })).size).toBe(data.byteLength);
  });

  it('an AbortSignal stops between chunks with ERR_ABORTED; the upload stays resumable from its saved URL', async () => {
    const data = bytes(MiB + 1);
    const controller = new AbortController();
    let saved: string | undefined;
    const aborting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method === 'PATCH') controller.abort();
      return response;
    };
    const error = await uploaderFor(aborting)
      .upload(data, {
        filename: 'stop.bin',
        signal: controller.signal,
        resumable: {
          async save(url) {
            saved = url;
          },
        },
      })
      .catch((failure: unknown) => failure);
    expect(isBytedropError(error, 'ERR_ABORTED')).toBe(true);
    expect(proxy.requests.filter((request) => request.method === 'PATCH')).toHaveLength(1);

    const result = await uploaderFor(fetch).upload(data, {
      filename: 'stop.bin',
      resumable: { url: saved, save: async () => expect.unreachable('the same upload goes on') },
    });
    expect((await download(result.url)).equals(data)).toBe(true);
    expect(proxy.requests.filter((request) => request.method === 'PATCH')).toHaveLength(
      Math.ceil(data.byteLength / CHUNK),
    );
  });

  it('a proxy refusing a chunk for its size (413 without the server JSON) says to raise its limit or lower chunkSize', async () => {
    proxy.failWith({ method: 'PATCH' }, { status: 413, code: 'EntityTooLarge' });
    const error = await uploaderFor(fetch)
      .upload(bytes(MiB + 1), { filename: 'proxied.bin' })
      .catch((failure: unknown) => failure);
    expect(isBytedropError(error, 'ERR_TOO_LARGE')).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(
        `HTTP 413\\): a proxy in front of it refused a request body of ${CHUNK} bytes: .*client_max_body_size.*'chunkSize'`,
      ),
    );
  });

  it('the completing chunk carries the file’s MD5; a resumed upload whose file changed meanwhile is refused and sent again whole', async () => {
    const data = bytes(2 * MiB + 99);
    const saved: string[] = [];
    const resumable = (url?: string) => ({
      ...(url === undefined ? {} : { url }),
      save: async (next: string) => void saved.push(next),
    });
    // The first run dies after three chunks.
    let patches = 0;
    const dying: typeof fetch = async (input, init) => {
      if (init?.method === 'PATCH' && ++patches > 3) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const failed = await uploaderFor(dying)
      .upload(data, { filename: 'edited.bin', resumable: resumable() })
      .catch((error: unknown) => error);
    expect(isBytedropError(failed, 'ERR_NETWORK')).toBe(true);

    // Meanwhile the file changed inside the part the server holds; its size did not.
    const edited = data.slice();
    edited.set([(data[100] ?? 0) ^ 0xff], 100);
    proxy.requests.length = 0;
    const result = await uploaderFor(fetch).upload(edited, {
      filename: 'edited.bin',
      resumable: resumable(saved[0]),
    });
    expect((await download(result.url)).equals(Buffer.from(edited))).toBe(true);
    const whole = createHash('md5').update(edited).digest('base64');
    const completing = proxy.requests.filter((request) => request.headers['bytedrop-content-md5']);
    // The resumed upload's last chunk was refused (460: the server holds the old first part), then a new upload
    // ended with the same MD5, accepted.
    expect(completing.map((request) => [request.headers['bytedrop-content-md5'], request.status])).toEqual([
      [whole, 460],
      [whole, 204],
    ]);
    expect(saved).toHaveLength(2);
    // Only the completing request of each carries it.
    expect(completing.every((request) => request.method === 'PATCH')).toBe(true);
  });

  it('tusThreshold: false sends every file in one request; bad sizes fail at creation with ERR_CONFIG', async () => {
    const data = bytes(2 * MiB);
    const { sent, send } = recordingFetch();
    await uploaderFor(send, { tusThreshold: false }).upload(data, { filename: 'whole.bin' });
    expect(sent.map((request) => request.method)).toEqual(['POST']);
    for (const bad of [{ chunkSize: 0 }, { chunkSize: 1.5 }, { tusThreshold: -1 }]) {
      expect(() => uploaderFor(fetch, bad)).toThrow(
        expect.objectContaining({
          code: 'ERR_CONFIG',
          message: expect.stringMatching(/chunkSize|tusThreshold/),
        }),
      );
    }
  });
});
