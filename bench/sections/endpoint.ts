/**
 * 4. Endpoint: 32 concurrent clients uploading 1 MiB PNGs through @bytedrop/server, against the same uploads sent
 * straight to the S3 server (presigned PUTs). One load generator for both; each run is a fresh generator process
 * timed from its first request to its last answer. The server's RSS is read in its own process before the
 * measured runs and after them (2,000 uploads through it in all).
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BenchContext, bench, built, RUN_DIR } from '../lib/context.js';
import { MiB, makePng } from '../lib/files.js';
import { run } from '../lib/measure.js';
import type { SectionResult } from '../lib/report.js';
import { bytedropConfig } from '../lib/s3.js';
import {
  childEnv,
  nextMessage,
  type S3Target,
  serverMissing,
  startServer,
  stopChild,
  usageOf,
} from '../lib/servers.js';
import { summarize } from '../lib/stats.js';
import {
  endpointTable,
  endpointTargets,
  ROUTE_NAMES,
  ROUTES,
  type Route,
  type Row,
  type RssGrowth,
  rssText,
  sdkFloorNotes,
} from './_endpoint-report.js';

const CONCURRENCY = 32;
/**
 * Uploads per route and server. The RSS target is judged over 2,000 uploads against the sink; s3rver and radosgw
 * take 10–25 ms of their own per upload, so there a quarter of that keeps the bench short.
 */
const PLAN = [
  { kind: 'sink', uploads: 2000, warmup: 128 },
  { kind: 's3rver', uploads: 500, warmup: 64 },
  { kind: 'radosgw', uploads: 500, warmup: 64 },
] as const;
const ACCESS_KEY = 'bench-access-key-0123456789abcdef';

interface LoadResult {
  seconds: number;
  ok: number;
  errors: number;
  errorSamples: string[];
  p50: number;
  p95: number;
}

async function load(options: Record<string, unknown>): Promise<LoadResult> {
  const { stdout } = await run('node', [bench('clients/load.mjs'), JSON.stringify(options)], {
    timeoutMs: 600_000,
  });
  return JSON.parse(stdout) as LoadResult;
}

export async function endpointSection(ctx: BenchContext): Promise<SectionResult> {
  const title = '4. Endpoint (32 clients, 1 MiB PNGs)';
  if (!built('server') || !built('serverNode') || !built('core')) {
    return {
      title,
      table: [],
      targets: [],
      notes: ['skipped: @bytedrop/server or core is not built'],
      data: null,
    };
  }
  const dir = await mkdtemp(join(RUN_DIR, 'endpoint-'));
  const png = join(dir, 'base.png');
  await writeFile(png, makePng(MiB));
  const rows: Row[] = [];
  const rss: Record<string, RssGrowth> = {};
  const skipped: string[] = [];
  try {
    for (const { kind, uploads, warmup } of PLAN.filter((p) => ctx.servers.includes(p.kind))) {
      const perRun = Math.ceil((ctx.quick ? uploads / 10 : uploads) / ctx.runs);
      const missing = serverMissing(kind);
      if (missing) {
        ctx.log(`endpoint ${kind}: skipped, ${missing}`);
        skipped.push(`${kind}: skipped, ${missing}.`);
        continue;
      }
      const target = await startServer(kind);
      const server = fork(
        bench('servers/endpoint.mjs'),
        [JSON.stringify(bytedropConfig(target)), ACCESS_KEY],
        {
          // The sink and radosgw refuse a create-only PUT to a taken key (412), so the server may PUT first there;
          // s3rver ignores If-None-Match, so there it must HEAD first.
          env: childEnv(kind === 's3rver' ? {} : { BYTEDROP_BENCH_ENFORCED: '1' }),
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        },
      );
      // The same server recording every upload in a SQLite catalog (issue 13: ≥ 0.95× the throughput without).
      const withCatalog = fork(
        bench('servers/endpoint.mjs'),
        [JSON.stringify(bytedropConfig(target)), ACCESS_KEY],
        {
          env: childEnv({
            ...(kind === 's3rver' ? {} : { BYTEDROP_BENCH_ENFORCED: '1' }),
            BYTEDROP_BENCH_CATALOG: join(dir, `catalog-${kind}.sqlite`),
          }),
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        },
      );
      // The floor: what any proxying server must do at the least (bench/servers/floor-proxy.mjs).
      // radosgw refuses anonymous writes: there the floor signs its PUTs.
      const floorTarget = {
        endpoint: target.endpoint,
        bucket: target.bucket,
        ...(kind === 'radosgw'
          ? { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey }
          : {}),
      };
      const floor = fork(bench('servers/floor-proxy.mjs'), [JSON.stringify(floorTarget)], {
        env: childEnv(),
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      // The SDK floor: the same, with one PutObject through @aws-sdk/client-s3 (bench/servers/floor-sdk-proxy.mjs).
      const sdkFloor = fork(bench('servers/floor-sdk-proxy.mjs'), [JSON.stringify(s3Options(target))], {
        env: childEnv(),
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      try {
        const port = await nextMessage<number>(server, 'port');
        const catalogPort = await nextMessage<number>(withCatalog, 'port');
        const floorPort = await nextMessage<number>(floor, 'port');
        const sdkFloorPort = await nextMessage<number>(sdkFloor, 'port');
        const common = { png, concurrency: CONCURRENCY, ...s3Options(target) };
        const direct = { ...common, mode: 'direct' };
        const viaServer = { ...common, mode: 'server', url: `http://127.0.0.1:${port}`, token: ACCESS_KEY };
        const viaFloor = { ...viaServer, url: `http://127.0.0.1:${floorPort}` };
        const viaSdkFloor = { ...viaServer, url: `http://127.0.0.1:${sdkFloorPort}` };
        const viaCatalog = { ...viaServer, url: `http://127.0.0.1:${catalogPort}` };
        const proxies = { server, catalog: withCatalog, floor, sdkFloor };
        const routes = {
          direct,
          server: viaServer,
          catalog: viaCatalog,
          floor: viaFloor,
          sdkFloor: viaSdkFloor,
        };
        ctx.log(`endpoint ${kind}: warm-up`);
        for (const options of Object.values(routes))
          await load({ ...options, total: ctx.quick ? CONCURRENCY : warmup });
        await target.reclaim();
        const before = await usageOf(server);
        const perRoute = <T>() => Object.fromEntries(ROUTES.map((r) => [r, [] as T[]])) as Record<Route, T[]>;
        const runs = perRoute<LoadResult>();
        const cpu = perRoute<number>();
        const proxyCpu = perRoute<number>();
        // Alternate the routes run by run, so drift on the shared machine hits both alike.
        for (let i = 0; i < ctx.runs; i++) {
          for (const route of ROUTES) {
            const options = routes[route];
            ctx.log(`endpoint ${kind}: ${route} run ${i + 1}/${ctx.runs}`);
            const s3Before = await target.usage();
            const proxy = route === 'direct' ? undefined : proxies[route];
            const proxyBefore = proxy && (await usageOf(proxy));
            const result = await load({ ...options, total: perRun });
            runs[route].push(result);
            cpu[route].push(((await target.usage()).cpuMs - s3Before.cpuMs) / perRun);
            if (proxy && proxyBefore)
              proxyCpu[route].push(((await usageOf(proxy)).cpuMs - proxyBefore.cpuMs) / perRun);
            // After the CPU is read: radosgw keeps objects in RAM, so each run's are deleted and collected.
            await target.reclaim();
          }
        }
        const after = await usageOf(server);
        rss[kind] = {
          before: before.rss,
          after: after.rss,
          growthMB: (after.rss - before.rss) / 1e6,
          liveGrowthMB: ((after.liveAfterGc ?? Number.NaN) - (before.liveAfterGc ?? Number.NaN)) / 1e6,
        };
        for (const route of ROUTES) {
          const list = runs[route];
          rows.push({
            server: kind,
            route: ROUTE_NAMES[route],
            mibPerS: summarize(list.map((r) => r.ok / r.seconds)),
            p50: summarize(list.map((r) => r.p50)),
            p95: summarize(list.map((r) => r.p95)),
            uploads: list.reduce((n, r) => n + r.ok + r.errors, 0),
            errors: list.reduce((n, r) => n + r.errors, 0),
            errorSamples: list.flatMap((r) => r.errorSamples).slice(0, 3),
            s3CpuMsPerUpload: summarize(cpu[route]),
            serverCpuMsPerUpload: route === 'direct' ? undefined : summarize(proxyCpu[route]),
          });
        }
      } finally {
        await stopChild(server);
        await stopChild(withCatalog);
        await stopChild(floor);
        await stopChild(sdkFloor);
        await target.stop();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const table = endpointTable(rows);
  const targets = endpointTargets(rows, rss);
  const notes = [
    `${CONCURRENCY} concurrent keep-alive clients; per route ${PLAN.map((p) => `${ctx.quick ? p.uploads / 10 : p.uploads} uploads to ${p.kind} (${ctx.runs} runs, after ${p.warmup} warm-up uploads)`).join(', ')}; the routes alternate run by run. Every upload has distinct bytes (no dedupe). "direct" PUTs to presigned URLs of the same S3 server; "via" POSTs multipart to /upload with a Bearer key.`,
    'Load generator, Bytedrop server and S3 server share the 2 cores: the server route pays its own CPU (parse, sniff, hash, PUT; against s3rver, which ignores If-None-Match, a HEAD before the PUT: the sink and radosgw refuse a create-only PUT to a taken key, so there the server PUTs first and HEADs only after a 412) out of the same budget as the S3 server.',
    'The catalog route is a second server process, the same but recording every upload in a SQLite catalog file (what `pnpm start` does by default); issue 13 asks for at least 0.95× the throughput without it.',
    "The floor is a minimal proxy (bench/servers/floor-proxy.mjs): it receives the body, takes its SHA-256 and PUTs the bytes on with one plain http.request — no SDK, no HEAD, no multipart parsing. No proxying server can do less, so its ratio is the ceiling of the Bytedrop server's on this machine. To radosgw, which refuses anonymous writes, it signs each PUT (SigV4, the SHA-256 it took as payload hash).",
    "The SDK floor (bench/servers/floor-sdk-proxy.mjs) is the same proxy sending one PutObject through one S3Client of @aws-sdk/client-s3, which Bytedrop's design names: keep-alive, path style, checksums only when required, the joined body, the SHA-256 it took as SigV4's payload hash, the logger middleware removed (as core does). No server on that SDK that hands it the body as one buffer (which the SDK can send again on a retry, where a stream it cannot) can do less; what Bytedrop's server spends beyond it is its own (multipart parsing, the key, the checks, the catalog and delete token). The join is much of the SDK floor's cost: the received chunks sent as a stream instead cost about a quarter less CPU in bench/probes/endpoint-ab.ts, with no retry possible.",
    ...sdkFloorNotes(rows),
    "radosgw is the test harness's one-node Ceph cluster (mon, memstore OSD, radosgw; real SigV4 and MD5 checks); its CPU per upload is the three daemons' together. Its bucket is emptied and garbage-collected after each run, outside the clock.",
    ...skipped,
    `Server RSS growth over s3rver's ${rows.find((r) => r.server === 's3rver' && r.route === ROUTE_NAMES.server)?.uploads ?? 0} uploads (not judged; a few hundred uploads are within GC noise): ${rssText(rss, 's3rver')}.`,
    'Server RSS: read in the server process after the warm-up and after the measured runs (the target is on this raw RSS), with, beside it, the growth of the live JS heap + external memory after a forced full GC: RSS seldom shrinks once V8 and malloc hold pages, so the live figure is the one that shows memory kept.',
  ];
  return { title, table, targets, notes, data: { rows, rss } };
}

function s3Options(target: S3Target): Record<string, string> {
  return {
    endpoint: target.endpoint,
    bucket: target.bucket,
    accessKeyId: target.accessKeyId,
    secretAccessKey: target.secretAccessKey,
  };
}
