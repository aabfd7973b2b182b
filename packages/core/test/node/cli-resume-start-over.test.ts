/**
 * When `bytedrop upload` does not resume an interrupted upload but starts over, and says why: `--no-resume` (the old
 * upload aborted), a file changed since (never completing a mix), an upload the bucket no longer has; and a part the
 * bucket holds with other bytes is sent again. The built CLI on radosgw behind the fault proxy (cli-resume.test.ts
 * has the resumes).
 */
import { randomBytes } from 'node:crypto';
import { stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AbortMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { journalFiles, spawnCli } from '../_support/cli';
import { SIZE, useResumeHarness } from '../_support/cli-resume';
import { useRgw } from '../_support/rgw';
import { inspector, openUploads, PART } from '../_support/s3';

const rgw = useRgw('cli-resume-over');

describe('bytedrop upload starts an interrupted upload over, and says why', () => {
  const h = useResumeHarness(rgw);

  it('--no-resume aborts the interrupted upload and starts over', async () => {
    const killed = await h.interrupt('SIGKILL');
    const since = rgw.requests.length;
    const next = await h.finish(['--no-resume']);
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
      const path = join(h.work, 'big.bin');
      // A whole second: what utimes sets back is then exactly what stat reads (no sub-millisecond part lost).
      const time = new Date(Math.floor((await stat(path)).mtimeMs / 1000) * 1000);
      await utimes(path, time, time);
      await h.interrupt('SIGKILL');
      // Same size, other bytes from part 3 on.
      h.content = Buffer.concat([h.content.subarray(0, 2 * PART), randomBytes(SIZE - 2 * PART)]);
      await writeFile(path, h.content);
      if (sameTime) await utimes(path, time, time);
      expect((await stat(path)).mtimeMs === time.getTime()).toBe(sameTime);

      const next = await h.finish();
      expect(next.stderr).toContain('big.bin changed since');
      expect(next.stderr).toContain('never completing a mix');
      expect(next.parts.map((r) => r.partNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    },
  );

  it('two runs started together after a kill: one resumes the upload, the other starts its own, never both on one', async () => {
    const killed = await h.interrupt('SIGKILL');
    // Run A takes the upload: its ListParts is held, so its claim is made before run B starts.
    const listA = rgw.proxy.stall({ operation: 'ListParts' }, { nth: 1 });
    const listB = rgw.proxy.stall({ operation: 'ListParts' }, { nth: 2 });
    const a = spawnCli(h.cli, ['upload', 'big.bin'], { cwd: h.work, env: h.env });
    expect((await listA.held).uploadId).toBe(killed.open.uploadId);
    const since = rgw.requests.length;
    // A rule counts only the requests after it: this one sees run B's creation, not the killed run's.
    const createB = rgw.proxy.stall({ operation: 'CreateMultipartUpload' });
    const b = spawnCli(h.cli, ['upload', 'big.bin'], { cwd: h.work, env: h.env });
    // Run B either lists the same upload's parts too (both continuing it), or creates an upload of its own.
    const chosen = await Promise.race([
      listB.held.then(() => 'the same upload'),
      createB.held.then(() => 'its own upload'),
    ]);
    listB.release();
    createB.release();
    expect(chosen).toBe('its own upload');
    expect(await b.exited, b.stderr).toBe(0);
    listA.release();
    expect(await a.exited, a.stderr).toBe(0);
    expect(a.stderr).toContain('resuming the interrupted upload');
    expect(b.stderr).not.toContain('resuming');
    expect(a.stdout).toBe(b.stdout);
    // B sent the whole file to its own upload; nothing of B went to the upload A continued.
    const bParts = h.parts(since).filter((r) => r.uploadId !== killed.open.uploadId);
    expect(bParts.map((r) => r.partNumber).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await openUploads(inspector(rgw.direct), rgw.bucket)).toEqual([]);
    expect(await journalFiles(h.journal)).toEqual([]);
  });

  it('an upload the bucket no longer has (expired or aborted) starts over with a message', async () => {
    const killed = await h.interrupt('SIGKILL');
    const { key, uploadId } = killed.open;
    await inspector(rgw.direct).send(
      new AbortMultipartUploadCommand({ Bucket: rgw.bucket, Key: key, UploadId: uploadId }),
    );

    const next = await h.finish();
    expect(next.stderr).toContain(`the interrupted upload ${uploadId} is gone from the bucket`);
    expect(next.parts.map((r) => r.partNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a part the bucket holds with other bytes is sent again', async () => {
    const killed = await h.interrupt('SIGKILL');
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

    const next = await h.finish();
    expect(next.parts.map((r) => r.partNumber)).toEqual([2, 5, 6, 7, 8]);
  });
});
