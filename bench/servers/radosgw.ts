/**
 * Ceph radosgw, a real S3 (SigV4 checked, Content-MD5 verified, multipart bookkeeping), through the project's test
 * harness: one mon, one memstore OSD and radosgw, started in a temporary directory on random ports. Run as a forked
 * child, so the daemons die with it (the harness starts them under `setpriv --pdeathsig`).
 *
 * memstore keeps every object in RAM, and deleted ones until garbage collection, about 1.7 GB of OSD memory per GiB
 * stored. So 'reclaim' deletes every object in the bench bucket and runs rgw's garbage collection at once, and the
 * bench sends it after each 1 GiB upload and each endpoint run: the cluster then holds at most one run's data.
 *
 * Sends `{ target: { port, accessKeyId, secretAccessKey } }` over IPC once the bucket exists; answers 'usage' with
 * the RSS and CPU time of the three daemons (from /proc, since their CPU is what the S3 side costs), 'requests'
 * with `{}` (radosgw keeps no per-method counts the bench could read cheaply), and 'reclaim' with `{ reclaimed }`.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import { startRadosgw } from '../../packages/core/test/_setup/radosgw.js';

const BUCKET = 'bytedrop-bench';
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

delete process.env.AWS_CA_BUNDLE; // breaks plain-http loopback in the SDK
const harness = await startRadosgw({ bucket: BUCKET });
const conf = join(harness.directory, 'ceph.conf');
const client = new S3Client({
  endpoint: harness.endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: harness.accessKeyId, secretAccessKey: harness.secretAccessKey },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});

/** RSS (bytes) and CPU time (user + system, ms) summed over the daemons. */
async function usage(): Promise<{ rss: number; cpuMs: number }> {
  let rss = 0;
  let ticks = 0;
  for (const pid of harness.pids) {
    const [stat, status] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''),
      readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''),
    ]);
    // Fields after the command name (which may hold spaces, hence the last ')'): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    rss += Number(status.match(/^VmRSS:\s+(\d+) kB/m)?.[1] ?? 0) * 1024;
  }
  return { rss, cpuMs: (ticks / TICKS_PER_SECOND) * 1000 };
}

/** Deletes every object in the bucket, then has rgw free their data now instead of after its 30 s GC wait. */
async function reclaim(): Promise<number> {
  let deleted = 0;
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }),
    );
    const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key ?? '' }));
    if (keys.length > 0) {
      await client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: keys, Quiet: true } }));
      deleted += keys.length;
    }
    token = page.NextContinuationToken;
  } while (token);
  const { CEPH_ARGS: _args, CEPH_CONF: _conf, ...env } = process.env;
  await promisify(execFile)('radosgw-admin', ['-c', conf, 'gc', 'process', '--include-all'], {
    env,
    timeout: 120_000,
  });
  return deleted;
}

process.send?.({
  target: { port: harness.port, accessKeyId: harness.accessKeyId, secretAccessKey: harness.secretAccessKey },
});
process.on('message', (message) => {
  if (message === 'usage') void usage().then((u) => process.send?.({ usage: u }));
  if (message === 'requests') process.send?.({ requests: {} });
  if (message === 'reclaim') {
    reclaim().then(
      (count) => process.send?.({ reclaimed: count }),
      (error: unknown) => {
        process.stderr.write(`radosgw: reclaim failed: ${String(error)}\n`);
        process.send?.({ reclaimed: -1 });
      },
    );
  }
});
process.on('disconnect', () => {
  client.destroy();
  harness.dispose().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
