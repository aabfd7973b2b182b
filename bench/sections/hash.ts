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
import { repeatInTurn, type Summary, summarize } from '../lib/stats.js';

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
  const fileHash = built('core') ? await bundleFileHash() : undefined;
  if (!fileHash) notes.push('Bytedrop rows skipped: packages/core/dist is missing (the build failed).');
  if (!built('cli')) notes.push('CLI row skipped: packages/core/dist/node/cli.js is missing.');

  for (const algorithm of ALGORITHMS) {
    /** Each tool and what it runs; Bytedrop's library clients print `{ hash, seconds }` (hashing time only). */
    const tools: { name: string; command: string; args: string[]; inProcess: boolean }[] = [
      {
        name: `openssl dgst -${algorithm}`,
        command: 'openssl',
        args: ['dgst', `-${algorithm}`, '-r', ctx.bigFile],
        inProcess: false,
      },
    ];
    if (fileHash) {
      tools.push({
        name: "Bytedrop hashBody over uploadFile's file Blob (worker thread, 256 KiB reads)",
        command: 'node',
        args: [bench('clients/hash-file.mjs'), fileHash, ctx.bigFile, algorithm],
        inProcess: true,
      });
    }
    // The rest only for the default algorithm, to keep the bench within its time.
    if (fileHash && algorithm === 'sha256') {
      tools.push(
        {
          name: 'Bytedrop hashBody over fs.openAsBlob (64 KiB reads)',
          command: 'node',
          args: [bench('clients/hash.mjs'), ctx.bigFile, algorithm],
          inProcess: true,
        },
        {
          name: 'Bytedrop createHasher over fs.createReadStream (1 MiB reads)',
          command: 'node',
          args: [bench('clients/hash-stream.mjs'), ctx.bigFile, algorithm],
          inProcess: true,
        },
      );
    }
    if (built('cli') && algorithm === 'sha256') {
      tools.push({
        name: 'bytedrop hash (CLI)',
        command: 'node',
        args: [BUILT.cli, 'hash', ctx.bigFile, '--algorithm', algorithm],
        inProcess: false,
      });
    }
    // In turn, run by run, so that drift on the machine (other load, clock) hits every tool alike.
    ctx.log(`hash ${algorithm}: ${tools.length} tools in turn`);
    const samples = await repeatInTurn(
      ctx.runs,
      ctx.warmups,
      tools.map((tool) => () => runMeasured(tool.command, tool.args)),
    );
    const expected = samples[0]?.[0]?.stdout.split(' ')[0];
    const byName = new Map<string, Row>();
    tools.forEach((tool, index) => {
      const runs = samples[index] ?? [];
      let inner: number[] | undefined;
      if (tool.inProcess) {
        const parsed = runs.map((s) => JSON.parse(s.stdout) as { hash: string; seconds: number });
        if (parsed.some((p) => p.hash !== expected)) {
          throw new Error(`${tool.name}: ${algorithm} ${parsed[0]?.hash} differs from openssl's ${expected}`);
        }
        inner = parsed.map((p) => p.seconds);
      } else if (tool.command !== 'openssl' && !runs[0]?.stdout.includes(expected ?? '-')) {
        throw new Error(
          `'${tool.name}' printed no ${algorithm} equal to openssl's ${expected}: ${runs[0]?.stdout}`,
        );
      }
      const row = toRow(tool.name, algorithm, runs, inner);
      rows.push(row);
      byName.set(tool.name, row);
    });
    const base = rows.find((r) => r.algorithm === algorithm)?.process.median ?? Number.NaN;
    const library = fileHash ? byName.get(tools[1]?.name ?? '') : undefined;
    if (library) {
      // The target: the hash pass every uploadFile and `bytedrop hash` runs, hashing time only.
      targets.push({
        name: `hash ${algorithm}: library throughput vs openssl`,
        target: '≥ 0.90×',
        measured: ratio(library.inProcess?.median ?? Number.NaN, base),
        met: (library.inProcess?.median ?? 0) / base >= 0.9,
      });
    }
    const cli = byName.get('bytedrop hash (CLI)');
    if (cli) {
      targets.push({
        name: `hash ${algorithm}: CLI process vs openssl process`,
        target: '≥ 0.90×',
        measured: ratio(cli.process.median, base),
        met: cli.process.median / base >= 0.9,
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
    `${mib.toFixed(0)} MiB of random bytes, read from the page cache; ${ctx.runs} runs of every tool in turn, after ${ctx.warmups} warm-up round(s). "vs openssl" compares hashing-only throughput where known, else whole-process. Every Bytedrop digest is checked against openssl's.`,
  );
  return { title: '1. Hashing', table, targets, notes, data: rows };
}
