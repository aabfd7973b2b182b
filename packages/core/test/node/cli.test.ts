/**
 * The `bytedrop` CLI as users run it: the BUILT dist/node/cli.js in a child process, against a real s3rver.
 * Covers the Done-when checks (upload --format markdown, dedupe on re-run, endpoint without a scheme).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type S3Harness, startS3rver } from '../_setup/s3rver';
import {
  buildCli,
  cleanEnv,
  coreDir,
  journalFiles,
  type Outcome,
  removeCli,
  runCli,
  spawnCli,
} from '../_support/cli';
import { abortAll, inspector, listKeys, MiB, openUploads } from '../_support/s3';

const run = promisify(execFile);

/** A 1×1 PNG, so the upload is sniffed as an image and formatted as `![…](…)`. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('bytedrop CLI (built)', () => {
  let cli: string;
  let s3: S3Harness;
  let work: string;
  let baseEnv: Record<string, string | undefined>;

  beforeAll(async () => {
    [cli, s3] = await Promise.all([buildCli(), startS3rver({ buckets: ['cli-test', 'cli-other'] })]);
    work = await mkdtemp(join(coreDir, 'node_modules/.cache/bytedrop-cli-work-'));
    await writeFile(join(work, 'shot.png'), PNG);
    await writeFile(join(work, 'notes.txt'), 'some notes\n');
    await writeFile(join(work, 'data.bin'), Buffer.from([0, 1, 2, 3, 254, 255]));
    baseEnv = cleanEnv(work);
  }, 240_000);
  afterAll(async () => {
    await s3?.dispose();
    await removeCli(cli);
    if (work) await rm(work, { recursive: true, force: true });
  });

  const s3Env = (overrides: Record<string, string> = {}) => ({
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: s3.accessKeyId,
    S3_SECRET_KEY: s3.secretAccessKey,
    S3_BUCKET: s3.bucket,
    PUBLIC_DOMAIN: `${s3.endpoint}/${s3.bucket}`,
    ...overrides,
  });

  const bytedrop = (args: string[], env: Record<string, string> = {}): Promise<Outcome> =>
    runCli(cli, args, { cwd: work, env: { ...baseEnv, ...env } });

  const puts = () => s3.requests.filter((request) => request.method === 'PUT' || request.method === 'POST');

  it('uploads shot.png as a Markdown image whose URL serves the same bytes; a second run prints the same link and sends nothing', async () => {
    const first = await bytedrop(['upload', 'shot.png', '--format', 'markdown'], s3Env());
    // stderr may carry Node warnings from the AWS SDK (Node 20 support notice), but nothing from bytedrop.
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toContain('bytedrop:');
    const match =
      /^!\[shot\.png\]\((http:\/\/127\.0\.0\.1:\d+\/cli-test\/\d{4}\/\d{2}\/\d{2}\/shot-[0-9a-f]{16}\.png)\)\n$/.exec(
        first.stdout,
      );
    expect(match, first.stdout).not.toBeNull();
    const served = Buffer.from(await (await fetch(match![1]!)).arrayBuffer());
    expect(served.equals(PNG)).toBe(true);

    s3.requests.length = 0;
    const second = await bytedrop(['upload', 'shot.png', '--format', 'markdown'], s3Env());
    expect(second).toMatchObject({ code: 0, stdout: first.stdout });
    expect(puts()).toEqual([]);
  });

  it('fails with a message naming the scheme problem for S3_ENDPOINT=127.0.0.1:9000', async () => {
    const out = await bytedrop(['upload', 'shot.png'], s3Env({ S3_ENDPOINT: '127.0.0.1:9000' }));
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain("endpoint '127.0.0.1:9000' has no scheme");
    expect(out.stderr).toContain('http://127.0.0.1:9000');
  });

  it('prints one link per file, in input order, in each format', async () => {
    const urls = await bytedrop(['upload', 'notes.txt', 'shot.png', 'data.bin'], s3Env());
    expect(urls.code).toBe(0);
    const lines = urls.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/\/notes-[0-9a-f]{16}\.txt$/);
    expect(lines[1]).toMatch(/\/shot-[0-9a-f]{16}\.png$/);
    expect(lines[2]).toMatch(/\/data-[0-9a-f]{16}\.bin$/);
    const html = await bytedrop(['upload', 'shot.png', 'notes.txt', '--format', 'html'], s3Env());
    expect(html.stdout).toMatch(
      /^<img src="[^"]+shot-[0-9a-f]{16}\.png" alt="shot\.png" width="1" height="1">\n<a href="[^"]+notes-[0-9a-f]{16}\.txt">notes\.txt<\/a>\n$/,
    );
  });

  it('exits non-zero naming a missing file, keeps stdout empty, and lists the links that worked on stderr', async () => {
    const out = await bytedrop(['upload', 'shot.png', 'missing.png', 'notes.txt'], s3Env());
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain("missing.png: file not found: 'missing.png'");
    expect(out.stderr).toMatch(/uploaded shot\.png: http:\/\/\S+shot-[0-9a-f]{16}\.png/);
    expect(out.stderr).toMatch(/uploaded notes\.txt: http:\/\/\S+notes-[0-9a-f]{16}\.txt/);
    expect(out.stderr).toContain('1 of 3 file(s) failed');
  });

  it('rejects an unknown --format with exit code 2', async () => {
    const out = await bytedrop(['upload', 'shot.png', '--format', 'bbcode'], s3Env());
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("--format 'bbcode' is not supported: use url, markdown, html");
  });

  it('hash matches openssl dgst for sha256 and md5', async () => {
    for (const [flag, algorithm] of [
      ['-sha256', 'sha256'],
      ['-md5', 'md5'],
    ] as const) {
      const { stdout } = await run('openssl', ['dgst', flag, 'shot.png'], { cwd: work });
      const expected = stdout.trim().split('= ').at(-1);
      const out = await bytedrop(['hash', 'shot.png', '--algorithm', algorithm]);
      expect(out).toMatchObject({ code: 0, stdout: `${expected}\n` });
    }
    const missing = await bytedrop(['hash', 'nope.bin']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("file not found: 'nope.bin'");
  });

  it('doctor passes against s3rver, one line per check: ✓, and lifecycle n/a (s3rver has no lifecycle rules)', async () => {
    const out = await bytedrop(['doctor'], s3Env());
    expect(out.code, out.stdout).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines.map((line) => line.split(':')[0])).toEqual([
      '✓ Endpoint has a scheme',
      '✓ Config is valid',
      '✓ Credentials present',
      '✓ Bucket reachable',
      '✓ Clock in sync',
      '✓ Public URL serves uploads',
      '✓ Open multipart uploads',
      '✓ Temporary objects',
      '- Lifecycle rule aborts incomplete uploads',
      '! Bucket CORS exposes ETag',
      '    fix',
    ]);
    expect(out.stdout).toContain('the provider offers no lifecycle rules through its S3 API');
  });

  it.each([
    [
      'a wrong secret',
      { S3_SECRET_KEY: 'not-the-secret' },
      '✗ Bucket reachable',
      'wrong access key id or secret',
    ],
    [
      'a missing bucket',
      { S3_BUCKET: 'no-such-bucket' },
      '✗ Bucket reachable',
      "bucket 'no-such-bucket' does not exist",
    ],
    [
      'no scheme',
      { S3_ENDPOINT: '127.0.0.1:9000' },
      '✗ Endpoint has a scheme',
      "endpoint '127.0.0.1:9000' has no scheme",
    ],
    [
      'a public URL that 404s',
      { PUBLIC_DOMAIN: 'PLACEHOLDER' },
      '✗ Public URL serves uploads',
      'answered HTTP 404',
    ],
  ])('doctor names %s and exits 1', async (_label, overrides, line, detail) => {
    const env = s3Env(overrides);
    if (env.PUBLIC_DOMAIN === 'PLACEHOLDER') env.PUBLIC_DOMAIN = `${s3.endpoint}/cli-other`;
    const out = await bytedrop(['doctor'], env);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(line);
    expect(out.stdout).toContain(detail);
    expect(out.stdout).toMatch(/\n {4}fix: \S/);
  });

  it('reads --config files and names a malformed one with its path and position', async () => {
    const good = join(work, 'good.json');
    await writeFile(
      good,
      JSON.stringify({
        endpoint: s3.endpoint,
        bucket: s3.bucket,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
        publicBaseUrl: `${s3.endpoint}/${s3.bucket}`,
        keyTemplate: 'cfg/{name}-{hash:8}.{ext}',
      }),
    );
    const ok = await bytedrop(['upload', 'notes.txt', '--config', good]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/\/cli-test\/cfg\/notes-[0-9a-f]{8}\.txt\n$/);

    const bad = join(work, 'bad.json');
    await writeFile(bad, '{\n  "bucket": "x",\n}');
    const out = await bytedrop(['upload', 'notes.txt', '--config', bad]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`config file ${bad} is not valid JSON`);
    expect(out.stderr).toMatch(/line 3, column 1/);
    const doctor = await bytedrop(['doctor', '--config', join(work, 'absent.json')]);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(
      `✗ Config is valid: config file ${join(work, 'absent.json')} does not exist`,
    );
  });

  it('with no S3 configured, stores under BYTEDROP_DATA_DIR and links under the server /f/ route, saying so once', async () => {
    const out = await bytedrop(['upload', 'shot.png', 'notes.txt'], {
      BYTEDROP_DATA_DIR: 'local-data',
      PORT: '8123',
    });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr.match(/no S3 configured/g)).toHaveLength(1);
    expect(out.stderr).toContain(join(work, 'local-data'));
    const [image, text] = out.stdout.trimEnd().split('\n');
    expect(image).toMatch(/^http:\/\/localhost:8123\/f\/\d{4}\/\d{2}\/\d{2}\/shot-[0-9a-f]{16}\.png$/);
    expect(text).toMatch(/\/notes-[0-9a-f]{16}\.txt$/);
    const key = image!.replace('http://localhost:8123/f/', '');
    expect((await readFile(join(work, 'local-data', key))).equals(PNG)).toBe(true);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s mid-upload stops the multipart upload and keeps it for a resume: exit %i, nothing on stdout',
    async (signal, code) => {
      const name = `stopped-by-${signal.toLowerCase()}`;
      await writeFile(join(work, `${name}.bin`), randomBytes(64 * MiB));
      s3.requests.length = 0;
      const journal = join(work, '.local/state/bytedrop/journal');
      const child = spawnCli(cli, ['upload', `${name}.bin`], { cwd: work, env: { ...baseEnv, ...s3Env() } });
      await vi.waitFor(
        () =>
          expect(
            s3.requests.some((r) => r.method === 'PUT' && r.url.includes('partNumber=')),
            child.stderr,
          ).toBe(true),
        { timeout: 30_000, interval: 5 },
      );
      // The multipart upload is in the journal (in the user's state directory) before its first part is sent…
      expect(await journalFiles(journal)).toHaveLength(1);
      child.child.kill(signal);
      expect(await child.exited, child.stderr).toBe(code);
      expect(child.stdout).toBe('');
      expect(child.stderr).toContain(`${name}.bin`);
      // …and kept there, open, for the same command to resume (cli-resume.test.ts); no object was made.
      expect(child.stderr).toContain('stays open with the parts that finished');
      expect((await journalFiles(journal)).filter((f) => f.endsWith('.json'))).toHaveLength(1);
      const client = inspector(s3);
      const ours = (keys: string[]) => keys.filter((key) => key.includes(name));
      expect(ours(await openUploads(client, s3.bucket))).toHaveLength(1);
      expect(ours(await listKeys(client, s3.bucket))).toEqual([]);
      await rm(journal, { recursive: true, force: true });
      await abortAll(client, s3.bucket);
    },
  );

  it('answers --help and --version with exit code 0', async () => {
    const help = await bytedrop(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('upload <...files>');
    const version = await bytedrop(['--version']);
    expect(version.code).toBe(0);
    const { version: expected } = JSON.parse(await readFile(join(coreDir, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(version.stdout).toContain(`bytedrop/${expected}`);
  });
});
