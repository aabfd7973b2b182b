/**
 * 1. Hashing: Bytedrop's streaming SHA-256 and MD5 over the 1 GiB file against `openssl dgst`.
 * Both run as fresh processes over the same page-cached file, so start-up is paid by each; the library row
 * also gives the in-process time (hashing only) to show how much of the CLI's time is Node's start-up.
 */
import { type BenchContext, BUILT, bench, built } from '../lib/context.js';
import { type ProcessSample, runMeasured } from '../lib/measure.js';
import { fmt, ratio, type SectionResult, type Target, tableLines } from '../lib/report.js';
import { repeat, type Summary, summarize } from '../lib/stats.js';

const ALGORITHMS = ['sha256', 'md5'] as const;

interface Row {
  tool: string;
  algorithm: string;
  /** Throughput in MiB/s over the whole process. */
  process: Summary;
  /** Throughput in MiB/s over the hashing alone, where the tool can tell. */
  inProcess?: Summary;
  cpuS: Summary;
  rssMB: Summary;
}

export async function hashSection(ctx: BenchContext): Promise<SectionResult> {
  const mib = ctx.bigFileSize / 2 ** 20;
  const rows: Row[] = [];
  const notes: string[] = [];
  const targets: Target[] = [];
  const toRow = (tool: string, algorithm: string, samples: ProcessSample[], inner?: number[]): Row => ({
    tool,
    algorithm,
    process: summarize(samples.map((s) => mib / s.wallS)),
    inProcess: inner ? summarize(inner.map((seconds) => mib / seconds)) : undefined,
    cpuS: summarize(samples.map((s) => s.cpuS)),
    rssMB: summarize(samples.map((s) => s.rssMB)),
  });

  for (const algorithm of ALGORITHMS) {
    ctx.log(`hash ${algorithm}: openssl`);
    const openssl = await repeat(ctx.runs, ctx.warmups, () =>
      runMeasured('openssl', ['dgst', `-${algorithm}`, '-r', ctx.bigFile]),
    );
    const expected = openssl[0]?.stdout.split(' ')[0];
    const opensslRow = toRow(`openssl dgst -${algorithm}`, algorithm, openssl);
    rows.push(opensslRow);

    if (!built('core')) {
      notes.push('Bytedrop rows skipped: packages/core/dist is missing (the build failed).');
      continue;
    }
    ctx.log(`hash ${algorithm}: bytedrop library`);
    const library = await repeat(ctx.runs, ctx.warmups, () =>
      runMeasured('node', [bench('clients/hash.mjs'), ctx.bigFile, algorithm]),
    );
    const parsed = library.map((s) => JSON.parse(s.stdout) as { hash: string; seconds: number });
    if (parsed.some((p) => p.hash !== expected)) {
      throw new Error(`Bytedrop's ${algorithm} differs from openssl's (${expected}): ${parsed[0]?.hash}`);
    }
    const libraryRow = toRow(
      'Bytedrop hashBody (library, file Blob)',
      algorithm,
      library,
      parsed.map((p) => p.seconds),
    );
    rows.push(libraryRow);
    // Targets on the library's streaming hash (what every upload runs), and on the CLI process for like for like.
    const base = opensslRow.process.median;
    targets.push({
      name: `hash ${algorithm}: library throughput vs openssl`,
      target: '≥ 0.90×',
      measured: ratio(libraryRow.inProcess?.median ?? Number.NaN, base),
      met: (libraryRow.inProcess?.median ?? 0) / base >= 0.9,
    });

    // Only for the default algorithm, to keep the bench within its time: the same hasher over 1 MiB fs reads
    // (separates the hash's own speed from the file-Blob read path), then the CLI.
    if (algorithm !== 'sha256') continue;
    ctx.log(`hash ${algorithm}: bytedrop createHasher over fs.createReadStream`);
    const streamed = await repeat(ctx.runs, ctx.warmups, () =>
      runMeasured('node', [bench('clients/hash-stream.mjs'), ctx.bigFile, algorithm]),
    );
    const streamedParsed = streamed.map((s) => JSON.parse(s.stdout) as { hash: string; seconds: number });
    if (streamedParsed.some((p) => p.hash !== expected)) {
      throw new Error(`Bytedrop's ${algorithm} over fs reads differs from openssl's (${expected})`);
    }
    rows.push(
      toRow(
        'Bytedrop createHasher over fs.createReadStream (1 MiB reads)',
        algorithm,
        streamed,
        streamedParsed.map((p) => p.seconds),
      ),
    );

    let cliRow: Row | undefined;
    if (built('cli')) {
      ctx.log(`hash ${algorithm}: bytedrop CLI`);
      const cli = await repeat(ctx.runs, ctx.warmups, () =>
        runMeasured('node', [BUILT.cli, 'hash', ctx.bigFile, '--algorithm', algorithm]),
      );
      if (!cli[0]?.stdout.includes(expected ?? '-')) {
        throw new Error(
          `'bytedrop hash' printed no ${algorithm} equal to openssl's ${expected}: ${cli[0]?.stdout}`,
        );
      }
      cliRow = toRow('bytedrop hash (CLI)', algorithm, cli);
      rows.push(cliRow);
    } else notes.push('CLI row skipped: packages/core/dist/node/cli.js is missing.');

    if (cliRow) {
      targets.push({
        name: `hash ${algorithm}: CLI process vs openssl process`,
        target: '≥ 0.90×',
        measured: ratio(cliRow.process.median, base),
        met: cliRow.process.median / base >= 0.9,
      });
    }
  }

  const opensslOf = (algorithm: string) =>
    rows.find((r) => r.algorithm === algorithm)?.process.median ?? Number.NaN;
  const table = tableLines(
    [
      'tool',
      'algorithm',
      'MiB/s, whole process',
      'MiB/s, hashing only',
      'vs openssl',
      'CPU s',
      'peak RSS MB',
    ],
    rows.map((r) => [
      r.tool,
      r.algorithm,
      fmt(r.process, 0),
      fmt(r.inProcess, 0),
      ratio(r.inProcess?.median ?? r.process.median, opensslOf(r.algorithm)),
      fmt(r.cpuS),
      fmt(r.rssMB, 0),
    ]),
  );
  notes.push(
    `${(ctx.bigFileSize / 2 ** 20).toFixed(0)} MiB of random bytes, read from the page cache; ${ctx.runs} runs after ${ctx.warmups} warm-up(s). "vs openssl" compares hashing-only throughput where known, else whole-process.`,
  );
  return { title: '1. Hashing', table, targets, notes, data: rows };
}
