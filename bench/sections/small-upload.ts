/**
 * 10. Small upload: `bytedrop upload` of a 10 KiB file to loopback S3, the whole process (Node's start, core's
 * imports, config, hash, HEAD, PUT, link), against what no client can go below: an empty `node -e 0` plus one
 * PutObject as a bare SDK script times it. Also against that script's whole process (Node, the SDK's import, one
 * PUT). All three take turns, a fresh 10 KiB of random bytes per upload (so nothing dedupes).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BenchContext, bench, built, RUN_DIR, root } from '../lib/context.js';
import { run } from '../lib/measure.js';
import { fmt, ratio, type SectionResult, type Target, tableLines } from '../lib/report.js';
import { bytedropConfig } from '../lib/s3.js';
import { type S3Target, type ServerKind, serverMissing, startServer } from '../lib/servers.js';
import { repeatInTurn, summarize } from '../lib/stats.js';

const SIZE = 10 * 1024;
/** The target: the CLI's whole process at most this many times `node -e 0` + one PUT. */
const TARGET = 1.3;
const SERVERS: ServerKind[] = ['sink', 's3rver'];

/** Wall ms of `node args…`, and its stdout. */
async function timed(args: string[], env?: Record<string, string>) {
  const started = performance.now();
  const { stdout } = await run('node', args, { timeoutMs: 60_000, ...(env ? { env } : {}) });
  return { ms: performance.now() - started, stdout };
}

async function measure(ctx: BenchContext, target: S3Target, dir: string) {
  const config = join(dir, `${target.kind}.json`);
  const state = join(dir, `state-${target.kind}`);
  await writeFile(config, JSON.stringify(bytedropConfig(target)));
  await mkdir(state, { recursive: true });
  const fresh = async (name: string) => {
    const file = join(dir, `${name}.bin`);
    await writeFile(file, randomBytes(SIZE));
    return file;
  };
  const putMs: number[] = [];
  const importMs: number[] = [];
  const [empty, cli, script] = await repeatInTurn(ctx.runs, ctx.warmups, [
    async () => (await timed(['-e', '0'])).ms,
    async (i) => {
      const file = await fresh(`cli-${i}`);
      const { ms, stdout } = await timed(
        [root('packages/core/bin/bytedrop.js'), 'upload', file, '--config', config, '--format', 'url'],
        { XDG_STATE_HOME: state },
      );
      if (!stdout.trim().startsWith(target.endpoint)) throw new Error(`bytedrop upload printed '${stdout}'`);
      return ms;
    },
    async (i) => {
      const file = await fresh(`sdk-${i}`);
      const { ms, stdout } = await timed([
        bench('clients/put-once.mjs'),
        target.endpoint,
        target.bucket,
        `put-once/${i}-${Date.now()}.bin`,
        file,
        target.accessKeyId,
        target.secretAccessKey,
      ]);
      if (i >= 0) {
        const times = JSON.parse(stdout) as { importMs: number; putMs: number };
        putMs.push(times.putMs);
        importMs.push(times.importMs);
      }
      return ms;
    },
  ]);
  return {
    empty: summarize(empty ?? []),
    cli: summarize(cli ?? []),
    script: summarize(script ?? []),
    put: summarize(putMs),
    sdkImport: summarize(importMs),
  };
}

export async function smallUploadSection(ctx: BenchContext): Promise<SectionResult> {
  const rows: string[][] = [];
  const targets: Target[] = [];
  const notes: string[] = [];
  const data: Record<string, unknown> = {};
  if (!built('cli')) {
    return { title: '10. Small upload', table: [], targets, notes: ['the CLI is not built'], data };
  }
  const dir = await mkdtemp(join(RUN_DIR, 'small-'));
  try {
    for (const kind of SERVERS.filter((k) => ctx.servers.includes(k))) {
      const missing = serverMissing(kind);
      if (missing) {
        notes.push(`${kind}: skipped, ${missing}`);
        continue;
      }
      ctx.log(`small upload: ${kind}`);
      const target = await startServer(kind);
      try {
        const m = await measure(ctx, target, dir);
        data[kind] = m;
        const floor = m.empty.median + m.put.median;
        rows.push([
          kind,
          fmt(m.cli, 0),
          fmt(m.empty, 0),
          fmt(m.put, 1),
          fmt(m.script, 0),
          fmt(m.sdkImport, 0),
          ratio(m.cli.median, floor),
          ratio(m.cli.median, m.script.median),
        ]);
        targets.push({
          name: `bytedrop upload 10 KiB, whole process (${kind})`,
          target: `≤ ${TARGET}× node -e 0 + one PUT`,
          measured: ratio(m.cli.median, floor),
          met: m.cli.median <= TARGET * floor,
        });
      } finally {
        await target.stop();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  notes.push(
    `Wall ms of fresh processes, median (min–max) of ${ctx.runs} after ${ctx.warmups} warm-up, taking turns: \`bytedrop upload <10 KiB file> --format url\` (packages/core/bin/bytedrop.js, as the installed command runs), \`node -e 0\`, and clients/put-once.mjs (imports @aws-sdk/client-s3, one PutObject; "one PUT" is its in-script time of that request). The floor is node -e 0 + one PUT; the bare script's whole process also pays the SDK's import, timed inside it: a client built on the SDK pays that import too, so against this floor its ratio cannot go below (node -e 0 + SDK import + PUT) / (node -e 0 + PUT).`,
  );
  const table = tableLines(
    [
      'server',
      'bytedrop upload ms',
      'node -e 0 ms',
      'one PUT ms',
      'bare SDK script ms',
      'its SDK import ms',
      'vs node -e 0 + PUT',
      'vs bare SDK script',
    ],
    rows,
  );
  return { title: '10. Small upload', table, targets, notes, data };
}
