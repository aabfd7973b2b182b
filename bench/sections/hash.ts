/**
 * 1. Hashing: Bytedrop's streaming SHA-256 and MD5 over the 1 GiB file against `openssl dgst`.
 * Every tool runs as a fresh process over the same page-cached file, so start-up is paid by each; Bytedrop's
 * library rows also time the hashing alone, in-process, which is what the targets compare.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { type BenchContext, BUILT, bench, built, RUN_DIR, root } from '../lib/context.js';
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

/**
 * `openFileBlob` is internal to core/node, so the bench bundles it and `hashBody` from core's source into one
 * module that plain `node` runs (no TypeScript loader in the measured process).
 */
async function bundleFileHash(): Promise<string> {
  const outfile = join(RUN_DIR, 'core-file-hash.mjs');
  await build({
    stdin: {
      contents: [
        `export { openFileBlob } from ${JSON.stringify(root('packages/core/src/node/_file-blob.ts'))};`,
        `export { hashBody } from ${JSON.stringify(root('packages/core/src/hash.ts'))};`,
      ].join('\n'),
      resolveDir: root('packages/core'),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
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
  /** A Bytedrop client that prints `{ hash, seconds }`; checks the digest against openssl's. */
  const inProcessRow = async (
    tool: string,
    algorithm: string,
    args: string[],
    expected: string | undefined,
  ) => {
    ctx.log(`hash ${algorithm}: ${tool}`);
    const samples = await repeat(ctx.runs, ctx.warmups, () => runMeasured('node', args));
    const parsed = samples.map((s) => JSON.parse(s.stdout) as { hash: string; seconds: number });
    if (parsed.some((p) => p.hash !== expected)) {
      throw new Error(`${tool}: ${algorithm} ${parsed[0]?.hash} differs from openssl's ${expected}`);
    }
    const row = toRow(
      tool,
      algorithm,
      samples,
      parsed.map((p) => p.seconds),
    );
    rows.push(row);
    return row;
  };
  const fileHash = built('core') ? await bundleFileHash() : undefined;

  for (const algorithm of ALGORITHMS) {
    ctx.log(`hash ${algorithm}: openssl`);
    const openssl = await repeat(ctx.runs, ctx.warmups, () =>
      runMeasured('openssl', ['dgst', `-${algorithm}`, '-r', ctx.bigFile]),
    );
    const expected = openssl[0]?.stdout.split(' ')[0];
    const opensslRow = toRow(`openssl dgst -${algorithm}`, algorithm, openssl);
    rows.push(opensslRow);
    const base = opensslRow.process.median;

    if (!fileHash) {
      notes.push('Bytedrop rows skipped: packages/core/dist is missing (the build failed).');
      continue;
    }
    // The target: the hash pass every uploadFile and `bytedrop hash` runs, hashing time only.
    const library = await inProcessRow(
      "Bytedrop hashBody over uploadFile's file Blob (2 × 256 KiB reused)",
      algorithm,
      [bench('clients/hash-file.mjs'), fileHash, ctx.bigFile, algorithm],
      expected,
    );
    targets.push({
      name: `hash ${algorithm}: library throughput vs openssl`,
      target: '≥ 0.90×',
      measured: ratio(library.inProcess?.median ?? Number.NaN, base),
      met: (library.inProcess?.median ?? 0) / base >= 0.9,
    });

    // The rest only for the default algorithm, to keep the bench within its time.
    if (algorithm !== 'sha256') continue;
    await inProcessRow(
      'Bytedrop hashBody over fs.openAsBlob (64 KiB reads)',
      algorithm,
      [bench('clients/hash.mjs'), ctx.bigFile, algorithm],
      expected,
    );
    await inProcessRow(
      'Bytedrop createHasher over fs.createReadStream (1 MiB reads)',
      algorithm,
      [bench('clients/hash-stream.mjs'), ctx.bigFile, algorithm],
      expected,
    );
    if (!built('cli')) {
      notes.push('CLI row skipped: packages/core/dist/node/cli.js is missing.');
      continue;
    }
    ctx.log(`hash ${algorithm}: bytedrop CLI`);
    const cli = await repeat(ctx.runs, ctx.warmups, () =>
      runMeasured('node', [BUILT.cli, 'hash', ctx.bigFile, '--algorithm', algorithm]),
    );
    if (!cli[0]?.stdout.includes(expected ?? '-')) {
      throw new Error(
        `'bytedrop hash' printed no ${algorithm} equal to openssl's ${expected}: ${cli[0]?.stdout}`,
      );
    }
    const cliRow = toRow('bytedrop hash (CLI)', algorithm, cli);
    rows.push(cliRow);
    targets.push({
      name: `hash ${algorithm}: CLI process vs openssl process`,
      target: '≥ 0.90×',
      measured: ratio(cliRow.process.median, base),
      met: cliRow.process.median / base >= 0.9,
    });
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
    `${mib.toFixed(0)} MiB of random bytes, read from the page cache; ${ctx.runs} runs after ${ctx.warmups} warm-up(s). "vs openssl" compares hashing-only throughput where known, else whole-process. Every Bytedrop digest is checked against openssl's.`,
  );
  return { title: '1. Hashing', table, targets, notes, data: rows };
}
