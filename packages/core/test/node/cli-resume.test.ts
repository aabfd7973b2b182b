/**
 * `bytedrop upload` of a large file that is cut (SIGKILL, Ctrl-C, the network gone) resumes on the next run of the
 * same command: only the parts the bucket is missing go out again. The built CLI in a child process, on radosgw behind
 * the fault proxy, which holds part 5 so the cut lands after exactly four finished parts (one part in flight at a
 * time), and counts the bytes each run sent. (Starting over: cli-resume-start-over.test.ts; Ctrl-C and SIGTERM:
 * cli-resume-stop.test.ts.)
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListPartsCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { journalFiles, runCli, spawnCli } from '../_support/cli';
import { SIZE, useResumeHarness } from '../_support/cli-resume';
import { useRgw } from '../_support/rgw';
import { getBytes, inspector, MiB, openUploads, PART } from '../_support/s3';

const rgw = useRgw('cli-resume');

describe('bytedrop upload resumes an interrupted upload of a large file', () => {
  const h = useResumeHarness(rgw);

  it('SIGKILL after 4 of 8 parts: the next run sends only parts 5-8 and the object is byte-exact', async () => {
    const killed = await h.interrupt('SIGKILL');
    expect(killed.exited).toBe('SIGKILL');
    // The journal holds the upload id and the parts that finished (an update in progress may have been cut).
    const entries = (await journalFiles(h.journal)).filter((file) => file.endsWith('.json'));
    expect(entries).toHaveLength(1);
    const entry = JSON.parse(await readFile(join(h.journal, entries[0] ?? ''), 'utf8'));
    expect(entry.uploadId).toBe(killed.open.uploadId);
    expect(entry.resume).toMatchObject({ size: SIZE, partSize: PART });
    expect([
      [1, 2, 3],
      [1, 2, 3, 4],
    ]).toContainEqual(entry.resume.parts);

    const next = await h.finish();
    expect(next.stderr).toContain('resuming the interrupted upload');
    expect(next.stderr).toContain('the bucket holds 4 of its 8 parts');
    expect(next.parts.map((r) => r.partNumber)).toEqual([5, 6, 7, 8]);
    expect(next.parts.every((r) => r.uploadId === next.parts[0]?.uploadId)).toBe(true);
    // Resume cost: what both runs sent beyond the file's size is at most the part that was cut.
    const wasted = h.sent(h.parts(0)) - SIZE;
    expect(wasted).toBeLessThanOrEqual(PART);
  });

  it('four parts at a time: after a kill with parts 5 and 6 in flight the resume sends exactly the parts the bucket lacks', async () => {
    const queued = { ...h.env, BYTEDROP_QUEUE_SIZE: '4' };
    const stalls = [5, 6].map((partNumber) => rgw.proxy.stall({ operation: 'UploadPart', partNumber }));
    const run = spawnCli(h.cli, ['upload', 'big.bin'], { cwd: h.work, env: queued });
    await Promise.all(stalls.map((stall) => stall.held));
    run.child.kill('SIGKILL');
    expect(await run.exited).toBe('SIGKILL');
    for (const stall of stalls) stall.remove();
    const open = await h.openUpload();
    const listed = await inspector(rgw.direct).send(
      new ListPartsCommand({ Bucket: rgw.bucket, Key: open?.key, UploadId: open?.uploadId }),
    );
    const held = new Set((listed.Parts ?? []).map((part) => part.PartNumber));
    const missing = [1, 2, 3, 4, 5, 6, 7, 8].filter((n) => !held.has(n));
    expect(missing).toEqual(expect.arrayContaining([5, 6]));

    const since = rgw.requests.length;
    const next = await runCli(h.cli, ['upload', 'big.bin'], { cwd: h.work, env: queued });
    expect(next.code, next.stderr).toBe(0);
    // Exactly the parts the bucket did not hold, whatever order they went out in.
    expect(
      h
        .parts(since)
        .map((r) => r.partNumber)
        .sort(),
    ).toEqual(missing);
    const key = next.stdout.trim().slice(`${rgw.endpoint}/${rgw.bucket}/`.length);
    const stored = await getBytes(inspector(rgw.direct), rgw.bucket, key);
    expect(Buffer.from(stored).equals(h.content)).toBe(true);
    expect(await openUploads(inspector(rgw.direct), rgw.bucket)).toEqual([]);
  });

  it('the network cut mid-part: the run fails, the next one resumes from that part', async () => {
    const since = rgw.requests.length;
    const run = spawnCli(h.cli, ['upload', 'big.bin'], { cwd: h.work, env: h.env });
    const part5 = await rgw.proxy.seen('UploadPart', { partNumber: 5 });
    await rgw.proxy.forwarded(part5, MiB);
    const outage = await rgw.proxy.outage('reset');
    expect(await run.exited).toBe(1);
    await outage.end();
    expect(run.stderr).toContain('stays open with the parts that finished');

    const next = await h.finish();
    expect(next.parts.map((r) => r.partNumber)).toEqual([5, 6, 7, 8]);
    expect(h.sent(h.parts(since)) - SIZE).toBeLessThanOrEqual(PART);
  });

  it('another command in between, bytedrop gc (even --all-uploads) and the doctor keep the interrupted upload', async () => {
    const killed = await h.interrupt('SIGKILL');
    await writeFile(join(h.work, 'small.txt'), 'hello');
    const other = await runCli(h.cli, ['upload', 'small.txt'], { cwd: h.work, env: h.env });
    expect(other.code, other.stderr).toBe(0);
    expect(other.stderr).not.toContain('aborted');
    const gc = await runCli(h.cli, ['gc', '--all-uploads', '--older-than', '0'], { cwd: h.work, env: h.env });
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).toContain(`kept unfinished upload ${killed.open.key} (${killed.open.uploadId})`);
    expect(await h.openUpload()).toEqual(killed.open);
    // Nor is it a leftover to the doctor.
    const doctor = await runCli(h.cli, ['doctor'], { cwd: h.work, env: h.env });
    expect(doctor.stdout).toContain('1 open multipart upload, each an interrupted upload kept for a resume');

    const next = await h.finish();
    expect(next.parts.map((r) => r.partNumber)).toEqual([5, 6, 7, 8]);
  });
});
