/**
 * 2. Large upload: the 1 GiB file to the same loopback S3 server through Bytedrop's CLI and library, core without
 * issue 10's checks, rclone and plain lib-storage, against the bench sink (discards bytes), s3rver (SigV4-verifying,
 * writes to disk) and radosgw (a real S3, objects in RAM).
 *
 * Like for like: Bytedrop and rclone get the same part size and concurrency (Bytedrop's defaults, passed to rclone
 * as --s3-chunk-size/--s3-upload-concurrency). Both read the file twice: Bytedrop hashes SHA-256 to name the key,
 * rclone (checksums on, its default) hashes MD5 to store as metadata, then each streams the parts. lib-storage
 * keeps its own defaults and hashes nothing beyond SigV4's payload hash, which all three pay. "core without the
 * checks" is the same file through the same store with the checks left out (clients/unchecked.mjs).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchContext } from '../lib/context.js';
import { RUN_DIR } from '../lib/context.js';
import { type ProcessSample, runMeasured } from '../lib/measure.js';
import type { SectionResult } from '../lib/report.js';
import { bytedropConfig, clientFor, verifyAndDelete } from '../lib/s3.js';
import { type S3Target, type ServerKind, serverMissing, startServer } from '../lib/servers.js';
import { summarize } from '../lib/stats.js';
import { bytedropParts, CLIENT, type UploadClient, uploadClients } from '../lib/upload-clients.js';
import { type Row, uploadReport } from './upload-report.js';

/**
 * Which clients run against which server. The sink shows each client's own cost, so all of them run there. s3rver
 * and radosgw spend most of each upload storing it, and at 13–25 s per GiB a full matrix would not fit the bench:
 * s3rver runs the pairs the targets compare (Bytedrop library against rclone, and against core without the checks),
 * radosgw the CLI and the library against rclone.
 */
const PLAN: { kind: ServerKind; only?: string[] }[] = [
  { kind: 'sink' },
  { kind: 's3rver', only: [CLIENT.library, CLIENT.unchecked, CLIENT.rclone] },
  { kind: 'radosgw', only: [CLIENT.cli, CLIENT.library, CLIENT.rclone] },
];

const skippedRow = (server: ServerKind, client: string, why: string): Row => ({
  server,
  client,
  wallS: summarize([]),
  cpuS: summarize([]),
  rssMB: summarize([]),
  samples: [],
  skipped: why,
});

/** Every client of the plan against one server, round-robin; returns a row per client. */
async function measureServer(
  ctx: BenchContext,
  target: S3Target,
  clients: UploadClient[],
  rows: Row[],
): Promise<void> {
  const { kind } = target;
  const s3 = clientFor(target);
  const usable: UploadClient[] = [];
  for (const client of clients) {
    const why = await client.missing();
    if (why) rows.push(skippedRow(kind, client.name, why));
    else usable.push(client);
  }
  const samples = new Map<string, ProcessSample[]>(usable.map((c) => [c.name, []]));
  // A client that fails drops out of the rounds with its error in the table; the others go on.
  const failed = new Map<string, string>();
  for (let i = -ctx.warmups; i < ctx.runs; i++) {
    // Round-robin, each round starting one client later, so slow drift (disk, page cache, the server's store) and
    // whatever ran just before hit each client alike.
    const shift = ((i % usable.length) + usable.length) % usable.length;
    const round = [...usable.slice(shift), ...usable.slice(0, shift)];
    for (const client of round.filter((c) => !failed.has(c.name))) {
      ctx.log(`upload ${kind}: ${client.name} ${i < 0 ? 'warm-up' : `run ${i + 1}/${ctx.runs}`}`);
      // Warm-ups upload the small file: they are there to load binaries, modules and the server's code paths,
      // which a 1 GiB run would do no better at 15 times the cost.
      const [file, size] = i < 0 ? [ctx.warmFile, ctx.warmFileSize] : [ctx.bigFile, ctx.bigFileSize];
      const invocation = client.invoke(target, i + ctx.warmups, file);
      try {
        const sample = await runMeasured(invocation.command, invocation.args, {
          timeoutMs: 600_000,
          ...(invocation.env ? { env: invocation.env } : {}),
        });
        await verifyAndDelete(s3, target.bucket, invocation.key(sample.stdout), size);
        // Outside the clock: radosgw frees the deleted object's RAM now, not after its GC wait.
        await target.reclaim();
        if (i >= 0) samples.get(client.name)?.push(sample);
      } catch (error) {
        ctx.log(`upload ${kind}: ${client.name} failed: ${String(error)}`);
        failed.set(client.name, `failed: ${String(error).split('\n')[0]?.slice(0, 300)}`);
      }
    }
  }
  s3.destroy();
  for (const client of usable) {
    const list = samples.get(client.name) ?? [];
    rows.push({
      server: kind,
      client: client.name,
      wallS: summarize(list.map((s) => s.wallS)),
      cpuS: summarize(list.map((s) => s.cpuS)),
      rssMB: summarize(list.map((s) => s.rssMB)),
      samples: list.map(({ wallS, cpuS, rssMB }) => ({ wallS, cpuS, rssMB })),
      ...(failed.has(client.name) ? { skipped: failed.get(client.name) } : {}),
    });
  }
}

export async function uploadSection(ctx: BenchContext): Promise<SectionResult> {
  const dir = await mkdtemp(join(RUN_DIR, 'upload-'));
  const parts = await bytedropParts();
  const rows: Row[] = [];
  const paths = {
    config: (target: S3Target) => join(dir, `${target.kind}.json`),
    state: (target: S3Target) => join(dir, `state-${target.kind}`),
  };
  const all = uploadClients(paths, parts);
  try {
    for (const { kind, only } of PLAN.filter((p) => ctx.servers.includes(p.kind))) {
      const clients = all.filter((c) => only === undefined || only.includes(c.name));
      const missing = serverMissing(kind);
      if (missing) {
        ctx.log(`upload ${kind}: skipped, ${missing}`);
        for (const client of clients) rows.push(skippedRow(kind, client.name, missing));
        continue;
      }
      const target = await startServer(kind);
      try {
        await writeFile(paths.config(target), JSON.stringify(bytedropConfig(target)));
        await mkdir(paths.state(target), { recursive: true });
        await measureServer(ctx, target, clients, rows);
      } finally {
        await target.stop();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return uploadReport(ctx, rows, parts);
}
