/**
 * The endpoint section's table, targets and notes, from its rows (kept apart from endpoint.ts, which runs them).
 */
import { fmt, ratio, type Target, tableLines } from '../lib/report.js';
import type { ServerKind } from '../lib/servers.js';
import type { Summary } from '../lib/stats.js';

export type Route = 'direct' | 'server' | 'catalog' | 'floor' | 'sdkFloor';
export const ROUTES: readonly Route[] = ['direct', 'server', 'catalog', 'floor', 'sdkFloor'];
export const ROUTE_NAMES = {
  direct: 'direct',
  server: 'via @bytedrop/server',
  catalog: 'via @bytedrop/server with a SQLite catalog',
  floor: 'via a minimal proxy (the floor)',
  sdkFloor: 'via a minimal proxy on the AWS SDK (the SDK floor)',
} as const;

export interface Row {
  server: ServerKind;
  route: (typeof ROUTE_NAMES)[Route];
  mibPerS: Summary;
  p50: Summary;
  p95: Summary;
  uploads: number;
  errors: number;
  errorSamples: string[];
  /** S3 server CPU ms per upload, and the proxy's (Bytedrop server or a floor) on the routes through one. */
  s3CpuMsPerUpload: Summary;
  serverCpuMsPerUpload?: Summary;
}

export interface RssGrowth {
  before: number;
  after: number;
  growthMB: number;
  liveGrowthMB: number;
}

/** The section's Markdown table: one line per server and route. */
export function endpointTable(rows: readonly Row[]): string[] {
  const directOf = (kind: ServerKind) => rows.find((r) => r.server === kind && r.route === 'direct');
  return tableLines(
    [
      'S3 server',
      'route',
      'MiB/s',
      'vs direct',
      'latency p50 ms',
      'p95 ms',
      'errors',
      'CPU ms/upload: S3 server',
      'proxy',
    ],
    rows.map((r) => [
      r.server,
      r.route,
      fmt(r.mibPerS, 0),
      ratio(r.mibPerS.median, directOf(r.server)?.mibPerS.median ?? Number.NaN),
      fmt(r.p50, 0),
      fmt(r.p95, 0),
      `${r.errors}/${r.uploads}`,
      fmt(r.s3CpuMsPerUpload, 1),
      r.serverCpuMsPerUpload ? fmt(r.serverCpuMsPerUpload, 1) : '',
    ]),
  );
}

export function rssText(rss: Record<string, RssGrowth>, kind: string): string {
  const m = rss[kind];
  if (!m) return 'n/a';
  return `${m.growthMB.toFixed(1)} MB (${(m.before / 1e6).toFixed(0)} → ${(m.after / 1e6).toFixed(0)} MB; live heap + external after a full GC: ${m.liveGrowthMB.toFixed(1)} MB)`;
}

/** A ratio `a / b` judged against `limit`. */
function compare(name: string, a: number, b: number, limit: { at: 'most' | 'least'; value: number }): Target {
  const value = a / b;
  return {
    name,
    target: `${limit.at === 'most' ? '≤' : '≥'} ${limit.value.toFixed(2)}×`,
    measured: ratio(a, b),
    met: Number.isFinite(value)
      ? limit.at === 'most'
        ? value <= limit.value
        : value >= limit.value
      : undefined,
  };
}

/** Median throughput and proxy CPU per upload of a server's route. */
function medians(rows: readonly Row[]) {
  const find = (kind: ServerKind, route: Route) =>
    rows.find((r) => r.server === kind && r.route === ROUTE_NAMES[route]);
  return {
    mibPerS: (kind: ServerKind, route: Route) => find(kind, route)?.mibPerS.median ?? Number.NaN,
    cpu: (kind: ServerKind, route: Route) => find(kind, route)?.serverCpuMsPerUpload?.median ?? Number.NaN,
  };
}

/**
 * One note per server on the SDK floor: no target names it, so it is reported, not judged. It tells what of the
 * server's cost beyond the raw floor any server on @aws-sdk/client-s3 pays, and what is Bytedrop's own.
 */
export function sdkFloorNotes(rows: readonly Row[]): string[] {
  const { mibPerS, cpu } = medians(rows);
  return [...new Set(rows.map((r) => r.server))]
    .filter((kind) => rows.some((r) => r.server === kind && r.route === ROUTE_NAMES.sdkFloor))
    .map(
      (kind) =>
        `${kind}, against the SDK floor: server CPU per upload ${ratio(cpu(kind, 'server'), cpu(kind, 'sdkFloor'))}, throughput ${ratio(mibPerS(kind, 'server'), mibPerS(kind, 'sdkFloor'))}; the SDK floor against the raw floor: CPU per upload ${ratio(cpu(kind, 'sdkFloor'), cpu(kind, 'floor'))}, throughput ${ratio(mibPerS(kind, 'sdkFloor'), mibPerS(kind, 'floor'))}.`,
    );
}

/** The section's targets: the catalog's cost, the server against direct and against both floors (issue 16). */
export function endpointTargets(rows: readonly Row[], rss: Record<string, RssGrowth>): Target[] {
  const { mibPerS, cpu } = medians(rows);
  const targets: Target[] = [];
  for (const r of rows.filter((row) => row.route === ROUTE_NAMES.catalog)) {
    targets.push(
      compare(
        `endpoint ${r.server}: throughput with the catalog vs without`,
        r.mibPerS.median,
        mibPerS(r.server, 'server'),
        { at: 'least', value: 0.95 },
      ),
    );
  }
  for (const r of rows.filter((row) => row.route === ROUTE_NAMES.server)) {
    const kind = r.server;
    targets.push(
      compare(`endpoint ${kind}: throughput vs direct`, r.mibPerS.median, mibPerS(kind, 'direct'), {
        at: 'least',
        value: 0.8,
      }),
      compare(`endpoint ${kind}: throughput vs the floor`, r.mibPerS.median, mibPerS(kind, 'floor'), {
        at: 'least',
        value: 0.8,
      }),
      compare(
        `endpoint ${kind}: server CPU per upload vs the floor`,
        cpu(kind, 'server'),
        cpu(kind, 'floor'),
        {
          at: 'most',
          value: 2,
        },
      ),
      {
        name: `endpoint ${kind}: errors`,
        target: '0',
        measured: `${r.errors} of ${r.uploads}${r.errorSamples[0] ? ` (${r.errorSamples[0].slice(0, 80)})` : ''}`,
        met: r.errors === 0,
      },
    );
    // The RSS target is over 2,000 uploads: the sink's run. s3rver's 500 are reported, not judged.
    if (kind === 'sink') {
      targets.push({
        name: `endpoint ${kind}: server RSS growth over ${r.uploads} uploads`,
        target: '≤ 20 MB',
        measured: rssText(rss, kind),
        met: (rss[kind]?.growthMB ?? Number.POSITIVE_INFINITY) <= 20,
      });
    }
  }
  return targets;
}
