/**
 * `bytedrop upload` killed outright (SIGKILL: no handler runs, nothing is aborted) leaves a multipart upload on the
 * bucket; the journal in the user's state directory keeps it for a resume for a day, then lets the next run abort it. On radosgw, a real S3 whose
 * multipart listing and aborts are its own, behind the fault proxy that holds a part so the kill lands mid-upload.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESUME_WINDOW } from '../../src/journal';
import {
  buildCli,
  cleanEnv,
  coreDir,
  journalFiles,
  removeCli,
  runCli,
  s3EnvOf,
  spawnCli,
} from '../_support/cli';
import { useRgw } from '../_support/rgw';
import { inspector, MiB, openUploads } from '../_support/s3';

const rgw = useRgw('cli-recover');

describe('bytedrop upload recovers what a killed run left', () => {
  let cli: string;
  let work: string;
  let env: Record<string, string | undefined>;
  let journal: string;

  beforeAll(async () => {
    cli = await buildCli();
    work = await mkdtemp(join(coreDir, 'node_modules/.cache/bytedrop-cli-recover-'));
    // Four 5 MiB parts: a multipart upload, whose second part the proxy can hold.
    await writeFile(join(work, 'big.bin'), randomBytes(20 * MiB));
    journal = join(work, 'state/bytedrop/journal');
    env = {
      ...cleanEnv(work),
      XDG_STATE_HOME: join(work, 'state'),
      ...s3EnvOf(rgw),
      BYTEDROP_PART_SIZE_MB: '5',
    };
  }, 240_000);
  afterAll(async () => {
    await removeCli(cli);
    if (work) await rm(work, { recursive: true, force: true });
  });

  const upload = async (name: string) => {
    await writeFile(join(work, name), randomBytes(1024));
    return runCli(cli, ['upload', name], { cwd: work, env });
  };

  it('SIGKILL mid multipart upload leaves it open and journaled for a resume; once past the resume window the next run aborts it and says so', async () => {
    const held = rgw.proxy.stall({ operation: 'UploadPart', partNumber: 2 }).held;
    const killed = spawnCli(cli, ['upload', 'big.bin'], { cwd: work, env });
    await held;
    killed.child.kill('SIGKILL');
    expect(await killed.exited).toBe('SIGKILL');
    const client = inspector(rgw.direct);
    const orphans = await openUploads(client, rgw.bucket);
    expect(orphans).toHaveLength(1);
    const [entryFile] = (await journalFiles(journal)).filter((file) => file.endsWith('.json'));
    expect(entryFile).toBeDefined();

    // Within the resume window another run leaves it for `bytedrop upload big.bin` to continue (cli-resume.test.ts).
    const kept = await upload('kept.txt');
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).not.toContain('aborted');
    expect(await openUploads(client, rgw.bucket)).toEqual(orphans);

    // A day later (the journal entry made older, not the clock) nothing is to be resumed any more.
    const path = join(journal, entryFile ?? '');
    const entry = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...entry, started: entry.started - RESUME_WINDOW - 1 }));
    const next = await upload('small.txt');
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(
      `bytedrop: aborted 1 unfinished upload left by an earlier run (${orphans[0]} (`,
    );
    expect(next.stdout).toMatch(/\/small-[0-9a-f]{16}\.txt\n$/);
    expect(await openUploads(client, rgw.bucket)).toEqual([]);
    // Nothing left in the journal, not even the dead run's directory.
    expect(await readdir(journal)).toEqual([]);
  });

  it('a run in progress is never taken for a dead one: another run at the same time leaves its upload alone', async () => {
    const stall = rgw.proxy.stall({ operation: 'UploadPart', partNumber: 2 });
    const first = spawnCli(cli, ['upload', 'big.bin'], { cwd: work, env });
    await stall.held;
    expect(await journalFiles(journal)).toHaveLength(1);

    const second = await upload('other.txt');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('aborted');
    expect(await openUploads(inspector(rgw.direct), rgw.bucket)).toHaveLength(1);

    stall.release();
    expect(await first.exited, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/\/big-[0-9a-f]{16}\.bin\n$/);
    expect(await openUploads(inspector(rgw.direct), rgw.bucket)).toEqual([]);
    expect(await readdir(journal)).toEqual([]);
  });
});
