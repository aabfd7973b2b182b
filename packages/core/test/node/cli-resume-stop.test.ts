/**
 * Ctrl-C (or SIGTERM) during `bytedrop upload` of a large file stops between parts: no new part starts, the parts in
 * flight finish and are journaled, so the next run sends none of them again. A second Ctrl-C stops at once. The built
 * CLI in a child process, on radosgw behind the fault proxy, which holds a part so the signal lands while it is in
 * flight, and counts what each run sent. (Kills and network cuts: cli-resume.test.ts.)
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListPartsCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { journalFiles, runCli, spawnCli } from '../_support/cli';
import { SIZE, useResumeHarness } from '../_support/cli-resume';
import { useRgw } from '../_support/rgw';
import { inspector } from '../_support/s3';

const rgw = useRgw('cli-resume-stop');
const STOPPING = 'stopping once the parts in flight finish';

describe('bytedrop upload stopped by a signal lets the parts in flight finish', () => {
  const h = useResumeHarness(rgw);

  /** The part numbers radosgw holds for the open upload. */
  const held = async () => {
    const open = await h.openUpload();
    const listed = await inspector(rgw.direct).send(
      new ListPartsCommand({ Bucket: rgw.bucket, Key: open?.key, UploadId: open?.uploadId }),
    );
    return (listed.Parts ?? []).map((part) => part.PartNumber);
  };

  /** The parts the journal says finished. */
  const journaled = async () => {
    const [entry] = (await journalFiles(h.journal)).filter((file) => file.endsWith('.json'));
    return JSON.parse(await readFile(join(h.journal, entry ?? ''), 'utf8')).resume.parts as number[];
  };

  it('Ctrl-C with part 5 in flight: part 5 finishes and is kept, the next run sends parts 6-8 only', async () => {
    const stall = rgw.proxy.stall({ operation: 'UploadPart', partNumber: 5 });
    const run = spawnCli(h.cli, ['upload', 'big.bin'], { cwd: h.work, env: h.env });
    await stall.held;
    run.child.kill('SIGINT');
    await run.said(STOPPING);
    // Only now may part 5 go on: the CLI has seen the signal while it was in flight.
    stall.release();
    expect(await run.exited, run.stderr).toBe(130);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Ctrl-C again stops at once');
    expect(run.stderr).toContain('stays open with the parts that finished');
    expect(await held()).toEqual([1, 2, 3, 4, 5]);
    expect(await journaled()).toEqual([1, 2, 3, 4, 5]);

    const next = await h.finish();
    expect(next.parts.map((r) => r.partNumber)).toEqual([6, 7, 8]);
    // Nothing was sent twice: both runs together sent the file's bytes once.
    expect(h.sent(h.parts(0))).toBe(SIZE);
  });

  it('four parts at a time: the parts in flight at Ctrl-C finish, and no part goes out twice', async () => {
    const queued = { ...h.env, BYTEDROP_QUEUE_SIZE: '4' };
    const stalls = [5, 6].map((partNumber) => rgw.proxy.stall({ operation: 'UploadPart', partNumber }));
    const run = spawnCli(h.cli, ['upload', 'big.bin'], { cwd: h.work, env: queued });
    await Promise.all(stalls.map((stall) => stall.held));
    run.child.kill('SIGINT');
    await run.said(STOPPING);
    for (const stall of stalls) stall.release();
    expect(await run.exited, run.stderr).toBe(130);
    const kept = await held();
    expect(kept).toEqual(expect.arrayContaining([1, 2, 3, 4, 5, 6]));
    expect((await journaled()).sort()).toEqual(kept);

    const since = rgw.requests.length;
    const next = await runCli(h.cli, ['upload', 'big.bin'], { cwd: h.work, env: queued });
    expect(next.code, next.stderr).toBe(0);
    const missing = [1, 2, 3, 4, 5, 6, 7, 8].filter((n) => !kept.includes(n));
    expect(
      h
        .parts(since)
        .map((r) => r.partNumber)
        .sort(),
    ).toEqual(missing);
    expect(h.sent(h.parts(0))).toBe(SIZE);
  });

  it('a second Ctrl-C stops at once: the part in flight is cut and sent again by the next run', async () => {
    const stall = rgw.proxy.stall({ operation: 'UploadPart', partNumber: 5 });
    const run = spawnCli(h.cli, ['upload', 'big.bin'], { cwd: h.work, env: h.env });
    await stall.held;
    run.child.kill('SIGINT');
    await run.said(STOPPING);
    run.child.kill('SIGINT');
    // Part 5 is still held: only the second signal can have ended the run.
    expect(await run.exited, run.stderr).toBe(130);
    expect(run.stderr).toContain('stopping at once');
    stall.remove();
    expect(await held()).toEqual([1, 2, 3, 4]);

    const next = await h.finish();
    expect(next.parts.map((r) => r.partNumber)).toEqual([5, 6, 7, 8]);
  });

  it('Ctrl-C while a small file goes out in one request: it finishes, the next file never starts, stdout stays empty', async () => {
    await writeFile(join(h.work, 'small.txt'), 'stopped-between-files');
    const stall = rgw.proxy.stall({ operation: 'PutObject' });
    const run = spawnCli(h.cli, ['upload', 'small.txt', 'big.bin'], { cwd: h.work, env: h.env });
    await stall.held;
    run.child.kill('SIGINT');
    await run.said(STOPPING);
    stall.release();
    expect(await run.exited, run.stderr).toBe(130);
    // One link per file or none: the one that finished is named on stderr only.
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/uploaded small\.txt: http/);
    expect(run.stderr).toContain('big.bin: not started: the run was interrupted');
    expect(h.parts(0)).toEqual([]);
    expect(await h.openUpload()).toBeUndefined();
  });

  it('SIGTERM during a resumed upload: the part in flight finishes, the third run sends the rest', async () => {
    await h.interrupt('SIGKILL');
    const stall = rgw.proxy.stall({ operation: 'UploadPart', partNumber: 6 });
    const since = rgw.requests.length;
    const run = spawnCli(h.cli, ['upload', 'big.bin'], { cwd: h.work, env: h.env });
    await stall.held;
    run.child.kill('SIGTERM');
    await run.said(STOPPING);
    stall.release();
    expect(await run.exited, run.stderr).toBe(143);
    expect(run.stderr).toContain('resuming the interrupted upload');
    expect(run.stderr).toContain('SIGTERM again stops at once');
    expect(h.parts(since).map((r) => r.partNumber)).toEqual([5, 6]);
    expect(await held()).toEqual([1, 2, 3, 4, 5, 6]);

    const next = await h.finish();
    expect(next.parts.map((r) => r.partNumber)).toEqual([7, 8]);
    // Three runs of the CLI: 16 s alone, over a minute on a loaded machine.
  }, 180_000);
});
