/**
 * 12. ZIP (issue 13): `POST /api/zip` of 100 files totalling 1 GiB (`BYTEDROP_BENCH_ZIP_MIB` for less; `--quick`:
 * 64 MiB) from @bytedrop/server on the local-disk store, against a plain read of the same files through the same
 * server (`GET /f/<key>`, one after another), taking turns. The client reads every byte and drops it. The server
 * runs in a process of its own; its RSS is sampled every 20 ms during the ZIPs, against its RSS before them.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type BenchContext, bench, built, RUN_DIR } from '../lib/context.js';
import { MiB } from '../lib/files.js';
import { fmt, ratio, type SectionResult, tableLines } from '../lib/report.js';
import { childEnv, nextMessage, stopChild, usageOf } from '../lib/servers.js';
import { repeatInTurn, summarize } from '../lib/stats.js';

const ACCESS_KEY = 'bench-access-key-0123456789abcdef';
const FILES = 100;

/** Reads a response body to the end; its length in bytes. */
async function drain(response: Response): Promise<number> {
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  const reader = response.body!.getReader();
  let bytes = 0;
  for (let part = await reader.read(); !part.done; part = await reader.read()) bytes += part.value.byteLength;
  return bytes;
}

export async function zipSection(ctx: BenchContext): Promise<SectionResult> {
  const title = '12. ZIP of 100 files through @bytedrop/server';
  if (!built('server') || !built('serverNode') || !built('core') || !built('coreNode')) {
    return {
      title,
      table: [],
      targets: [],
      notes: ['skipped: @bytedrop/server or core is not built'],
      data: null,
    };
  }
  const mib = ctx.quick ? 64 : Number(process.env.BYTEDROP_BENCH_ZIP_MIB ?? 1024);
  const dir = await mkdtemp(join(RUN_DIR, 'zip-'));
  ctx.log(`zip: writing ${mib} MiB in ${FILES} files`);
  const server = fork(bench('servers/zip-server.mjs'), [dir, String(mib), String(FILES)], {
    env: childEnv(),
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = nextMessage<number>(server, 'port', 600_000);
    const keys = nextMessage<string[]>(server, 'keys', 600_000);
    const fileSize = nextMessage<number>(server, 'size', 600_000);
    const url = `http://127.0.0.1:${await ready}`;
    const all = await keys;
    const total = (await fileSize) * all.length;
    /** The highest RSS the server sampled since the last call. */
    const peakSinceLast = () => {
      const reply = nextMessage<number>(server, 'peak');
      server.send('peak');
      return reply;
    };
    const headers = { authorization: `Bearer ${ACCESS_KEY}` };
    const peaks: number[] = [];
    const lengths: number[] = [];
    const zip = async () => {
      await peakSinceLast();
      const start = performance.now();
      const response = await fetch(`${url}/api/zip`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ keys: all }),
      });
      const read = await drain(response);
      const seconds = (performance.now() - start) / 1000;
      if (read !== Number(response.headers.get('content-length'))) throw new Error('ZIP length differs');
      lengths.push(read);
      peaks.push(await peakSinceLast());
      return total / MiB / seconds;
    };
    const plainPeaks: number[] = [];
    const plain = async () => {
      await peakSinceLast();
      const start = performance.now();
      for (const key of all) await drain(await fetch(`${url}/f/${key}`, { headers }));
      const speed = total / MiB / ((performance.now() - start) / 1000);
      plainPeaks.push(await peakSinceLast());
      return speed;
    };
    // Settle the server (JIT, first reads), then take its resting RSS.
    await plain();
    const before = await usageOf(server);
    ctx.log(`zip: ${ctx.runs} rounds of ZIP and plain reads`);
    const [zipRuns, plainRuns] = await repeatInTurn(ctx.runs, ctx.warmups, [zip, plain]);
    const z = summarize(zipRuns!);
    const p = summarize(plainRuns!);
    const growth = (Math.max(...peaks) - before.rss) / 1e6;
    // The same measure over the plain reads: what streaming alone costs (chunks wait for a GC to be returned).
    const plainGrowth = (Math.max(...plainPeaks) - before.rss) / 1e6;
    const speed = z.median / p.median;
    return {
      title,
      table: tableLines(
        ['route', 'MiB/s of files', 'vs plain read'],
        [
          ['GET /f/<key>, each file in turn (plain read)', fmt(p, 0), '1.00×'],
          ['POST /api/zip, one ZIP of all', fmt(z, 0), ratio(z.median, p.median)],
        ],
      ),
      targets: [
        {
          name: 'ZIP: server RSS growth',
          target: '< 50 MB',
          measured: `${growth.toFixed(1)} MB`,
          met: growth < 50,
        },
        {
          name: 'ZIP: throughput vs plain read',
          target: '≥ 0.9×',
          measured: `${speed.toFixed(2)}×`,
          met: speed >= 0.9,
        },
      ],
      notes: [
        `${mib} MiB in ${FILES} files of random bytes on local disk (page-cached), ${ctx.runs} rounds after ${ctx.warmups} warm-up. ZIP ${lengths[0]} bytes, Content-Length exact. Server RSS ${(before.rss / 1e6).toFixed(0)} MB at rest (after a GC), peak ${(Math.max(...peaks) / 1e6).toFixed(0)} MB during the ZIPs and ${(Math.max(...plainPeaks) / 1e6).toFixed(0)} MB during the plain reads (growth ${plainGrowth.toFixed(1)} MB: the peer's figure for the same measure).`,
      ],
      data: {
        mib,
        files: FILES,
        zip: z,
        plain: p,
        rssBefore: before.rss,
        peaks,
        plainPeaks,
        zipBytes: lengths[0],
      },
    };
  } finally {
    await stopChild(server);
    await rm(dir, { recursive: true, force: true });
  }
}
