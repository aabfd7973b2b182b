/**
 * 3. Paste latency: 1 MiB PNGs through core, timed in the client from the call to the formatted link. Fresh bytes
 * (HEAD misses, PUT), then the same bytes again (HEAD hits: deduplicated). Against s3rver, where the targets are
 * judged, and against the sink, whose near-zero answer time leaves the client's own share. Each server counts the
 * requests of each phase, proving what a deduplicated paste sends.
 *
 * Bytedrop's pastes take turns with core's pipeline without issue 10's checks (clients/unchecked.mjs) in the same
 * process, so the ratio of their p50s is what the checks add to a paste.
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

/** Measured pastes per pipeline and phase; 100 keep the p50 within about 2 % from run to run here. */
const COUNT = 100;
const WARMUPS = 5;
const PIPELINES = ['bytedrop', 'unchecked'] as const;
type Pipeline = (typeof PIPELINES)[number];
const PIPELINE_NAMES = { bytedrop: 'Bytedrop', unchecked: 'core without the checks' } as const;
/** The checks may add at most this much to the paste p50 (issue 10). */
const CHECKS_LIMIT = 1.05;

type Latencies = Record<Pipeline, number[]>;

interface Row {
  server: ServerKind;
  pipeline: Pipeline;
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
  const journal = join(dir, `journal-${target.kind}`);
  const child = fork(
    bench('clients/paste.mjs'),
    [configPath, pngs, String(count), String(WARMUPS), journal],
    { env: childEnv(), stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
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
  return { ...(JSON.parse(stdout) as { fresh: Latencies; dedupe: Latencies }), requests };
}

/** "HEAD ×1.00, PUT ×1.00": one pipeline's requests per paste (the servers count unchecked/ keys apart). */
function requestsOf(counts: Record<string, number>, pipeline: Pipeline, count: number): string {
  return Object.entries(counts)
    .filter(([name]) => name.startsWith('unchecked ') === (pipeline === 'unchecked'))
    .map(([name, n]) => `${name.replace(/^unchecked /, '')} ×${(n / count).toFixed(2)}`)
    .join(', ');
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
    for (let i = 0; i < PIPELINES.length * (count + WARMUPS); i++)
      await writeFile(join(pngs, `${i}.png`), makePng(MiB));
    for (const kind of (['s3rver', 'sink'] as const).filter((k) => ctx.servers.includes(k))) {
      const target = await startServer(kind);
      try {
        ctx.log(`paste ${kind}`);
        const result = await pasteRun(target, dir, pngs, count);
        ctx.log(`paste ${kind}: requests per phase ${JSON.stringify(result.requests)}`);
        data[kind] = result;
        for (const phase of ['fresh', 'dedupe'] as const) {
          for (const pipeline of PIPELINES) {
            const ms = result[phase][pipeline];
            const s = summarize(ms);
            rows.push({
              server: kind,
              pipeline,
              phase,
              p50: percentile(ms, 50),
              p95: percentile(ms, 95),
              min: s.min,
              max: s.max,
              requestsPerPaste: requestsOf(result.requests[phase] ?? {}, pipeline, count),
            });
          }
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
    ['server', 'pipeline', 'paste', 'p50 ms', 'p95 ms', 'min–max ms', 'requests per paste (at the server)'],
    rows.map((r) => [
      r.server,
      PIPELINE_NAMES[r.pipeline],
      label[r.phase],
      r.p50.toFixed(1),
      r.p95.toFixed(1),
      `${r.min.toFixed(1)}–${r.max.toFixed(1)}`,
      r.requestsPerPaste,
    ]),
  );
  const find = (server: ServerKind, pipeline: Pipeline, phase: Row['phase']) =>
    rows.find((row) => row.server === server && row.pipeline === pipeline && row.phase === phase);
  const targets: Target[] = [];
  for (const [phase, limit] of [
    ['fresh', 25],
    ['dedupe', 5],
  ] as const) {
    const r = find('s3rver', 'bytedrop', phase);
    targets.push({
      name: `paste p50 against s3rver, ${phase === 'fresh' ? 'fresh' : 'deduplicated'}`,
      target: `≤ ${limit} ms`,
      measured: r ? `${r.p50.toFixed(1)} ms` : 'n/a',
      met: r ? r.p50 <= limit : undefined,
    });
  }
  // What the checks add: p50 with them over p50 without, same server, same phase, same process.
  const overhead: { server: ServerKind; phase: Row['phase']; ratio: number; paired: number }[] = [];
  for (const server of ['s3rver', 'sink'] as const) {
    for (const phase of ['fresh', 'dedupe'] as const) {
      const checked = find(server, 'bytedrop', phase);
      const unchecked = find(server, 'unchecked', phase);
      const latencies = (data[server] as { [p: string]: Latencies } | undefined)?.[phase];
      if (!checked || !unchecked || !latencies) continue;
      const paired = latencies.bytedrop.map((ms, i) => ms / (latencies.unchecked[i] ?? Number.NaN));
      overhead.push({ server, phase, ratio: checked.p50 / unchecked.p50, paired: percentile(paired, 50) });
      targets.push({
        name: `paste p50 against ${server}, ${phase === 'fresh' ? 'fresh' : 'deduplicated'}: with the checks vs without`,
        target: `≤ ${CHECKS_LIMIT.toFixed(2)}×`,
        measured: `${(checked.p50 / unchecked.p50).toFixed(3)}× (${checked.p50.toFixed(2)} / ${unchecked.p50.toFixed(2)} ms)`,
        met: checked.p50 / unchecked.p50 <= CHECKS_LIMIT,
      });
    }
  }
  const overheadTable = tableLines(
    ['server', 'paste', 'p50 with / without the checks', 'median of paste-by-paste ratios'],
    overhead.map((o) => [o.server, o.phase, `${o.ratio.toFixed(3)}×`, `${o.paired.toFixed(3)}×`]),
  );
  return {
    title,
    table: [...table, '', 'What the checks cost (issue 10):', '', ...overheadTable],
    targets,
    notes: [
      `${count} pastes of distinct 1 MiB PNGs per pipeline after ${WARMUPS} warm-up pastes, one at a time from one client process, then the same ${count} again; per server. Timed from upload() to the Markdown link, in the client.`,
      'Bytedrop (createUploader with a file journal: full hash, owner and write id as metadata, identity compared on HEAD, If-None-Match on the PUT) and core without the checks (bench/clients/unchecked.mjs: same sniff, hash, key, HEAD and single PUT signed with the hash, size compared on HEAD) take turns paste by paste, the order flipping each time. A single PUT journals nothing and bytes in memory are not hashed twice, so what a paste pays for the checks is the metadata headers and the compare after the HEAD.',
      "s3rver is the test harness's: it verifies SigV4 in JavaScript and writes each object to disk, and that time is in its rows. The sink answers in microseconds, so its rows are about the client's own share.",
    ],
    data: { rows, ...data },
  };
}
