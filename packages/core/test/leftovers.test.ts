/**
 * Nothing left behind, on radosgw: the journal records each multipart upload before its first part and forgets it
 * when done; `recover()` in a new process aborts what a dead one left; `sweep()` removes stale leftovers under the
 * temporary prefix and never touches anything else.
 */
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config';
import { createMemoryJournal, type JournalEntry, type UploadJournal } from '../src/journal';
import { createS3Store } from '../src/stores/s3';
import { rgwConfig, useRgw } from './_support/rgw';
import { bytes, inspector, listKeys, openUploads, PART } from './_support/s3';

const rgw = useRgw('leftovers');

/** A memory journal that tells when an entry of a kind is added. */
function watchedJournal(): UploadJournal & { added(kind: JournalEntry['kind']): Promise<JournalEntry> } {
  const journal = createMemoryJournal();
  const waiting: { kind: string; resolve: (entry: JournalEntry) => void }[] = [];
  return {
    ...journal,
    async add(entry) {
      const id = await journal.add(entry);
      for (const wait of waiting.filter((w) => w.kind === entry.kind)) wait.resolve(entry);
      return id;
    },
    added: (kind) => new Promise((resolve) => waiting.push({ kind, resolve })),
  };
}

/** A stream that gives one part and then waits until `release` is called: an upload caught in the middle. */
function stuckAfterOnePart(): { body: AsyncGenerator<Uint8Array>; release: () => void } {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  async function* body(): AsyncGenerator<Uint8Array> {
    yield bytes(PART + 1);
    await released;
  }
  return { body: body(), release };
}

const store = (journal: UploadJournal) => createS3Store(parseConfig(rgwConfig(rgw)), { journal });

describe('the journal and recover() (radosgw)', () => {
  it('records a multipart upload before its first part; a new store recovers it after the first one died', async () => {
    const journal = watchedJournal();
    const first = store(journal);
    const stuck = stuckAfterOnePart();
    const controller = new AbortController();
    const dying = first
      .put('journal/big.bin', stuck.body, {
        contentType: 'application/octet-stream',
        signal: controller.signal,
      })
      .catch((error: unknown) => error);
    const entry = await journal.added('multipart');
    expect(entry).toMatchObject({ kind: 'multipart', key: 'journal/big.bin', store: first.id });
    expect(await openUploads(inspector(rgw.direct), rgw.bucket, 'journal/')).toEqual(['journal/big.bin']);

    // The first process is gone (its promise is never awaited); the next start reads the same journal.
    const report = await store(journal).recover();
    expect(report.abortedUploads).toEqual([`journal/big.bin (${(entry as { uploadId: string }).uploadId})`]);
    expect(await openUploads(inspector(rgw.direct), rgw.bucket, 'journal/')).toEqual([]);
    expect(await journal.entries()).toEqual([]);
    controller.abort();
    stuck.release();
    await dying;
  });

  it('a finished or failed upload leaves no entry; a temporary object stays journaled until deleted', async () => {
    const journal = createMemoryJournal();
    const subject = store(journal);
    await subject.put('journal/ok.bin', bytes(PART + 1), { contentType: 'application/octet-stream' });
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield bytes(PART + 1);
      throw new Error('the disk went away');
    }
    await expect(
      subject.put('journal/failing.bin', failing(), { contentType: 'application/octet-stream' }),
    ).rejects.toThrow();
    expect(await journal.entries()).toEqual([]);

    await subject.put('.bytedrop-tmp/t1', bytes(10), {
      contentType: 'application/octet-stream',
      temporary: true,
    });
    expect((await journal.entries()).map((e) => `${e.kind} ${e.key}`)).toEqual(['temp .bytedrop-tmp/t1']);
    await subject.delete('.bytedrop-tmp/t1');
    expect(await journal.entries()).toEqual([]);
  });

  it('recover() leaves the entries of another store alone', async () => {
    const journal = createMemoryJournal();
    await journal.add({ kind: 'temp', store: 's3:http://elsewhere/bucket', key: 'x', started: Date.now() });
    const report = await store(journal).recover();
    expect(report).toEqual({ abortedUploads: [], deleted: [] });
    expect(await journal.entries()).toHaveLength(1);
  });
});

describe('sweep() (radosgw)', () => {
  it('removes stale uploads and objects under the temporary prefix, and nothing outside it', async () => {
    const client = inspector(rgw.direct);
    const create = (key: string) =>
      client.send(new CreateMultipartUploadCommand({ Bucket: rgw.bucket, Key: key }));
    const ours = await create('.bytedrop-tmp/server/orphan');
    const theirs = await create('someone-else/upload.bin');
    await client.send(
      new PutObjectCommand({ Bucket: rgw.bucket, Key: '.bytedrop-tmp/server/old', Body: 'x' }),
    );
    await client.send(new PutObjectCommand({ Bucket: rgw.bucket, Key: 'someone-else/file.bin', Body: 'x' }));
    // The CLI's staging area, beside the server's: a sweep of the server's prefix must not reach it.
    await client.send(
      new PutObjectCommand({ Bucket: rgw.bucket, Key: '.bytedrop-tmp/cli-staging', Body: 'x' }),
    );

    const subject = store(createMemoryJournal());
    // Nothing is older than a day: a sweep with the production threshold removes nothing.
    expect(await subject.sweep({ olderThan: 86_400_000, prefix: '.bytedrop-tmp/server/' })).toEqual({
      abortedUploads: [],
      deleted: [],
    });
    const report = await subject.sweep({ olderThan: 0, prefix: '.bytedrop-tmp/server/' });
    expect(report).toEqual({
      abortedUploads: [`.bytedrop-tmp/server/orphan (${ours.UploadId})`],
      deleted: ['.bytedrop-tmp/server/old'],
    });
    expect(await openUploads(client, rgw.bucket)).toEqual(['someone-else/upload.bin']);
    expect(await listKeys(client, rgw.bucket, 'someone-else/')).toEqual(['someone-else/file.bin']);
    expect(await listKeys(client, rgw.bucket, '.bytedrop-tmp/')).toEqual(['.bytedrop-tmp/cli-staging']);
    await client.send(
      new AbortMultipartUploadCommand({
        Bucket: rgw.bucket,
        Key: 'someone-else/upload.bin',
        UploadId: theirs.UploadId,
      }),
    );
  });
});
