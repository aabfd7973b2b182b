/**
 * The harness of the CLI resume tests (two files, so the slow radosgw runs spread over two workers): the built CLI, a
 * working directory with its state directory and a fresh `big.bin` per test, and the steps every test takes:
 * interrupt an upload with part 5 held at the fault proxy, and finish it with a second run that is checked byte for
 * byte with nothing left open or journaled.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { buildCli, cleanEnv, coreDir, journalFiles, removeCli, runCli, s3EnvOf, spawnCli } from './cli';
import type { ProxiedRequest } from './fault-proxy';
import type { RgwHarness } from './rgw';
import { getBytes, inspector, openUploads, PART } from './s3';

/** The test file: eight parts. */
export const SIZE = 8 * PART;

/** Registers the hooks and returns the harness, whose fields are set once `beforeAll` and `beforeEach` ran. */
export function useResumeHarness(rgw: RgwHarness) {
  const h = {
    cli: '',
    work: '',
    env: {} as Record<string, string | undefined>,
    journal: '',
    content: Buffer.alloc(0),

    /** The one multipart upload open in the test's bucket, if any. */
    async openUpload(): Promise<{ key: string; uploadId: string } | undefined> {
      const list = await inspector(rgw.direct).send(new ListMultipartUploadsCommand({ Bucket: rgw.bucket }));
      const [upload, ...more] = list.Uploads ?? [];
      expect(more).toEqual([]);
      return upload ? { key: upload.Key ?? '', uploadId: upload.UploadId ?? '' } : undefined;
    },
    parts: (since: number) => rgw.requests.slice(since).filter((r) => r.operation === 'UploadPart'),
    sent: (requests: ProxiedRequest[]) => requests.reduce((sum, r) => sum + r.bytesForwarded, 0),

    /** Starts an upload of big.bin, holds part 5 (parts 1-4 are done by then) and stops the CLI with `signal`. */
    async interrupt(signal: NodeJS.Signals) {
      const stall = rgw.proxy.stall({ operation: 'UploadPart', partNumber: 5 });
      const run = spawnCli(h.cli, ['upload', 'big.bin'], { cwd: h.work, env: h.env });
      await stall.held;
      run.child.kill(signal);
      const exited = await run.exited;
      stall.remove();
      const open = await h.openUpload();
      if (!open) throw new Error(`no upload left open; the CLI said: ${run.stderr}`);
      return { exited, stderr: run.stderr, open };
    },

    /** Runs the same command again; checks the link's bytes and that nothing is left open or journaled. */
    async finish(args: string[] = []) {
      const since = rgw.requests.length;
      const next = await runCli(h.cli, ['upload', 'big.bin', ...args], { cwd: h.work, env: h.env });
      expect(next.code, next.stderr).toBe(0);
      const key = next.stdout.trim().slice(`${rgw.endpoint}/${rgw.bucket}/`.length);
      const stored = await getBytes(inspector(rgw.direct), rgw.bucket, key);
      expect(createHash('sha256').update(stored).digest('hex')).toBe(
        createHash('sha256').update(h.content).digest('hex'),
      );
      expect(Buffer.from(stored).equals(h.content)).toBe(true);
      expect(await openUploads(inspector(rgw.direct), rgw.bucket)).toEqual([]);
      expect(await journalFiles(h.journal)).toEqual([]);
      return { ...next, parts: h.parts(since) };
    },
  };

  beforeAll(async () => {
    h.cli = await buildCli();
    h.work = await mkdtemp(join(coreDir, 'node_modules/.cache/bytedrop-cli-resume-'));
    h.journal = join(h.work, 'state/bytedrop/journal');
    h.env = {
      ...cleanEnv(h.work),
      XDG_STATE_HOME: join(h.work, 'state'),
      ...s3EnvOf(rgw),
      BYTEDROP_PART_SIZE_MB: '5',
      // One part in flight at a time: the cut lands after exactly the parts the test waited for.
      BYTEDROP_QUEUE_SIZE: '1',
      BYTEDROP_MAX_ATTEMPTS: '1',
    };
  }, 240_000);
  afterAll(async () => {
    await removeCli(h.cli);
    if (h.work) await rm(h.work, { recursive: true, force: true });
  });
  beforeEach(async () => {
    // Each test its own bytes (so its own key) and a bucket with nothing open.
    h.content = randomBytes(SIZE);
    await writeFile(join(h.work, 'big.bin'), h.content);
    expect(await openUploads(inspector(rgw.direct), rgw.bucket)).toEqual([]);
  });
  afterEach(async () => {
    // A failed test's open upload must not fail the next one too.
    const open = await h.openUpload().catch(() => undefined);
    if (open) {
      await inspector(rgw.direct).send(
        new AbortMultipartUploadCommand({ Bucket: rgw.bucket, Key: open.key, UploadId: open.uploadId }),
      );
    }
    await rm(join(h.work, 'state'), { recursive: true, force: true });
  });
  return h;
}
