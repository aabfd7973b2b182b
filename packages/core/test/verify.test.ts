/**
 * The bytes stored are the bytes sent, on radosgw: a file that changes between the hash and the upload (even with
 * its size and mtime put back) is refused before the upload completes, and a client's Content-MD5 is checked.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WORKER_MIN_BYTES } from '../src/node/_file-digest';
import { openFile } from '../src/node/file';
import { createUploader } from '../src/uploader';
import { rgwConfig, useRgw } from './_support/rgw';
import { bytes, inspector, iterable, listKeys, openUploads, PART } from './_support/s3';

const rgw = useRgw('verify');

const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('base64');

/** A Blob that gives `first` on its first read and `second` after: a file rewritten between hash and upload. */
function changingBlob(first: Uint8Array<ArrayBuffer>, second: Uint8Array<ArrayBuffer>): Blob {
  let reads = 0;
  const blob = new Blob([first]);
  return Object.assign(blob, {
    stream: () => new Blob([reads++ === 0 ? first : second]).stream(),
  });
}

/**
 * Rewrites `path` with `size` other bytes and puts its mtime back to the nanosecond, as an edit that hides itself
 * would: `fs.utimes` keeps microseconds at best, which the file Blob's own check (size, mtime, inode) would notice,
 * and then the hash check under test would never be reached.
 */
async function rewriteUnnoticed(path: string, size: number): Promise<void> {
  const before = await stat(path, { bigint: true });
  await writeFile(path, randomBytes(size));
  const seconds = before.mtimeNs / 1_000_000_000n;
  const nanos = (before.mtimeNs % 1_000_000_000n).toString().padStart(9, '0');
  await promisify(execFile)('touch', ['-m', '-d', `@${seconds}.${nanos}`, path]);
  const after = await stat(path, { bigint: true });
  expect([after.size, after.mtimeNs, after.ino]).toEqual([before.size, before.mtimeNs, before.ino]);
}

/** Nothing of an upload under `prefix`: no object, no open multipart upload. */
async function nothingUnder(prefix: string): Promise<string[]> {
  const client = inspector(rgw.direct);
  return [
    ...(await listKeys(client, rgw.bucket, prefix)),
    ...(await openUploads(client, rgw.bucket, prefix)),
  ];
}

describe('a file that changes during the upload is refused (radosgw)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-verify-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['a single PUT', 1000],
    ['a multipart upload', 2 * PART + 7],
  ])('%s: ERR_INPUT, and nothing stored under the hash of the first read', async (_label, size) => {
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: `changed-${size}/{hash}.{ext}` }));
    const blob = changingBlob(bytes(size), bytes(size));
    await expect(uploader.upload(blob, { filename: 'notes.bin' })).rejects.toMatchObject({
      code: 'ERR_INPUT',
      message: expect.stringContaining("'notes.bin' changed during the upload"),
    });
    expect(await nothingUnder(`changed-${size}/`)).toEqual([]);
  });

  it('a file on disk rewritten with the same size and its mtime put back, between prepare and upload', async () => {
    const path = join(dir, 'doc.bin');
    await writeFile(path, randomBytes(2 * PART + 1));
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: 'disk/{hash}.{ext}' }));
    const prepared = await uploader.prepare(await openFile(path), { filename: 'doc.bin' });
    await rewriteUnnoticed(path, 2 * PART + 1);
    await expect(prepared.upload()).rejects.toMatchObject({
      code: 'ERR_INPUT',
      message: expect.stringContaining("'doc.bin' changed during the upload"),
    });
    expect(await nothingUnder('disk/')).toEqual([]);
  });

  it('the same with a large file, read and hashed for the upload in a worker thread', async () => {
    const path = join(dir, 'large.bin');
    await writeFile(path, randomBytes(WORKER_MIN_BYTES + 1));
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: 'large/{hash}.{ext}' }));
    const prepared = await uploader.prepare(await openFile(path), { filename: 'large.bin' });
    await rewriteUnnoticed(path, WORKER_MIN_BYTES + 1);
    // The read worker is stopped once its read ends (the hash pass's worker exits by itself).
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    await expect(prepared.upload()).rejects.toMatchObject({
      code: 'ERR_INPUT',
      message: expect.stringContaining("'large.bin' changed during the upload"),
    });
    expect(terminate).toHaveBeenCalledTimes(1);
    terminate.mockRestore();
    expect(await nothingUnder('large/')).toEqual([]);
  });

  it('a large file whose upload fails mid-way has its read stopped, not left open in an idle worker', async () => {
    const path = join(dir, 'large-failing.bin');
    await writeFile(path, randomBytes(WORKER_MIN_BYTES + 1));
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: 'large-failing/{hash}.{ext}' }), {
      clientConfig: { maxAttempts: 1 },
    });
    rgw.proxy.failWith({ operation: 'UploadPart', partNumber: 2 }, { status: 400, code: 'InvalidArgument' });
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    await expect(uploader.upload(await openFile(path), { filename: 'large.bin' })).rejects.toMatchObject({
      code: expect.any(String),
    });
    // lib-storage stops reading without cancelling; the uploader cancels the stream, which stops the worker.
    // Bounded generously: the wait ends when the worker is told to stop, however loaded the machine.
    await vi.waitFor(() => expect(terminate).toHaveBeenCalledTimes(1), { timeout: 15_000 });
    terminate.mockRestore();
    expect(await nothingUnder('large-failing/')).toEqual([]);
  });
});

describe('Content-MD5 from a client (radosgw)', () => {
  const cases = [
    ['bytes in memory', (data: Uint8Array<ArrayBuffer>) => data, 1000],
    ['a Blob, multipart', (data: Uint8Array<ArrayBuffer>) => new Blob([data]), 2 * PART + 1],
    ['a long one-shot stream', (data: Uint8Array<ArrayBuffer>) => iterable(data), 2 * PART + 1],
  ] as const;

  it.each(cases)('%s: the right MD5 stores the file', async (_label, body, size) => {
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: 'md5-ok/{hash}.{ext}' }));
    const data = bytes(size);
    const result = await uploader.upload(body(data), { filename: 'a.bin', contentMd5: md5(data) });
    expect(result.size).toBe(size);
  });

  it.each(cases)('%s: a wrong MD5 is ERR_CHECKSUM and nothing is stored', async (_label, body, size) => {
    const prefix = `md5-bad-${_label.replace(/\W+/g, '-')}/`;
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: `${prefix}{hash}.{ext}` }));
    const data = bytes(size);
    await expect(
      uploader.upload(body(data), { filename: 'a.bin', contentMd5: md5(bytes(8)) }),
    ).rejects.toMatchObject({ code: 'ERR_CHECKSUM', message: expect.stringContaining("'a.bin'") });
    expect(await nothingUnder(prefix)).toEqual([]);
    expect(await nothingUnder('.bytedrop-tmp/')).toEqual([]);
  });

  it('a Content-MD5 that is not base64 of 16 bytes is ERR_INPUT naming the fix, before any request', async () => {
    const uploader = createUploader(rgwConfig(rgw));
    await expect(uploader.upload(bytes(10), { filename: 'a.bin', contentMd5: 'abc' })).rejects.toMatchObject({
      code: 'ERR_INPUT',
      message: expect.stringContaining('openssl md5 -binary'),
    });
    expect(rgw.requests).toEqual([]);
  });

  it('a single PUT carries the Content-MD5 for the provider to check as well', async () => {
    const uploader = createUploader(rgwConfig(rgw, { keyTemplate: 'md5-wire/{hash}.{ext}' }));
    const data = bytes(100);
    await uploader.upload(data, { filename: 'a.bin', contentMd5: md5(data) });
    const put = rgw.requests.find((r) => r.operation === 'PutObject');
    expect(put?.headers['content-md5']).toBe(md5(data));
  });
});
