/**
 * `UploadResult.verified`: an upload says when it proved by itself that its key holds exactly its bytes, so an
 * editor's verifying HEAD can be left out, and says so only then. The provider decides: a create-only write proves
 * it only where the provider is documented to enforce `If-None-Match: *`. What went over the wire is recorded at a
 * fault proxy in front of s3rver (which ignores the header: the client's decision is what is tested here; radosgw's
 * refusals are proven in no-overwrite.test.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalDiskStore } from '../src/node/stores/local-disk';
import { createPendingJournal, finishPendingUpload } from '../src/pending-uploads';
import type { ProviderName } from '../src/types';
import { createUploader } from '../src/uploader';
import { type FaultProxy, startFaultProxy } from './_support/fault-proxy';
import { useOwnS3rver } from './_support/own-s3rver';
import { bytes, iterable, MiB, PART, s3Config } from './_support/s3';

const s3 = useOwnS3rver();
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy(s3.endpoint);
});
afterAll(async () => {
  await proxy.close();
});
beforeEach(async () => {
  await proxy.reset();
});

const through = (provider: ProviderName) =>
  createUploader(s3Config({ ...s3, endpoint: proxy.endpoint }, { provider }));
/** A MinIO known to be recent enough to refuse a create-only write to a taken key (the preset does not assume it). */
const enforcing = () =>
  createUploader(s3Config({ ...s3, endpoint: proxy.endpoint }, { provider: 'minio' }), {
    conditionalWrites: { enforced: true },
  });
const operations = () => proxy.requests.map((request) => request.operation);

describe('an upload says it is verified', () => {
  it('after a single create-only PUT to a provider that enforces it (aws, r2, a MinIO opted in)', async () => {
    const result = await enforcing().upload(bytes(3000), { filename: 'a.bin' });
    expect(result).toMatchObject({ deduplicated: false, verified: true });
    const put = proxy.requests.find((request) => request.operation === 'PutObject');
    expect(put?.headers['if-none-match']).toBe('*');
  });

  it('after a multipart upload completed create-only on such a provider', async () => {
    const result = await enforcing().upload(bytes(PART * 2 + 1), { filename: 'big.bin' });
    expect(result.verified).toBe(true);
    expect(operations()).toContain('CompleteMultipartUpload');
  });

  it('after a reuse: the HEAD found the same full hash and size', async () => {
    const data = bytes(2000);
    await through('b2').upload(data, { filename: 'same.bin' });
    const again = await through('b2').upload(data, { filename: 'same.bin' });
    expect(again).toMatchObject({ deduplicated: true, verified: true });
  });

  it('after a create-only commit on local disk (an atomic link)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bytedrop-verified-'));
    try {
      const store = createLocalDiskStore({ dir, publicBaseUrl: 'http://x/f' });
      const uploader = createUploader({ bucket: 'local' }, { store });
      expect((await uploader.upload(bytes(100), { filename: 'd.bin' })).verified).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('an upload leaves verifying to a HEAD', () => {
  it('on a provider without conditional writes (b2): a concurrent writer could have replaced it', async () => {
    const result = await through('b2').upload(bytes(3000), { filename: 'b.bin' });
    expect(result).toMatchObject({ deduplicated: false, verified: false });
  });

  it('on MinIO by default: releases before conditional writes replace the object without a word', async () => {
    const result = await through('minio').upload(bytes(3000), { filename: 'm.bin' });
    expect(result.verified).toBe(false);
    const put = proxy.requests.find((request) => request.operation === 'PutObject');
    expect(put?.headers['if-none-match']).toBe('*');
  });

  it('on an unknown S3 (custom), which may ignore If-None-Match without a word', async () => {
    const result = await through('custom').upload(bytes(3000), { filename: 'c.bin' });
    expect(result.verified).toBe(false);
  });

  it('when the provider answered 501 to If-None-Match and the PUT went again without it', async () => {
    proxy.failWith({ operation: 'PutObject' }, { status: 501, code: 'NotImplemented' }, { nth: 1 });
    const result = await enforcing().upload(bytes(3000), { filename: 'e.bin' });
    expect(result.verified).toBe(false);
    const puts = proxy.requests.filter((request) => request.operation === 'PutObject');
    expect(puts.map((request) => request.headers['if-none-match'])).toEqual(['*', undefined]);
  });

  it('for a long one-shot stream, moved to its key by a CopyObject no provider makes conditional', async () => {
    const uploader = createUploader(
      s3Config({ ...s3, endpoint: proxy.endpoint }, { provider: 'minio', multipartThreshold: MiB }),
    );
    const result = await uploader.upload(iterable(bytes(2 * MiB)), { filename: 's.bin' });
    expect(result.verified).toBe(false);
    expect(operations()).toContain('CopyObject');
  });
});

describe('finishPendingUpload', () => {
  const entry = {
    note: 'file:///ws/post.md',
    file: 'file:///ws/shot.bin',
    name: 'shot.bin',
    text: '[shot.bin](shot.bin)',
    match: 'link' as const,
    removeLocal: false,
  };
  const host = (content: Uint8Array) => ({
    read: async () => content,
    swap: async () => true,
    removeLocal: async () => undefined,
  });
  const memory = () => {
    const records = new Map<string, string>();
    return createPendingJournal({
      write: async (id, json) => void records.set(id, json),
      delete: async (id) => void records.delete(id),
      list: async () => [...records].map(([id, json]) => ({ id, json })),
    });
  };

  it('sends no verifying HEAD after an upload that verified itself', async () => {
    const content = bytes(4000);
    const journal = memory();
    const added = await journal.add({ ...entry, size: content.byteLength });
    await finishPendingUpload(journal, added, enforcing(), host(content));
    expect(operations()).toEqual(['HeadObject', 'PutObject']);
  });

  it('checks with a HEAD after an upload that did not', async () => {
    const content = bytes(4001);
    const journal = memory();
    const added = await journal.add({ ...entry, size: content.byteLength });
    await finishPendingUpload(journal, added, through('b2'), host(content));
    expect(operations()).toEqual(['HeadObject', 'PutObject', 'HeadObject']);
  });

  it('always checks a recorded upload it resumes, however verified it was then', async () => {
    const content = bytes(4002);
    const journal = memory();
    const added = await journal.add({ ...entry, size: content.byteLength });
    const uploaded = await enforcing().upload(content, { filename: 'shot.bin' });
    expect(uploaded.verified).toBe(true);
    added.uploaded = uploaded;
    await journal.update(added);
    proxy.requests.length = 0;
    await finishPendingUpload(journal, added, enforcing(), host(content));
    expect(operations()).toEqual(['HeadObject']);
  });
});
