/**
 * What the two editor sections (6. Obsidian, 7. VS Code) share: the file sizes the paste handlers are timed with,
 * running a client script against a fresh server, and the paste-to-final-link table and targets that price local
 * first and a verifying HEAD against the paste from memory.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { BenchContext } from './context.js';
import { MiB } from './files.js';
import { type Target, tableLines } from './report.js';
import { childEnv, type S3Target, type ServerKind, startServer } from './servers.js';
import { percentile } from './stats.js';

const KiB = 1024;

/** The file sizes whose handler (provider) return time is measured. */
export const PASTE_SIZES = [100 * KiB, 8 * MiB, 30 * MiB] as const;

/** A size's label in tables and target names. */
export const sizeLabel = (size: number): string =>
  ({ [100 * KiB]: '100 KiB', [8 * MiB]: '8 MiB', [30 * MiB]: '30 MiB' })[size] ?? String(size);

/** How many pastes of each size: bytes → count (fewer of the large ones, and fewer still with --quick). */
export function sizePlan(ctx: BenchContext): Record<string, number> {
  const counts = ctx.quick ? [10, 4, 3] : [50, 20, 10];
  return Object.fromEntries(PASTE_SIZES.map((size, i) => [size, counts[i] ?? 0]));
}

/** The plan of the paste-to-final-link rounds: distinct 1 MiB PNGs. */
export const finalLinkPlan = (ctx: BenchContext) => ({ count: ctx.quick ? 10 : 40, warmups: 4, bytes: MiB });

/**
 * Starts a server of `kind`, lets `settings` write the client's settings for it (resolving to the script's
 * arguments), runs the script with Node and resolves to the JSON it prints; the server stops either way.
 */
export async function runPasteClient<T>(
  kind: ServerKind,
  settings: (target: S3Target) => Promise<string[]>,
  nodeArgs: string[] = [],
): Promise<T> {
  const target = await startServer(kind);
  try {
    const args = await settings(target);
    const { stdout } = await promisify(execFile)(process.execPath, [...nodeArgs, ...args], {
      env: childEnv(),
      maxBuffer: 16 * MiB,
      timeout: 900_000,
    });
    return JSON.parse(stdout) as T;
  } finally {
    await target.stop();
  }
}

/** The 1 MiB paste-to-final-link table, and its targets: local first at most 10 % over the paste from memory. */
export function finalLinkReport(e2e: Record<string, number[]>, editor: string) {
  const p50 = (name: string) => percentile(e2e[name] ?? [], 50);
  const p95 = (name: string) => percentile(e2e[name] ?? [], 95);
  const [inMemory, verified, localFirst] = [p50('inMemory'), p50('inMemoryVerified'), p50('localFirst')];
  const added = localFirst / inMemory - 1;
  const table = tableLines(
    ['1 MiB paste to final link (s3rver)', 'p50 ms', 'p95 ms'],
    [
      ['from memory (before local first)', inMemory.toFixed(1), p95('inMemory').toFixed(1)],
      ['from memory, then a verifying HEAD', verified.toFixed(1), p95('inMemoryVerified').toFixed(1)],
      ['local first (copy, journal, swap)', localFirst.toFixed(1), p95('localFirst').toFixed(1)],
    ],
  );
  const targets: Target[] = [
    {
      name: `local first added to a 1 MiB ${editor}paste-to-final-link, p50`,
      target: '≤ 10 %',
      measured: `${(added * 100).toFixed(1)} % (${inMemory.toFixed(1)} → ${localFirst.toFixed(1)} ms)`,
      met: added <= 0.1,
    },
    {
      name: 'a verifying HEAD (B2 and unknown S3, where a write does not verify itself), for comparison',
      target: '(share)',
      measured: `${((verified / inMemory - 1) * 100).toFixed(1)} % (${inMemory.toFixed(1)} → ${verified.toFixed(1)} ms)`,
      met: undefined,
    },
  ];
  return { table, targets, headMs: verified - inMemory, headShare: verified / inMemory - 1 };
}

/** How long a handler (provider) took to return, over its pastes. */
export interface ReturnTimes {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

export const returnTimes = (ms: number[]): ReturnTimes => ({
  n: ms.length,
  p50: percentile(ms, 50),
  p95: percentile(ms, 95),
  max: Math.max(...ms),
});

/** A row's count and times, as table cells. */
export const returnCells = (r: ReturnTimes): string[] => [
  String(r.n),
  r.p50.toFixed(2),
  r.p95.toFixed(2),
  r.max.toFixed(2),
];

/** A handler returns before the user can type into the paste: p95 under 50 ms. */
export const returnTarget = (name: string, r: ReturnTimes): Target => ({
  name: `${name}, p95`,
  target: '< 50 ms',
  measured: `${r.p95.toFixed(2)} ms`,
  met: r.p95 < 50,
});
