/**
 * `bytedrop doctor` reports what dead uploads left and whether a lifecycle rule cleans up after them; `bytedrop gc`
 * removes it and installs that rule. On radosgw, a real S3 with its own multipart listing, aborts and lifecycle
 * configuration. Leftovers are made with a client of the test's own, straight to radosgw: a dead run's journal entry
 * (written with core's file journal, in a directory named after a process that has exited), an upload under the
 * temporary prefix, another tool's upload and a temporary object.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CreateMultipartUploadCommand,
  GetBucketLifecycleConfigurationCommand,
  type LifecycleRule,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { createFileJournal } from '../../src/node/file-journal';
import { createS3Store } from '../../src/stores/s3';
import { buildCli, cleanEnv, coreDir, removeCli, runCli, s3EnvOf } from '../_support/cli';
import { rgwConfig, useRgw } from '../_support/rgw';
import { inspector, listKeys, openUploads } from '../_support/s3';

const rgw = useRgw('cli-gc');

describe('bytedrop doctor and gc on a bucket with leftovers', () => {
  let cli: string;
  let work: string;
  let env: Record<string, string | undefined>;
  let journal: string;

  beforeAll(async () => {
    cli = await buildCli();
    work = await mkdtemp(join(coreDir, 'node_modules/.cache/bytedrop-cli-gc-'));
    journal = join(work, 'state/bytedrop/journal');
    env = {
      ...cleanEnv(work),
      XDG_STATE_HOME: join(work, 'state'),
      ...s3EnvOf(rgw),
    };
  }, 240_000);
  afterAll(async () => {
    await removeCli(cli);
    if (work) await rm(work, { recursive: true, force: true });
  });

  const bytedrop = (...args: string[]) => runCli(cli, args, { cwd: work, env });
  const client = () => inspector(rgw.direct);
  const lines = (stdout: string) => stdout.trimEnd().split('\n');

  /** Leftovers of every kind; resolves to the upload id the dead run's journal names. */
  async function makeLeftovers(): Promise<string> {
    const s3 = client();
    const start = async (key: string) =>
      (await s3.send(new CreateMultipartUploadCommand({ Bucket: rgw.bucket, Key: key }))).UploadId ?? '';
    const journaled = await start('notes/big.bin');
    await start('.bytedrop-tmp/stream-1');
    await start('backups/disk.img');
    await s3.send(new PutObjectCommand({ Bucket: rgw.bucket, Key: '.bytedrop-tmp/stream-2', Body: 'x' }));
    // A run that died: its process is gone, its journal entry is still there.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const storeId = createS3Store(parseConfig(rgwConfig(rgw))).id;
    await createFileJournal(join(journal, `${dead}@${hostname()}`)).add({
      kind: 'multipart',
      store: storeId,
      key: 'notes/big.bin',
      uploadId: journaled,
      started: Date.now(),
    });
    return journaled;
  }

  it('doctor warns (!) about each kind of leftover and the missing lifecycle rule, names the fix, exits 0', async () => {
    await makeLeftovers();
    const out = await bytedrop('doctor');
    expect(out.code, out.stdout).toBe(0);
    const found = lines(out.stdout);
    expect(found.slice(0, 6).every((line) => line.startsWith('✓ '))).toBe(true);
    expect(found.slice(6)).toEqual([
      expect.stringMatching(
        /^! Open multipart uploads: 3 open multipart uploads, the oldest started .+ ago: 1 in Bytedrop's journal \(left by a run that died\), 1 under \.bytedrop-tmp\/, 1 of other tools or still in progress/,
      ),
      expect.stringMatching(/^ {4}fix: run 'bytedrop gc': .*'--all-uploads'/),
      expect.stringMatching(/^! Temporary objects: 1 object under \.bytedrop-tmp\/, the oldest .+ old/),
      expect.stringMatching(/^ {4}fix: run 'bytedrop gc'/),
      '! Lifecycle rule aborts incomplete uploads: the bucket has no lifecycle rules: parts of an upload that dies stay, and are billed, until something aborts them',
      expect.stringMatching(/^ {4}fix: run 'bytedrop gc --lifecycle'/),
      expect.stringMatching(/^! Bucket CORS exposes ETag: bucket '.+' has no CORS configuration/),
      expect.stringMatching(/^ {4}fix: run `bytedrop doctor --fix-cors/),
    ]);

    const gc = await bytedrop('gc', '--older-than', '0', '--all-uploads');
    expect(gc.code, gc.stderr).toBe(0);
    const after = lines((await bytedrop('doctor')).stdout);
    expect(after).toContain('✓ Open multipart uploads: no open multipart uploads');
    expect(after).toContain('✓ Temporary objects: nothing under .bytedrop-tmp/');
  });

  it('gc takes what dead runs left at once, temporary leftovers past --older-than, every upload with --all-uploads', async () => {
    const journaled = await makeLeftovers();
    const s3 = client();

    const first = await bytedrop('gc');
    expect(first.code, first.stderr).toBe(0);
    expect(lines(first.stdout)).toEqual([
      `aborted unfinished upload notes/big.bin (${journaled}): left by a run that died`,
      'gc: aborted 1 unfinished upload',
    ]);
    // The default threshold (24h) spares everything younger: uploads in progress are never touched.
    expect((await openUploads(s3, rgw.bucket)).sort()).toEqual([
      '.bytedrop-tmp/stream-1',
      'backups/disk.img',
    ]);
    expect(await readdir(journal)).toEqual([]);

    const all = await bytedrop('gc', '--older-than', '0');
    expect(lines(all.stdout)).toEqual([
      expect.stringMatching(
        /^aborted unfinished upload \.bytedrop-tmp\/stream-1 \(.+\): under \.bytedrop-tmp\/, of any age$/,
      ),
      'deleted .bytedrop-tmp/stream-2: under .bytedrop-tmp/, of any age',
      'gc: aborted 1 unfinished upload and deleted 1 temporary object',
    ]);
    // Another tool's upload is not Bytedrop's to abort unless asked.
    expect(await openUploads(s3, rgw.bucket)).toEqual(['backups/disk.img']);
    expect(await listKeys(s3, rgw.bucket, '.bytedrop-tmp/')).toEqual([]);

    const everything = await bytedrop('gc', '--older-than', '0', '--all-uploads');
    expect(lines(everything.stdout)).toEqual([
      expect.stringMatching(
        /^aborted unfinished upload backups\/disk\.img \(.+\): of any age \(--all-uploads\)$/,
      ),
      'gc: aborted 1 unfinished upload',
    ]);
    expect(await openUploads(s3, rgw.bucket)).toEqual([]);

    const nothing = await bytedrop('gc');
    expect(nothing.stdout).toBe(
      'gc: nothing to clean up (no run that died left any, nothing under .bytedrop-tmp/ older than 1 day)\n',
    );
  });

  it('gc --lifecycle adds the abort and expiry rules, keeps the bucket’s other rules, and is idempotent', async () => {
    const s3 = client();
    const keepLogs: LifecycleRule = {
      ID: 'keep-logs',
      Status: 'Enabled',
      Filter: { Prefix: 'logs/' },
      Expiration: { Days: 30 },
    };
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: rgw.bucket,
        LifecycleConfiguration: { Rules: [keepLogs] },
      }),
    );
    const before = lines((await bytedrop('doctor')).stdout);
    expect(before).toContain(
      "! Lifecycle rule aborts incomplete uploads: none of the bucket's 1 lifecycle rule aborts incomplete multipart uploads in the whole bucket: parts of an upload that dies stay, and are billed, until something aborts them",
    );

    for (let run = 0; run < 2; run++) {
      const out = await bytedrop('gc', '--lifecycle');
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toContain(
        'lifecycle: installed bytedrop-abort-incomplete-uploads, bytedrop-expire-temp (abort incomplete multipart uploads, expire temporary objects, after 1 day); kept 1 other rule(s) (keep-logs)',
      );
      const { Rules } = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: rgw.bucket }));
      expect(Rules?.map((rule) => rule.ID).sort()).toEqual([
        'bytedrop-abort-incomplete-uploads',
        'bytedrop-expire-temp',
        'keep-logs',
      ]);
      expect(Rules?.find((rule) => rule.ID === 'keep-logs')).toMatchObject(keepLogs);
      expect(Rules?.find((rule) => rule.ID === 'bytedrop-expire-temp')).toMatchObject({
        Filter: { Prefix: '.bytedrop-tmp/' },
        Expiration: { Days: 1 },
      });
    }
    expect(lines((await bytedrop('doctor')).stdout)).toContain(
      "✓ Lifecycle rule aborts incomplete uploads: rule 'bytedrop-abort-incomplete-uploads' aborts incomplete multipart uploads 1 day after they start",
    );
  });

  it.each([
    [
      ['--older-than', 'abc'],
      "--older-than 'abc' is not a duration: write e.g. 24h, 30m, 7d, or 0 for everything",
    ],
    [['--older-than', '10'], '--older-than 10 has no unit: write e.g. 10h, 10m or 10d (or 0)'],
    [['--older-than=-1h'], "--older-than '-1h' is not a duration"],
    [['--older-than'], '--older-than <duration>` value is missing'],
    [['--every-upload'], 'Unknown option `--everyUpload`'],
  ])('gc %j: exit 2, the fix on stderr, no request sent', async (args, message) => {
    const out = await bytedrop('gc', ...args);
    expect(out.code, out.stderr).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(message);
    expect(rgw.requests).toEqual([]);
  });
});

describe('bytedrop gc and doctor with no S3 configured (local disk)', () => {
  let cli: string;
  let work: string;
  let env: Record<string, string | undefined>;
  const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);

  beforeAll(async () => {
    cli = await buildCli();
    work = await mkdtemp(join(coreDir, 'node_modules/.cache/bytedrop-cli-gc-local-'));
    env = { ...cleanEnv(work), BYTEDROP_DATA_DIR: 'data' };
  }, 240_000);
  afterAll(async () => {
    await removeCli(cli);
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** A file at `path` under the data directory, last modified at `mtime`. */
  async function leftover(path: string, mtime: Date) {
    const file = join(work, 'data', path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, 'partial bytes');
    await utimes(file, mtime, mtime);
  }

  it('gc deletes partial and temporary files older than --older-than; --lifecycle and --all-uploads need S3', async () => {
    await leftover('.bytedrop-partial/3f2a', twoDaysAgo);
    await leftover('.bytedrop-tmp/9c1d', twoDaysAgo);
    await leftover('.bytedrop-partial/in-progress', new Date());
    const out = await runCli(cli, ['gc'], { cwd: work, env });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.trimEnd().split('\n').sort()).toEqual([
      'deleted .bytedrop-partial/3f2a: partial or temporary, older than 1 day',
      'deleted .bytedrop-tmp/9c1d: partial or temporary, older than 1 day',
      'gc: deleted 2 partial or temporary files',
    ]);
    expect(await readdir(join(work, 'data/.bytedrop-partial'))).toEqual(['in-progress']);

    for (const flag of ['--lifecycle', '--all-uploads']) {
      const refused = await runCli(cli, ['gc', flag], { cwd: work, env });
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain(`${flag} needs an S3 bucket, and none is configured`);
    }
  });

  it('doctor says a lifecycle rule is n/a', async () => {
    const out = await runCli(cli, ['doctor'], { cwd: work, env });
    expect(out.code, out.stdout).toBe(0);
    expect(out.stdout).toContain(
      "- Lifecycle rule aborts incomplete uploads: n/a: local disk has no lifecycle rules; 'bytedrop gc' sweeps its partial and temporary files",
    );
  });
});
