/**
 * Section 2's tables and targets: every client against rclone per server (wall, CPU, peak RSS), and what issue 10's
 * checks cost, Bytedrop's library (file journal, verified second read, metadata, conditional create) against core
 * without them, round by round.
 */
import type { BenchContext } from '../lib/context.js';
import { hasGnuTime } from '../lib/measure.js';
import { fmt, ratio, type SectionResult, type Target, tableLines } from '../lib/report.js';
import type { ServerKind } from '../lib/servers.js';
import { type Summary, summarize } from '../lib/stats.js';
import { CLIENT } from '../lib/upload-clients.js';

export interface Row {
  server: ServerKind;
  client: string;
  wallS: Summary;
  cpuS: Summary;
  rssMB: Summary;
  /** Every measured run, in round order (the overhead pairs runs of the same round). */
  samples: { wallS: number; cpuS: number; rssMB: number }[];
  skipped?: string;
}

/** The checks may add at most this much to the 1 GiB upload's wall time (issue 10). */
const CHECKS_LIMIT = 1.05;

/** Per round, `a / b` of one figure; their median is the overhead, robust to drift across rounds. */
function pairedRatios(a: Row, b: Row, figure: 'wallS' | 'cpuS' | 'rssMB'): Summary {
  const n = Math.min(a.samples.length, b.samples.length);
  return summarize(Array.from({ length: n }, (_, i) => a.samples[i]![figure] / b.samples[i]![figure]));
}

const times = (s: Summary) =>
  Number.isNaN(s.median) ? 'n/a' : `${s.median.toFixed(3)}× (${s.min.toFixed(3)}–${s.max.toFixed(3)})`;

export function uploadReport(
  ctx: BenchContext,
  rows: Row[],
  parts: { size: number; queue: number },
): SectionResult {
  const find = (server: ServerKind, client: string) =>
    rows.find((r) => r.server === server && r.client === client && !r.skipped);
  const rcloneOf = (server: ServerKind) => find(server, CLIENT.rclone);
  const table = tableLines(
    [
      'server',
      'client',
      'wall s',
      'CPU s (user+sys)',
      'peak RSS MB',
      'wall vs rclone',
      'CPU vs rclone',
      'RSS vs rclone',
    ],
    rows.map((r) => {
      const base = rcloneOf(r.server);
      if (r.skipped) return [r.server, r.client, `skipped: ${r.skipped}`, '', '', '', '', ''];
      return [
        r.server,
        r.client,
        fmt(r.wallS),
        fmt(r.cpuS),
        fmt(r.rssMB, 0),
        base ? ratio(r.wallS.median, base.wallS.median) : 'n/a',
        base ? ratio(r.cpuS.median, base.cpuS.median) : 'n/a',
        base ? ratio(r.rssMB.median, base.rssMB.median) : 'n/a',
      ];
    }),
  );

  const targets: Target[] = [];
  for (const r of rows.filter((row) => row.client.startsWith('Bytedrop'))) {
    const base = rcloneOf(r.server);
    const check = (name: string, limit: number, value: number | undefined, baseline: number | undefined) => {
      const measurable =
        !r.skipped && base && value !== undefined && baseline !== undefined && !Number.isNaN(value);
      targets.push({
        name: `upload ${r.server}: ${r.client} ${name} vs rclone`,
        target: `≤ ${limit.toFixed(2)}×`,
        measured: measurable ? ratio(value, baseline) : 'n/a',
        met: measurable ? value / baseline <= limit : undefined,
      });
    };
    check('wall', 0.9, r.wallS.median, base?.wallS.median);
    check('CPU', 0.7, r.cpuS.median, base?.cpuS.median);
    check('peak RSS', 0.7, r.rssMB.median, base?.rssMB.median);
  }

  // What the checks cost: the library against core without them, on every server both ran against.
  const overhead: { server: ServerKind; wall: Summary; cpu: Summary; rss: Summary }[] = [];
  for (const server of [...new Set(rows.map((r) => r.server))]) {
    const checked = find(server, CLIENT.library);
    const unchecked = find(server, CLIENT.unchecked);
    if (!checked || !unchecked) continue;
    overhead.push({
      server,
      wall: pairedRatios(checked, unchecked, 'wallS'),
      cpu: pairedRatios(checked, unchecked, 'cpuS'),
      rss: pairedRatios(checked, unchecked, 'rssMB'),
    });
  }
  for (const o of overhead) {
    targets.push({
      name: `upload ${o.server}: wall with the checks vs without`,
      target: `≤ ${CHECKS_LIMIT.toFixed(2)}×`,
      measured: times(o.wall),
      met: Number.isNaN(o.wall.median) ? undefined : o.wall.median <= CHECKS_LIMIT,
    });
  }
  const overheadTable = tableLines(
    ['server', 'wall: with / without the checks', 'CPU', 'peak RSS'],
    overhead.map((o) => [o.server, times(o.wall), times(o.cpu), times(o.rss)]),
  );

  const notes = [
    `${(ctx.bigFileSize / 2 ** 20).toFixed(0)} MiB file; ${ctx.runs} runs per client, round-robin (each round starting one client later), after ${ctx.warmups} warm-up round(s) with a ${(ctx.warmFileSize / 2 ** 20).toFixed(0)} MiB file. Against s3rver only the library, core without the checks and rclone, against radosgw the CLI, the library and rclone (each GiB takes them 13–25 s to store). Each upload verified by HEAD (size) and deleted; radosgw then collects its garbage, outside the clock.`,
    `Bytedrop and rclone: ${parts.size / 2 ** 20} MiB parts, ${parts.queue} in flight; lib-storage: its defaults (5 MiB, 4). rclone runs with its default MD5 checksum pass, as Bytedrop runs its SHA-256 pass.`,
    `Checks overhead: "${CLIENT.library}" is createUploader with a file journal + uploadFile (HEAD of the candidate key, metadata, If-None-Match, the second read hashed again as it streams, the multipart upload journalled on disk); "${CLIENT.unchecked}" (bench/clients/unchecked.mjs) does the same hash pass, HEAD and store.put of the same file Blob with none of that. Ratios are the median (min–max) over the rounds of with / without, each pair from the same round.`,
    'Client CPU and peak RSS are the client process (and its children) only; each server runs in a process of its own.',
  ];
  if (!hasGnuTime)
    notes.push('CPU and RSS not measured: /usr/bin/time is missing (apt-get install -y time).');
  return {
    title: '2. Large upload',
    table: [...table, '', 'What the checks cost (issue 10):', '', ...overheadTable],
    targets,
    notes,
    data: { parts, rows, overhead },
  };
}
