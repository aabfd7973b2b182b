/**
 * 3. Paste latency: 1 MiB PNGs through core, timed in the client from the call to the formatted link. Fresh bytes
 * (HEAD misses, PUT), then the same bytes again (HEAD hits: deduplicated). Against s3rver, where the targets are
 * judged, and against the sink, whose near-zero answer time leaves the client's own share. Each server counts the
 * requests of each phase, proving what a deduplicated paste sends.
 */
import { fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BenchContext, bench, built, RUN_DIR } from '../lib/context.js';
import { MiB, makePng } from '../lib/files.js';
import { type SectionResult, type Target, tableLines } from '../lib/report.js';
import { bytedropConfig } from '../lib/s3.js';
import { childEnv, nextMessage, type S3Target, type ServerKind, startServer } from '../lib/servers.js';
import { percentile, summarize } from '../lib/stats.js';

const COUNT = 50;
const WARMUPS = 5;

interface Row {
  server: ServerKind;
  phase: 'fresh' | 'dedupe';
  p50: number;
  p95: number;
  min: number;
  max: number;
  requestsPerPaste: string;
}

/** One paste client process over the given PNGs; resolves to its latencies and the server's request counts. */
async function pasteRun(target: S3Target, dir: string, pngs: string, count: number) {
  const configPath = join(dir, `${target.kind}.json`);
  await writeFile(configPath, JSON.stringify(bytedropConfig(target)));
  const child = fork(bench('clients/paste.mjs'), [configPath, pngs, String(count), String(WARMUPS)], {
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const requests: Record<string, Record<string, number>> = {};
  // At each phase start, read (and reset) the server's counts of the phase before, then let the client go on.
  let previous = 'warm-up';
  for (const phase of ['fresh', 'dedupe', 'end']) {
    const name = await nextMessage<string>(child, 'phase', 300_000);
    if (name !== phase) throw new Error(`paste client announced '${name}', expected '${phase}'`);
    requests[previous] = await target.requests();
    previous = phase;
    child.send('go');
  }
  const code = await exited;
  if (code !== 0) throw new Error(`paste client exited with ${code}`);
  return { ...(JSON.parse(stdout) as { fresh: number[]; dedupe: number[] }), requests };
}

export async function pasteSection(ctx: BenchContext): Promise<SectionResult> {
  const title = '3. Paste latency (1 MiB PNG through core)';
  if (!built('core')) {
    return { title, table: [], targets: [], notes: ['skipped: packages/core/dist is missing'], data: null };
  }
  const count = ctx.quick ? 10 : COUNT;
  const dir = await mkdtemp(join(RUN_DIR, 'paste-'));
  const rows: Row[] = [];
  const data: Record<string, unknown> = {};
  try {
    const pngs = join(dir, 'png');
    await mkdir(pngs);
    for (let i = 0; i < count + WARMUPS; i++) await writeFile(join(pngs, `${i}.png`), makePng(MiB));
    for (const kind of ['s3rver', 'sink'] as const) {
      const target = await startServer(kind);
      try {
        ctx.log(`paste ${kind}`);
        const result = await pasteRun(target, dir, pngs, count);
        ctx.log(`paste ${kind}: requests per phase ${JSON.stringify(result.requests)}`);
        data[kind] = result;
        for (const phase of ['fresh', 'dedupe'] as const) {
          const ms = result[phase];
          const s = summarize(ms);
          rows.push({
            server: kind,
            phase,
            p50: percentile(ms, 50),
            p95: percentile(ms, 95),
            min: s.min,
            max: s.max,
            requestsPerPaste: Object.entries(result.requests[phase] ?? {})
              .map(([method, n]) => `${method} ×${(n / count).toFixed(2)}`)
              .join(', '),
          });
        }
      } finally {
        await target.stop();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const label = {
    fresh: 'fresh (hash → key → HEAD 404 → PUT → link)',
    dedupe: 'same bytes again (HEAD 200 → link)',
  };
  const table = tableLines(
    ['server', 'paste', 'p50 ms', 'p95 ms', 'min–max ms', 'requests per paste (at the server)'],
    rows.map((r) => [
      r.server,
      label[r.phase],
      r.p50.toFixed(1),
      r.p95.toFixed(1),
      `${r.min.toFixed(1)}–${r.max.toFixed(1)}`,
      r.requestsPerPaste,
    ]),
  );
  const targets: Target[] = [];
  for (const [phase, limit] of [
    ['fresh', 25],
    ['dedupe', 5],
  ] as const) {
    const r = rows.find((row) => row.server === 's3rver' && row.phase === phase);
    targets.push({
      name: `paste p50 against s3rver, ${phase === 'fresh' ? 'fresh' : 'deduplicated'}`,
      target: `≤ ${limit} ms`,
      measured: r ? `${r.p50.toFixed(1)} ms` : 'n/a',
      met: r ? r.p50 <= limit : undefined,
    });
  }
  return {
    title,
    table,
    targets,
    notes: [
      `${count} pastes of distinct 1 MiB PNGs after ${WARMUPS} warm-up pastes, one at a time from one client process, then the same ${count} again; per server. Timed from upload() to the Markdown link, in the client.`,
      "s3rver is the test harness's: it verifies SigV4 in JavaScript and writes each object to disk, and that time is in its rows. The sink answers in microseconds, so its rows are about the client's own share.",
    ],
    data: { rows, ...data },
  };
}
