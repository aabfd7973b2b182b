/**
 * The CLI never hangs on a provider that stops answering: each request has a socket timeout, and the error names
 * the request that stalled. On radosgw behind the fault proxy, which holds the request and never answers it. The
 * test waits for nothing but the process's exit; a short BYTEDROP_SOCKET_TIMEOUT_S and two attempts per request
 * (BYTEDROP_MAX_ATTEMPTS) keep it short.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cleanEnv, coreDir, journalFiles, removeCli, runCli, s3EnvOf } from '../_support/cli';
import { useRgw } from '../_support/rgw';
import { abortAll, inspector, MiB, openUploads } from '../_support/s3';

const rgw = useRgw('cli-timeout');

describe('bytedrop upload against a provider that stalls', () => {
  let cli: string;
  let work: string;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    cli = await buildCli();
    work = await mkdtemp(join(coreDir, 'node_modules/.cache/bytedrop-cli-timeout-'));
    await writeFile(join(work, 'small.bin'), randomBytes(1024));
    await writeFile(join(work, 'big.bin'), randomBytes(12 * MiB));
    env = {
      ...cleanEnv(work),
      ...s3EnvOf(rgw),
      BYTEDROP_PART_SIZE_MB: '5',
      // Seconds, fractions allowed. Long enough for radosgw's real answers on a busy machine, short for a test.
      BYTEDROP_SOCKET_TIMEOUT_S: '0.5',
      BYTEDROP_MAX_ATTEMPTS: '2',
    };
  }, 240_000);
  afterAll(async () => {
    await removeCli(cli);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.each([
    ['PutObject', 'small.bin', { operation: 'PutObject' as const }],
    ['UploadPart 1', 'big.bin', { operation: 'UploadPart' as const, partNumber: 1 }],
  ])(
    'a stalled %s: exit 1, ERR_TIMEOUT naming it on stderr, nothing on stdout, nothing left but a multipart upload kept for a resume',
    async (request, file, match) => {
      rgw.proxy.stall(match, { times: 100 });
      const out = await runCli(cli, ['upload', file], { cwd: work, env });
      expect(out.code, out.stderr).toBe(1);
      expect(out.stdout).toBe('');
      expect(out.stderr).toMatch(
        new RegExp(`bytedrop: ${file}: the storage stopped answering .*\\(${request}, bucket `),
      );
      expect(out.stderr).toContain('[ERR_TIMEOUT]');
      // BYTEDROP_MAX_ATTEMPTS reached the store: the stalled request was tried twice, then given up.
      const stalled = rgw.requests.filter(
        (r) =>
          r.operation === match.operation && r.partNumber === (match as { partNumber?: number }).partNumber,
      );
      expect(stalled).toHaveLength(2);
      // A multipart upload cut by the network stays open and journaled: the same command again resumes it.
      const multipart = match.operation === 'UploadPart';
      if (multipart) expect(out.stderr).toContain('stays open with the parts that finished');
      const journal = join(work, '.local/state/bytedrop/journal');
      const open = await openUploads(inspector(rgw.direct), rgw.bucket);
      expect(open).toHaveLength(multipart ? 1 : 0);
      expect((await journalFiles(journal)).filter((f) => f.endsWith('.json'))).toHaveLength(open.length);
      // Not resumed here (cli-resume.test.ts does): the next test starts from an empty bucket and journal.
      await rm(journal, { recursive: true, force: true });
      await abortAll(inspector(rgw.direct), rgw.bucket);
    },
  );
});
