/**
 * 3. Paste latency: 1 MiB PNGs through core, timed in the client from the call to the formatted link. Fresh bytes
 * (HEAD misses, PUT), then the same bytes again (HEAD hits: deduplicated). Against s3rver, where the targets are
 * judged, and against the sink, whose near-zero answer time leaves the client's own share. Each server counts the
 * requests of each phase, proving what a deduplicated paste sends.
 *
 * Bytedrop's pastes take turns with core's pipeline without issue 10's checks (clients/unchecked.mjs) in the same
 * process, so the ratio of their p50s is what the checks add to a paste; and with a bare SDK PutObject / HeadObject
 * of the same bytes (clients/bare-sdk.mjs), what Bytedrop costs over what a user would send without it (issue 16),
 * and with a bare HeadObject + PutObject, the floor of a fresh paste against a store that ignores If-None-Match.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BenchContext, built, RUN_DIR } from '../lib/context.js';
import { MiB, makePng } from '../lib/files.js';
import {
  type Latencies,
  type PasteRun,
  type Phase,
  pasteRun,
  requestsOf,
  WAYS,
  type Way,
} from '../lib/paste-run.js';
import { type SectionResult, type Target, tableLines } from '../lib/report.js';
import { type ServerKind, startServer } from '../lib/servers.js';
import { percentile, summarize } from '../lib/stats.js';

/** Measured pastes per pipeline and phase; 100 keep the p50 within about 2 % from run to run here. */
const COUNT = 100;
const WARMUPS = 5;
/** The pipelines with PNGs of their own (the bare SDK sends Bytedrop's). */
const PIPELINES = ['bytedrop', 'unchecked'] as const;
const WAY_NAMES: Record<Way, string> = {
  bytedrop: 'Bytedrop',
  unchecked: 'core without the checks',
  sdk: 'bare SDK',
  'sdk-floor': 'bare SDK, floor',
};
/** The checks may add at most this much to the paste p50 (issue 10). */
const CHECKS_LIMIT = 1.05;
/** A paste may take at most this much of a bare SDK PutObject / HeadObject of the same bytes (issue 16). */
const SDK_LIMIT = 1.2;

interface Row {
  server: ServerKind;
  way: Way;
  phase: Phase;
  p50: number;
  p95: number;
  min: number;
  max: number;
  requestsPerPaste: string;
}

const LABEL: Record<Phase, Record<'paste' | 'sdk' | 'sdk-floor', string>> = {
  fresh: {
    paste: 'fresh (hash → key → HEAD 404 → PUT → link)',
    sdk: 'fresh (PutObject)',
    'sdk-floor': 'fresh (HeadObject 404 → PutObject)',
  },
  dedupe: {
    paste: 'same bytes again (HEAD 200 → link)',
    sdk: 'same bytes again (HeadObject 200)',
    'sdk-floor': 'same bytes again (SHA-256 → HeadObject 200)',
  },
};
const labelOf = (way: Way, phase: Phase) =>
  LABEL[phase][way === 'sdk' || way === 'sdk-floor' ? way : 'paste'];
const phaseName = (phase: Phase) => (phase === 'fresh' ? 'fresh' : 'deduplicated');
const ms = (n: number) => n.toFixed(2);

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
        const result = await pasteRun(target, dir, pngs, count, WARMUPS);
        ctx.log(`paste ${kind}: requests per phase ${JSON.stringify(result.requests)}`);
        data[kind] = result;
        for (const phase of ['fresh', 'dedupe'] as const) {
          for (const way of WAYS) {
            const times = result[phase][way];
            if (!times) continue;
            const s = summarize(times);
            rows.push({
              server: kind,
              way,
              phase,
              p50: percentile(times, 50),
              p95: percentile(times, 95),
              min: s.min,
              max: s.max,
              requestsPerPaste: requestsOf(result.requests[phase] ?? {}, way, count),
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

  const table = tableLines(
    ['server', 'pipeline', 'paste', 'p50 ms', 'p95 ms', 'min–max ms', 'requests per paste (at the server)'],
    rows.map((r) => [
      r.server,
      WAY_NAMES[r.way],
      labelOf(r.way, r.phase),
      r.p50.toFixed(1),
      r.p95.toFixed(1),
      `${r.min.toFixed(1)}–${r.max.toFixed(1)}`,
      r.requestsPerPaste,
    ]),
  );
  const find = (server: ServerKind, way: Way, phase: Phase) =>
    rows.find((row) => row.server === server && row.way === way && row.phase === phase);
  /** `a`'s p50 over `b`'s, and the median of the ratios of the pastes of one round (same PNG, back to back). */
  const compare = (server: ServerKind, phase: Phase, a: Way, b: Way) => {
    const [x, y] = [find(server, a, phase), find(server, b, phase)];
    const latencies = (data[server] as PasteRun | undefined)?.[phase] as Latencies | undefined;
    const [xs, ys] = [latencies?.[a], latencies?.[b]];
    if (!x || !y || !xs || !ys) return undefined;
    const paired = percentile(
      xs.map((t, i) => t / (ys[i] ?? Number.NaN)),
      50,
    );
    return {
      ratio: x.p50 / y.p50,
      paired,
      text: `${(x.p50 / y.p50).toFixed(3)}× (${ms(x.p50)} / ${ms(y.p50)} ms)`,
    };
  };
  const targets: Target[] = [];
  for (const [phase, limit] of [
    ['fresh', 25],
    ['dedupe', 5],
  ] as const) {
    const r = find('s3rver', 'bytedrop', phase);
    targets.push({
      name: `paste p50 against s3rver, ${phaseName(phase)}`,
      target: `≤ ${limit} ms`,
      measured: r ? `${r.p50.toFixed(1)} ms` : 'n/a',
      met: r ? r.p50 <= limit : undefined,
    });
  }
  const checksRows: string[][] = [];
  const sdkRows: string[][] = [];
  for (const server of ['s3rver', 'sink'] as const) {
    for (const phase of ['fresh', 'dedupe'] as const) {
      // What the checks add: p50 with them over p50 without, same server, same phase, same process.
      const checks = compare(server, phase, 'bytedrop', 'unchecked');
      if (checks) {
        checksRows.push([server, phase, `${checks.ratio.toFixed(3)}×`, `${checks.paired.toFixed(3)}×`]);
        targets.push({
          name: `paste p50 against ${server}, ${phaseName(phase)}: with the checks vs without`,
          target: `≤ ${CHECKS_LIMIT.toFixed(2)}×`,
          measured: checks.text,
          met: checks.ratio <= CHECKS_LIMIT,
        });
      }
      // What Bytedrop costs over the bare SDK sending the same bytes, and over the floor (HEAD + PUT; SHA-256 + HEAD).
      const sdk = compare(server, phase, 'bytedrop', 'sdk');
      const floor = compare(server, phase, 'bytedrop', 'sdk-floor');
      const floorOverSdk = compare(server, phase, 'sdk-floor', 'sdk');
      if (sdk) {
        sdkRows.push([
          server,
          phase,
          `${sdk.ratio.toFixed(3)}×`,
          `${sdk.paired.toFixed(3)}×`,
          floor ? `${floor.ratio.toFixed(3)}× (paired ${floor.paired.toFixed(3)}×)` : '–',
          floorOverSdk ? `${floorOverSdk.ratio.toFixed(3)}×` : '–',
        ]);
      }
      if (sdk && server === 's3rver') {
        targets.push({
          name: `paste p50 against s3rver, ${phaseName(phase)}: vs a bare SDK ${phase === 'fresh' ? 'PutObject' : 'HeadObject'} of the same bytes`,
          target: `≤ ${SDK_LIMIT.toFixed(1)}×`,
          measured: floor
            ? `${sdk.text}; the floor (${phase === 'fresh' ? 'HEAD + PUT' : 'SHA-256 + HEAD'}) is ${floorOverSdk?.ratio.toFixed(3)}× the bare SDK, Bytedrop ${floor.ratio.toFixed(3)}× the floor`
            : sdk.text,
          met: sdk.ratio <= SDK_LIMIT,
        });
      }
    }
  }
  const checksTable = tableLines(
    ['server', 'paste', 'p50 with / without the checks', 'median of paste-by-paste ratios'],
    checksRows,
  );
  const sdkTable = tableLines(
    [
      'server',
      'paste',
      'p50 Bytedrop / bare SDK',
      'median of paste-by-paste ratios',
      'p50 Bytedrop / floor (fresh: HEAD + PUT; again: SHA-256 + HEAD)',
      'p50 floor / bare SDK',
    ],
    sdkRows,
  );
  return {
    title,
    table: [
      ...table,
      '',
      'What the checks cost (issue 10):',
      '',
      ...checksTable,
      '',
      'Against a bare SDK sending the same bytes (issue 16):',
      '',
      ...sdkTable,
    ],
    targets,
    notes: [
      `${count} pastes of distinct 1 MiB PNGs per pipeline after ${WARMUPS} warm-up pastes, one at a time from one client process, then the same ${count} again; per server. Timed from upload() to the Markdown link, in the client.`,
      'Bytedrop (createUploader with a file journal: full hash, owner and write id as metadata, identity compared on HEAD, If-None-Match on the PUT) and core without the checks (bench/clients/unchecked.mjs: same sniff, hash, key, HEAD and single PUT signed with the hash, size compared on HEAD) take turns paste by paste, each round starting with the next way. A single PUT journals nothing and bytes in memory are not hashed twice, so what a paste pays for the checks is the metadata headers and the compare after the HEAD.',
      "The bare SDK (bench/clients/bare-sdk.mjs) takes its turns in the same rounds with Bytedrop's very bytes: an S3Client built from the same config (checksums when required, else the SDK's defaults), one PutObject (fresh) then one HeadObject (deduplicated), timed from the command to the answer; it signs the body's SHA-256 as SigV4's payload hash, as it would for a user. The floor takes its turns too: HeadObject (404) then PutObject (fresh), what a paste must send to a store that ignores If-None-Match (s3rver), its SigV4 hash being the content hash a paste takes anyway; the bytes' SHA-256 then HeadObject (again), since a content-addressed key needs the hash before the HEAD. 'floor / bare SDK' is the least the ≤ 1.2× ratios can be with those requests.",
      "s3rver is the test harness's: it verifies SigV4 in JavaScript and writes each object to disk, and that time is in its rows. The sink answers in microseconds, so its rows are about the client's own share.",
    ],
    data: { rows, ...data },
  };
}
