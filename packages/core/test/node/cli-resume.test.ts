/**
 * `bytedrop upload` of a large file that is cut (SIGKILL, Ctrl-C, the network gone) resumes on the next run of the
 * same command: only the parts the bucket is missing go out again. The built CLI in a child process, on radosgw behind
 * the fault proxy, which holds part 5 so the cut lands after exactly four finished parts (one part in flight at a
 * time), and counts the bytes each run sent.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildCli, cleanEnv, coreDir, journalFiles, removeCli, runCli, spawnCli } from '../_support/cli';
import type { ProxiedRequest } from '../_support/fault-proxy';
import { useRgw } from '../_support/rgw';
import { getBytes, inspector, MiB, openUploads, PART } from '../_support/s3';

const rgw = useRgw('cli-resume');
const SIZE = 8 * PART;

/** The one multipart upload open in the test's bucket, if any. */
async function openUpload(): Promise<{ key: string; uploadId: string } | undefined> {
  const list = await inspector(rgw.direct).send(new ListMultipartUploadsCommand({ Bucket: rgw.bucket }));
  const [upload, ...more] = list.Uploads ?? [];
  expect(more).toEqual([]);
  return upload ? { key: upload.Key ?? '', uploadId: upload.UploadId ?? '' } : undefined;
}

describe('bytedrop upload resumes an interrupted upload of a large file', () => {
  let cli: string;
  let work: string;
  let env: Record<string, string | undefined>;
  let journal: string;
  let content: Buffer;

  beforeAll(async () => {
    cli = await buildCli();
    work = await mkdtemp(join(coreDir, 'node_modules/.cache/bytedrop-cli-resume-'));
    journal = join(work, 'state/bytedrop/journal');
    env = {
      ...cleanEnv(work),
      XDG_STATE_HOME: join(work, 'state'),
      S3_ENDPOINT: rgw.endpoint,
      S3_BUCKET: rgw.bucket,
      S3_ACCESS_KEY: rgw.accessKeyId,
      S3_SECRET_KEY: rgw.secretAccessKey,
      PUBLIC_DOMAIN: `${rgw.endpoint}/${rgw.bucket}`,
      BYTEDROP_PART_SIZE_MB: '5',
      // One part in flight at a time: the cut lands after exactly the parts the test waited for.
      BYTEDROP_QUEUE_SIZE: '1',
      BYTEDROP_MAX_ATTEMPTS: '1',
    };
  }, 240_000);
  afterAll(async () => {
    await removeCli(cli);
    if (work) await rm(work, { recursive: true, force: true });
  });
  beforeEach(async () => {
    // Each test its own bytes (so its own key) and a bucket with nothing open.
    content = randomBytes(SIZE);
    await writeFile(join(work, 'big.bin'), content);
    expect(await openUploads(inspector(rgw.direct), rgw.bucket)).toEqual([]);
  });
  afterEach(async () => {
    // A failed test's open upload must not fail the next one too.
    const open = await openUpload().catch(() => undefined);
    if (open) {
      await inspector(rgw.direct).send(
        new AbortMultipartUploadCommand({ Bucket: rgw.bucket, Key: open.key, UploadId: open.uploadId }),
      );
    }
    await rm(join(work, 'state'), { recursive: true, force: true });
  });

  const parts = (since: number) => rgw.requests.slice(since).filter((r) => r.operation === 'UploadPart');
  const sent = (requests: ProxiedRequest[]) => requests.reduce((sum, r) => sum + r.bytesForwarded, 0);

  /** Starts an upload of big.bin, holds part 5 (parts 1-4 are done by then) and stops the CLI with `signal`. */
  async function interrupt(signal: NodeJS.Signals) {
    const stall = rgw.proxy.stall({ operation: 'UploadPart', partNumber: 5 });
    const run = spawnCli(cli, ['upload', 'big.bin'], { cwd: work, env });
    await stall.held;
    run.child.kill(signal);
    const exited = await run.exited;
    stall.remove();
    const open = await openUpload();
    if (!open) throw new Error(`no upload left open; the CLI said: ${run.stderr}`);
    return { exited, stderr: run.stderr, open };
  }

  /** Runs the same command again; checks the link's bytes and that nothing is left open or journaled. */
  async function finish(args: string[] = []) {
    const since = rgw.requests.length;
    const next = await runCli(cli, ['upload', 'big.bin', ...args], { cwd: work, env });
    expect(next.code, next.stderr).toBe(0);
    const key = next.stdout.trim().slice(`${rgw.endpoint}/${rgw.bucket}/`.length);
    const stored = await getBytes(inspector(rgw.direct), rgw.bucket, key);
    expect(createHash('sha256').update(stored).digest('hex')).toBe(
      createHash('sha256').update(content).digest('hex'),
    );
    expect(Buffer.from(stored).equals(content)).toBe(true);
    expect(await openUploads(inspector(rgw.direct), rgw.bucket)).toEqual([]);
    expect(await journalFiles(journal)).toEqual([]);
    return { ...next, parts: parts(since) };
  }

  it('SIGKILL after 4 of 8 parts: the next run sends only parts 5-8 and the object is byte-exact', async () => {
    const killed = await interrupt('SIGKILL');
    expect(killed.exited).toBe('SIGKILL');
    // The journal holds the upload id and the parts that finished (an update in progress may have been cut).
    const entries = (await journalFiles(journal)).filter((file) => file.endsWith('.json'));
    expect(entries).toHaveLength(1);
    const entry = JSON.parse(await readFile(join(journal, entries[0] ?? ''), 'utf8'));
    expect(entry.uploadId).toBe(killed.open.uploadId);
    expect(entry.resume).toMatchObject({ size: SIZE, partSize: PART });
    expect([
      [1, 2, 3],
      [1, 2, 3, 4],
    ]).toContainEqual(entry.resume.parts);

    const next = await finish();
    expect(next.stderr).toContain('resuming the interrupted upload');
    expect(next.stderr).toContain('the bucket holds 4 of its 8 parts');
    expect(next.parts.map((r) => r.partNumber)).toEqual([5, 6, 7, 8]);
    expect(next.parts.every((r) => r.uploadId === next.parts[0]?.uploadId)).toBe(true);
    // Resume cost: what both runs sent beyond the file's size is at most the part that was cut.
    const wasted = sent(parts(0)) - SIZE;
    expect(wasted).toBeLessThanOrEqual(PART);
  });

  it('four parts at a time: after a kill with parts 5 and 6 in flight the resume sends exactly the parts the bucket lacks', async () => {
    const queued = { ...env, BYTEDROP_QUEUE_SIZE: '4' };
    const stalls = [5, 6].map((partNumber) => rgw.proxy.stall({ operation: 'UploadPart', partNumber }));
    const run = spawnCli(cli, ['upload', 'big.bin'], { cwd: work, env: queued });
    await Promise.all(stalls.map((stall) => stall.held));
    run.child.kill('SIGKILL');
    expect(await run.exited).toBe('SIGKILL');
    for (const stall of stalls) stall.remove();
    const open = await openUpload();
    const listed = await inspector(rgw.direct).send(
      new ListPartsCommand({ Bucket: rgw.bucket, Key: open?.key, UploadId: open?.uploadId }),
    );
    const held = new Set((listed.Parts ?? []).map((part) => part.PartNumber));
    const missing = [1, 2, 3, 4, 5, 6, 7, 8].filter((n) => !held.has(n));
    expect(missing).toEqual(expect.arrayContaining([5, 6]));

    const since = rgw.requests.length;
    const next = await runCli(cli, ['upload', 'big.bin'], { cwd: work, env: queued });
    expect(next.code, next.stderr).toBe(0);
    // Exactly the parts the bucket did not hold, whatever order they went out in.
    expect(
      parts(since)
        .map((r) => r.partNumber)
        .sort(),
    ).toEqual(missing);
    const key = next.stdout.trim().slice(`${rgw.endpoint}/${rgw.bucket}/`.length);
    const stored = await getBytes(inspector(rgw.direct), rgw.bucket, key);
    expect(Buffer.from(stored).equals(content)).toBe(true);
    expect(await openUploads(inspector(rgw.direct), rgw.bucket)).toEqual([]);
  });

  it('Ctrl-C leaves the upload open and says so; the next run resumes it', async () => {
    const stopped = await interrupt('SIGINT');
    expect(stopped.exited).toBe(130);
    expect(stopped.stderr).toContain('stays open with the parts that finished');

    const next = await finish();
    expect(next.parts.map((r) => r.partNumber)).toEqual([5, 6, 7, 8]);
  });

  it('the network cut mid-part: the run fails, the next one resumes from that part', async () => {
    const since = rgw.requests.length;
    const run = spawnCli(cli, ['upload', 'big.bin'], { cwd: work, env });
    const part5 = await rgw.proxy.seen('UploadPart', { partNumber: 5 });
    await rgw.proxy.forwarded(part5, MiB);
    const outage = await rgw.proxy.outage('reset');
    expect(await run.exited).toBe(1);
    await outage.end();
    expect(run.stderr).toContain('stays open with the parts that finished');

    const next = await finish();
    expect(next.parts.map((r) => r.partNumber)).toEqual([5, 6, 7, 8]);
    expect(sent(parts(since)) - SIZE).toBeLessThanOrEqual(PART);
  });

  it('another command in between, bytedrop gc (even --all-uploads) and the doctor keep the interrupted upload', async () => {
    const killed = await interrupt('SIGKILL');
    await writeFile(join(work, 'small.txt'), 'hello');
    const other = await runCli(cli, ['upload', 'small.txt'], { cwd: work, env });
    expect(other.code, other.stderr).toBe(0);
    expect(other.stderr).not.toContain('aborted');
    const gc = await runCli(cli, ['gc', '--all-uploads', '--older-than', '0'], { cwd: work, env });
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).toContain(`kept unfinished upload ${killed.open.key} (${killed.open.uploadId})`);
    expect(await openUpload()).toEqual(killed.open);
    // Nor is it a leftover to the doctor.
    const doctor = await runCli(cli, ['doctor'], { cwd: work, env });
    expect(doctor.stdout).toContain('1 open multipart upload, each an interrupted upload kept for a resume');

    const next = await finish();
    expect(next.parts.map((r) => r.partNumber)).toEqual([5, 6, 7, 8]);
  });

  it('--no-resume aborts the interrupted upload and starts over', async () => {
    const killed = await interrupt('SIGKILL');
    const since = rgw.requests.length;
    const next = await finish(['--no-resume']);
    expect(next.stderr).toMatch(/the interrupted upload \S+ was aborted: starting over as asked/);
    expect(next.parts.map((r) => r.partNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const aborted = rgw.requests.slice(since).filter((r) => r.operation === 'AbortMultipartUpload');
    expect(aborted.map((r) => r.uploadId)).toEqual([killed.open.uploadId]);
    expect(next.parts[0]?.uploadId).not.toBe(killed.open.uploadId);
  });

  it.each([
    ['with a new modification time', false],
    ['with the same size and modification time (only its hash tells)', true],
  ])(
    'a file changed between runs %s starts over with a message and never completes a mix',
    async (_, sameTime) => {
      const path = join(work, 'big.bin');
      // A whole second: what utimes sets back is then exactly what stat reads (no sub-millisecond part lost).
      const time = new Date(Math.floor((await stat(path)).mtimeMs / 1000) * 1000);
      await utimes(path, time, time);
      await interrupt('SIGKILL');
      // Same size, other bytes from part 3 on.
      content = Buffer.concat([content.subarray(0, 2 * PART), randomBytes(SIZE - 2 * PART)]);
      await writeFile(path, content);
      if (sameTime) await utimes(path, time, time);
      expect((await stat(path)).mtimeMs === time.getTime()).toBe(sameTime);

      const next = await finish();
      expect(next.stderr).toContain('big.bin changed since');
      expect(next.stderr).toContain('never completing a mix');
      expect(next.parts.map((r) => r.partNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    },
  );

  it('an upload the bucket no longer has (expired or aborted) starts over with a message', async () => {
    const killed = await interrupt('SIGKILL');
    const { key, uploadId } = killed.open;
    await inspector(rgw.direct).send(
      new AbortMultipartUploadCommand({ Bucket: rgw.bucket, Key: key, UploadId: uploadId }),
    );

    const next = await finish();
    expect(next.stderr).toContain(`the interrupted upload ${uploadId} is gone from the bucket`);
    expect(next.parts.map((r) => r.partNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a part the bucket holds with other bytes is sent again', async () => {
    const killed = await interrupt('SIGKILL');
    const { key, uploadId } = killed.open;
    // Part 2 replaced on the bucket by bytes of the same size that are not the file's.
    await inspector(rgw.direct).send(
      new UploadPartCommand({
        Bucket: rgw.bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: 2,
        Body: randomBytes(PART),
      }),
    );

    const next = await finish();
    expect(next.parts.map((r) => r.partNumber)).toEqual([2, 5, 6, 7, 8]);
  });
});
