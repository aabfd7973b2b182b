import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OWN_DIGEST } from '../../src/_body';
import { openFileBlob } from '../../src/node/_file-blob';
import { WORKER_MIN_BYTES } from '../../src/node/_file-digest';
import { openFile, uploadFile } from '../../src/node/file';
import { createUploader } from '../../src/uploader';
import { getBytes, inspector, MiB, s3Config } from '../_support/s3';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('uploadFile', () => {
  const s3 = inject('s3');
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-file-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('round-trips a 50 MiB file byte for byte through multipart, from a file-backed Blob', async () => {
    const bytes = randomBytes(50 * MiB);
    const path = join(dir, 'big video.bin');
    await writeFile(path, bytes);
    const uploader = createUploader(s3Config(s3));
    const progress: number[] = [];
    const result = await uploadFile(uploader, path, { onProgress: (p) => progress.push(p.loaded) });
    expect(result).toMatchObject({ size: 50 * MiB, hash: sha256(bytes), deduplicated: false });
    expect(result.filename).toBe('big-video.bin');
    expect(result.key).toContain(result.hash.slice(0, 8));
    expect(progress.at(-1)).toBe(50 * MiB);
    const stored = await getBytes(inspector(s3), s3.bucket, result.key);
    expect(stored.byteLength).toBe(50 * MiB);
    expect(sha256(stored)).toBe(result.hash);
    // The public URL serves the same bytes (s3rver answers anonymous path-style GETs).
    const served = new Uint8Array(await (await fetch(result.url)).arrayBuffer());
    expect(sha256(served)).toBe(result.hash);
  });

  it('a failing worker hash pass is ERR_INPUT naming the file, with the cause kept', async () => {
    const blob = Object.assign(new Blob([randomBytes(1000)]), {
      [OWN_DIGEST]: () =>
        Promise.reject(new DOMException("'x' changed after it was opened", 'NotReadableError')),
    });
    const uploader = createUploader(s3Config(s3));
    const failure = await uploader.upload(blob, { filename: 'worker.bin' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'ERR_INPUT', cause: { name: 'NotReadableError' } });
    expect((failure as Error).message).toContain("'worker.bin'");
  });

  it('a large file that changed after it was opened fails with ERR_INPUT naming it', async () => {
    const path = join(dir, 'changing.bin');
    await writeFile(path, randomBytes(WORKER_MIN_BYTES + 1));
    const blob = await openFileBlob(path, await stat(path));
    await appendFile(path, 'more');
    const uploader = createUploader(s3Config(s3));
    const failure = await uploader
      .upload(blob, { filename: 'changing.bin' })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'ERR_INPUT', cause: { name: 'NotReadableError' } });
    expect((failure as Error).message).toContain("'changing.bin'");
  });

  it('openFile: a lazy Blob to prepare (the link first) and then upload; a missing path is ERR_INPUT', async () => {
    const bytes = randomBytes(3 * MiB);
    const path = join(dir, 'clip.mp4');
    await writeFile(path, bytes);
    const file = await openFile(path, { type: 'video/mp4' });
    expect({ size: file.size, type: file.type }).toEqual({ size: bytes.byteLength, type: 'video/mp4' });
    const uploader = createUploader(s3Config(s3));
    const prepared = await uploader.prepare(file, { filename: 'clip.mp4' });
    expect(prepared).toMatchObject({ hash: sha256(bytes), contentType: 'video/mp4' });
    const result = await prepared.upload();
    expect(result.key).toBe(prepared.key);
    expect(sha256(await getBytes(inspector(s3), s3.bucket, result.key))).toBe(sha256(bytes));
    await expect(openFile(join(dir, 'missing.mp4'))).rejects.toMatchObject({ code: 'ERR_INPUT' });
  });

  it('defaults the filename to the basename and lets the caller override it', async () => {
    const path = join(dir, 'Screen Shot.PNG');
    await writeFile(path, randomBytes(100));
    const uploader = createUploader(s3Config(s3, { keyTemplate: '{name}-{hash:8}.{ext}' }));
    const plain = await uploadFile(uploader, path);
    expect(plain.key).toMatch(/^Screen-Shot-[0-9a-f]{8}\.png$/);
    const named = await uploadFile(uploader, path, { filename: 'chart.png' });
    expect(named.key).toMatch(/^chart-[0-9a-f]{8}\.png$/);
  });

  it('names the path of a missing file or a directory (ERR_INPUT)', async () => {
    const uploader = createUploader(s3Config(s3));
    const missing = join(dir, 'nope.png');
    await expect(uploadFile(uploader, missing)).rejects.toMatchObject({
      code: 'ERR_INPUT',
      message: expect.stringContaining(missing),
    });
    await expect(uploadFile(uploader, dir)).rejects.toMatchObject({
      code: 'ERR_INPUT',
      message: expect.stringContaining('is not a file'),
    });
  });
});
