/**
 * `bytedrop doctor` checks the bucket CORS that browser uploads straight to S3 need (PUT allowed, `ETag` exposed),
 * and `--fix-cors <origin>` sets it, keeping other rules. On radosgw, which keeps and applies bucket CORS: the
 * preflight a browser sends before a part PUT is answered from the rule the doctor set.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteBucketCorsCommand, GetBucketCorsCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cleanEnv, coreDir, removeCli, runCli, s3EnvOf } from '../_support/cli';
import { useRgw } from '../_support/rgw';
import { inspector } from '../_support/s3';

const rgw = useRgw('cli-cors');
const PAGE = 'http://page.test';

describe('bytedrop doctor and the bucket CORS', () => {
  let cli: string;
  let work: string;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    cli = await buildCli();
    work = await mkdtemp(join(coreDir, 'node_modules/.cache/bytedrop-cli-cors-'));
    env = {
      ...cleanEnv(work),
      XDG_STATE_HOME: join(work, 'state'),
      ...s3EnvOf({ ...rgw, endpoint: rgw.direct.endpoint }),
    };
  }, 240_000);
  afterAll(async () => {
    await removeCli(cli);
    if (work) await rm(work, { recursive: true, force: true });
  });

  const doctor = (...args: string[]) => runCli(cli, ['doctor', ...args], { cwd: work, env });
  const corsLines = (stdout: string) => {
    const lines = stdout.trimEnd().split('\n');
    const at = lines.findIndex((line) => line.includes('Bucket CORS exposes ETag'));
    return lines.slice(at, at + 2);
  };
  /** The preflight Chromium sends before a presigned part PUT from `origin`. */
  const preflight = (origin: string) =>
    fetch(`${rgw.direct.endpoint}/${rgw.bucket}/some-key?partNumber=1&uploadId=x`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'PUT' },
    });

  it('warns when the bucket has no CORS, names the fix, and still exits 0', async () => {
    await inspector(rgw.direct).send(new DeleteBucketCorsCommand({ Bucket: rgw.bucket }));
    const out = await doctor();
    expect(out.code, out.stdout).toBe(0);
    expect(corsLines(out.stdout)).toEqual([
      `! Bucket CORS exposes ETag: bucket '${rgw.bucket}' has no CORS configuration: browsers cannot upload to it directly (Uppy's @uppy/aws-s3 through the server's /s3/multipart routes); other uploads are not affected`,
      '    fix: run `bytedrop doctor --fix-cors <origin of the page that uploads>`',
    ]);
    expect((await preflight(PAGE)).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('--fix-cors sets the rule (other rules kept), and radosgw answers the preflight from it', async () => {
    const s3 = inspector(rgw.direct);
    const other = { ID: 'theirs', AllowedOrigins: ['https://other.test'], AllowedMethods: ['GET'] };
    await s3.send(
      new PutBucketCorsCommand({ Bucket: rgw.bucket, CORSConfiguration: { CORSRules: [other] } }),
    );
    const before = await doctor();
    expect(corsLines(before.stdout)[0]).toContain('none lets a page PUT and read the ETag header');

    const out = await doctor('--fix-cors', PAGE);
    expect(out.code, out.stdout).toBe(0);
    expect(corsLines(out.stdout)[0]).toBe(
      `✓ Bucket CORS exposes ETag: set: pages at ${PAGE} may PUT parts and read their ETag`,
    );
    const rules = (await s3.send(new GetBucketCorsCommand({ Bucket: rgw.bucket }))).CORSRules ?? [];
    expect(rules.map((rule) => rule.ID).sort()).toEqual(['bytedrop-direct-uploads', 'theirs']);
    const answer = await preflight(PAGE);
    expect(answer.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(answer.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('etag');
    expect((await preflight('http://elsewhere.test')).headers.get('access-control-allow-origin')).toBeNull();

    // Again is the same: the rule is replaced, not added twice.
    await doctor('--fix-cors', PAGE);
    const again = (await s3.send(new GetBucketCorsCommand({ Bucket: rgw.bucket }))).CORSRules ?? [];
    expect(again).toHaveLength(2);
    expect(corsLines((await doctor()).stdout)[0]).toMatch(
      /^✓ Bucket CORS exposes ETag: pages at http:\/\/page\.test/,
    );
  });

  it('--fix-cors with a page URL instead of an origin fails, naming the mistake', async () => {
    const out = await doctor('--fix-cors', 'page.test/upload');
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(
      "✗ Config is valid: --fix-cors 'page.test/upload' is not an origin: write the scheme and host of the page that uploads",
    );
  });
});
