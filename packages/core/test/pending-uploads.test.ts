/**
 * The pending-upload journal of editor hosts: an entry is written down before the upload, the upload is verified
 * against the object's recorded hash and size, recorded before the swap, and the entry closed after it. Uploads go to
 * a real s3rver of the file's own, so "verified by a HEAD" and "no second PUT" are what the server saw.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  createPendingJournal,
  finishPendingUpload,
  type PendingHost,
  type PendingStorage,
  type PendingUpload,
  type UploadedFile,
  verifyUpload,
} from '../src/pending-uploads';
import { createServerUploader } from '../src/server-uploader';
import { createUploader } from '../src/uploader';
import { useOwnS3rver } from './_support/own-s3rver';
import { bytes, getBytes, inspector, s3Config, sameBytes } from './_support/s3';

const s3 = useOwnS3rver();

/** Storage in a Map, as a host's files would be; `writes` shows what was durable when. */
function memoryStorage(): PendingStorage & { records: Map<string, string> } {
  const records = new Map<string, string>();
  return {
    records,
    write: async (id, json) => {
      records.set(id, json);
    },
    delete: async (id) => {
      records.delete(id);
    },
    list: async () => [...records].map(([id, json]) => ({ id, json })),
  };
}

/** A note held as a string and a local copy held as bytes: what a host's editor and disk would be. */
function noteHost(content: Uint8Array, note: string) {
  const state = { note, local: content as Uint8Array | undefined, reads: 0 };
  const host: PendingHost = {
    read: async () => {
      state.reads++;
      if (!state.local) throw new Error('the local copy is gone');
      return state.local;
    },
    swap: async (entry, uploaded: UploadedFile) => {
      if (!state.note.includes(entry.text)) return false;
      state.note = state.note.replaceAll(entry.text, `![${entry.name}](${uploaded.url})`);
      return true;
    },
    removeLocal: async () => {
      state.local = undefined;
    },
  };
  return { state, host };
}

const fields = (size: number) => ({
  note: 'file:///ws/post.md',
  file: 'file:///ws/shot.png',
  name: 'shot.png',
  size,
  text: '![shot.png](shot.png)',
  match: 'link' as const,
  removeLocal: true,
});

describe('createPendingJournal', () => {
  it('writes an entry down on add, returns open entries oldest first, forgets closed ones', async () => {
    const storage = memoryStorage();
    const journal = createPendingJournal(storage);
    const first = await journal.add(fields(1));
    const second = await journal.add({ ...fields(2), name: 'b.png' });
    expect(JSON.parse(storage.records.get(first.id) as string)).toEqual(first);
    expect(first.id).toMatch(/^[0-9a-f]{32}$/);
    second.started = first.started - 1;
    await journal.update(second);
    expect((await journal.open()).entries.map((entry) => entry.name)).toEqual(['b.png', 'shot.png']);
    await journal.close(second.id);
    expect(await journal.open()).toEqual({ entries: [first], unreadable: [] });
  });

  it('reports entries it cannot read, with why, and leaves them in storage', async () => {
    const storage = memoryStorage();
    const journal = createPendingJournal(storage);
    const good = await journal.add(fields(1));
    storage.records.set('torn', '{"id":"torn","note":"fi');
    storage.records.set('old', JSON.stringify({ id: 'old', note: 'n', file: 'f', name: 'a', text: 't' }));
    storage.records.set('moved', JSON.stringify({ ...good, id: 'elsewhere' }));
    const { entries, unreadable } = await journal.open();
    expect(entries).toEqual([good]);
    expect(unreadable).toEqual([
      { id: 'torn', reason: expect.stringMatching(/^not JSON/) },
      { id: 'old', reason: "'size' or 'started' is missing" },
      { id: 'moved', reason: 'another id' },
    ]);
    expect(storage.records.size).toBe(4);
  });
});

describe('finishPendingUpload', () => {
  it('uploads, verifies with a HEAD, records the upload before the swap, swaps, removes the copy, closes', async () => {
    const content = bytes(3000);
    const storage = memoryStorage();
    const journal = createPendingJournal(storage);
    const uploader = createUploader(s3Config(s3));
    const { state, host } = noteHost(content, '# Post\n\n![shot.png](shot.png)\n');
    const entry = await journal.add(fields(content.byteLength));
    let recordedAtSwap: PendingUpload | undefined;
    const swap = host.swap;
    host.swap = async (pending, uploaded) => {
      recordedAtSwap = JSON.parse(storage.records.get(pending.id) as string);
      return swap(pending, uploaded);
    };

    const finished = await finishPendingUpload(journal, entry, uploader, host);
    expect(finished).toMatchObject({ swapped: true, localRemoved: true });
    expect(recordedAtSwap?.uploaded?.url).toBe(finished.uploaded.url);
    expect(state.note).toBe(`# Post\n\n![shot.png](${finished.uploaded.url})\n`);
    expect(state.local).toBeUndefined();
    expect(storage.records.size).toBe(0);
    // The HEAD after the PUT is the verification.
    expect(s3.requests.map((request) => request.method)).toEqual(['HEAD', 'PUT', 'HEAD']);
    expect(sameBytes(await getBytes(inspector(s3), s3.bucket, finished.uploaded.key), content)).toBe(true);
  });

  it('resumes an entry uploaded before a crash with the swap alone: no second upload', async () => {
    const content = bytes(2000);
    const storage = memoryStorage();
    const journal = createPendingJournal(storage);
    // A key with {uuid}: a second upload would store the file a second time.
    const uploader = createUploader(s3Config(s3, { keyTemplate: '{uuid}.{ext}' }));
    const entry = await journal.add(fields(content.byteLength));
    const crashed = noteHost(content, 'x ![shot.png](shot.png)');
    crashed.host.swap = async () => {
      throw new Error('killed');
    };
    await expect(finishPendingUpload(journal, entry, uploader, crashed.host)).rejects.toThrow('killed');

    const [resumed] = (await createPendingJournal(storage).open()).entries;
    expect(resumed?.uploaded?.key).toMatch(/^[0-9a-f-]{36}\.png$/);
    s3.requests.length = 0;
    const restarted = noteHost(content, 'x ![shot.png](shot.png)');
    const finished = await finishPendingUpload(journal, resumed as PendingUpload, uploader, restarted.host);
    expect(finished.uploaded.url).toBe(resumed?.uploaded?.url);
    expect(s3.requests.map((request) => request.method)).toEqual(['HEAD']);
    expect(restarted.state.reads).toBe(0);
    expect(restarted.state.note).toBe(`x ![shot.png](${finished.uploaded.url})`);
    expect(storage.records.size).toBe(0);
  });

  it('uploads again when the recorded object is gone or holds other bytes', async () => {
    const content = bytes(2500);
    const storage = memoryStorage();
    const journal = createPendingJournal(storage);
    const uploader = createUploader(s3Config(s3));
    const entry = await journal.add(fields(content.byteLength));
    const first = await uploader.upload(content, { filename: 'shot.png' });
    entry.uploaded = first;
    // Someone else's tool overwrote the object (no Bytedrop metadata).
    await inspector(s3).send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: first.key, Body: new Uint8Array([1, 2, 3]) }),
    );
    const { state, host } = noteHost(content, '![shot.png](shot.png)');
    const finished = await finishPendingUpload(journal, entry, uploader, host);
    expect(state.reads).toBe(1);
    expect(finished.uploaded.key).not.toBe(first.key);
    expect(sameBytes(await getBytes(inspector(s3), s3.bucket, finished.uploaded.key), content)).toBe(true);
  });

  it('keeps the entry open and the note as it was when the upload fails', async () => {
    const storage = memoryStorage();
    const journal = createPendingJournal(storage);
    const uploader = createUploader(s3Config(s3, { bucket: 'no-such-bucket' }));
    const entry = await journal.add(fields(10));
    const { state, host } = noteHost(bytes(10), '![shot.png](shot.png)');
    await expect(finishPendingUpload(journal, entry, uploader, host)).rejects.toMatchObject({
      code: 'ERR_BUCKET_NOT_FOUND',
    });
    expect(state.note).toBe('![shot.png](shot.png)');
    expect(state.local).toBeDefined();
    expect((await journal.open()).entries).toEqual([entry]);
  });

  it('keeps the local copy when the note no longer holds the file, and closes the entry', async () => {
    const storage = memoryStorage();
    const journal = createPendingJournal(storage);
    const entry = await journal.add(fields(500));
    const { state, host } = noteHost(bytes(500), 'the user deleted the link');
    const finished = await finishPendingUpload(journal, entry, createUploader(s3Config(s3)), host);
    expect(finished).toMatchObject({ swapped: false, localRemoved: false });
    expect(state.local).toBeDefined();
    expect(storage.records.size).toBe(0);
  });
});

describe('verifyUpload', () => {
  it('passes the object as uploaded, and names what is wrong otherwise', async () => {
    const uploader = createUploader(s3Config(s3));
    const result = await uploader.upload(bytes(1234), { filename: 'v.bin' });
    await verifyUpload(uploader, result);
    await expect(verifyUpload(uploader, { ...result, key: 'missing.bin' })).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
      message: "'missing.bin' is not in the bucket after its upload: upload the file again",
    });
    await expect(verifyUpload(uploader, { ...result, hash: 'ff'.repeat(32) })).rejects.toMatchObject({
      code: 'ERR_CHECKSUM',
      message: expect.stringContaining(`holds 1234 bytes recorded as sha256:${result.hash}`),
    });
    await expect(verifyUpload(uploader, { ...result, size: 1 })).rejects.toMatchObject({
      code: 'ERR_CHECKSUM',
    });
  });

  it('trusts a Bytedrop server, which verifies its own writes', async () => {
    const uploader = createServerUploader({ url: 'http://127.0.0.1:9', accessKey: 'k' });
    await verifyUpload(uploader, {
      key: 'k',
      url: 'http://x/k',
      size: 1,
      hash: '',
      contentType: 'image/png',
      deduplicated: false,
      filename: 'k.png',
    });
  });
});
