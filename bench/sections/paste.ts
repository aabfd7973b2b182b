/**
 * 3. Paste latency: 1 MiB PNGs through core against loopback s3rver, timed in the client from the call to the
 * formatted link. Fresh bytes (HEAD misses, PUT), then the same bytes again (HEAD hits: deduplicated).
 * s3rver counts the requests of each phase, proving what a deduplicated paste sends.
 */
import { fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BenchContext, bench, built, RUN_DIR } from '../lib/context.js';
import { MiB, makePng } from '../lib/files.js';
import { fmt, type SectionResult, tableLines } from '../lib/report.js';
import { bytedropConfig } from '../lib/s3.js';
import { childEnv, nextMessage, startServer } from '../lib/servers.js';
import { percentile, summarize } from '../lib/stats.js';

const COUNT = 50;
const WARMUPS = 5;

export async function pasteSection(ctx: BenchContext): Promise<SectionResult> {
  const title = '3. Paste latency (1 MiB PNG, core → s3rver)';
  if (!built('core')) {
    return { title, table: [], targets: [], notes: ['skipped: packages/core/dist is missing'], data: null };
  }
  const count = ctx.quick ? 10 : COUNT;
  const dir = await mkdtemp(join(RUN_DIR, 'paste-'));
  const target = await startServer('s3rver');
  try {
    const configPath = join(dir, 'config.json');
    await writeFile(configPath, JSON.stringify(bytedropConfig(target)));
    const pngs = join(dir, 'png');
    await mkdir(pngs);
    let pngSize = 0;
    for (let i = 0; i < count + WARMUPS; i++) {
      const png = makePng(MiB);
      pngSize = png.length;
      await writeFile(join(pngs, `${i}.png`), png);
    }

    const child = fork(bench('clients/paste.mjs'), [configPath, pngs, String(count), String(WARMUPS)], {
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const requests: Record<string, Record<string, number>> = {};
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // At each phase start, read (and reset) s3rver's counts of the phase before, then let the client go on.
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
    const { fresh, dedupe } = JSON.parse(stdout) as { fresh: number[]; dedupe: number[] };
    ctx.log(`paste: requests per phase ${JSON.stringify(requests)}`);

    const row = (name: string, ms: number[]) => {
      const s = summarize(ms);
      return { name, p50: percentile(ms, 50), p95: percentile(ms, 95), min: s.min, max: s.max, n: s.n };
    };
    const rows = [
      row('fresh (hash → key → HEAD 404 → PUT → link)', fresh),
      row('same bytes again (HEAD 200 → link)', dedupe),
    ];
    const [freshRow, dedupeRow] = rows;
    const perPaste = (phase: string) =>
      Object.entries(requests[phase] ?? {})
        .map(([method, n]) => `${method} ×${(n / count).toFixed(2)}`)
        .join(', ');
    const table = tableLines(
      ['paste', 'p50 ms', 'p95 ms', 'min–max ms', 'requests per paste (at s3rver)'],
      rows.map((r, i) => [
        r.name,
        r.p50.toFixed(1),
        r.p95.toFixed(1),
        `${r.min.toFixed(1)}–${r.max.toFixed(1)}`,
        perPaste(i === 0 ? 'fresh' : 'dedupe'),
      ]),
    );
    return {
      title,
      table,
      targets: [
        {
          name: 'paste p50, fresh',
          target: '≤ 25 ms',
          measured: `${freshRow?.p50.toFixed(1)} ms`,
          met: (freshRow?.p50 ?? Number.POSITIVE_INFINITY) <= 25,
        },
        {
          name: 'paste p50, deduplicated',
          target: '≤ 5 ms',
          measured: `${dedupeRow?.p50.toFixed(1)} ms`,
          met: (dedupeRow?.p50 ?? Number.POSITIVE_INFINITY) <= 5,
        },
      ],
      notes: [
        `${count} pastes of distinct ${(pngSize / MiB).toFixed(2)} MiB PNGs after ${WARMUPS} warm-up pastes, one at a time, one client process; then the same ${count} again. Timed from upload() to the Markdown link, in the client.`,
        `s3rver here is the test harness's (it verifies SigV4 in JavaScript) and writes each object to disk: its time is in these figures. Summary: ${fmt(summarize(fresh), 1)} ms fresh, ${fmt(summarize(dedupe), 1)} ms deduplicated (median, min–max).`,
      ],
      data: { rows, requests, fresh, dedupe },
    };
  } finally {
    await target.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
