/**
 * A direct upload through the signing routes under both key templates, on radosgw, two servers in turn round after
 * round: the time of its complete request, and its server's CPU time (user + system, all threads) over the whole
 * upload (create, signing, parts, complete) and over the whole round (which also holds what the server does while the
 * other one works). The final object is deleted after each upload, or the next {hash} one would be a dedupe hit.
 * Not a section of `pnpm bench`: a probe to compare the two finishes, and a finish before and after a change.
 *
 * Usage: `npx tsx bench/probes/direct-cpu.ts [MiB] [rounds]` (defaults 256 and 5; MiB may be a fraction). Random
 * bytes, as the bench's files (PROBE_DATA=sparse: mostly zeros); PROBE_PROFILE=<dir>: CPU profiles of the servers;
 * PROBE_PAUSE_MS: a pause after each upload (the servers then idle between turns, as in the bench's section 11).
 */

import { randomFillSync } from 'node:crypto';
import { loadavg } from 'node:os';
import { type DirectTimings, directMultipart } from '../lib/direct-upload.js';
import { clientFor, verifyAndDelete } from '../lib/s3.js';
import { nextMessage, startServer, stopChild, usageOf } from '../lib/servers.js';
import { summarize } from '../lib/stats.js';
import { forkEndpoint } from './_endpoint.js';

const MiB = 2 ** 20;
const size = Math.round(Number(process.argv[2] ?? 256) * MiB);
const rounds = Number(process.argv[3] ?? 5);
const ACCESS_KEY = 'probe-access-key-0123456789abcdef';

const target = await startServer('radosgw');
const s3 = clientFor(target);
const endpoint = (extra: Record<string, unknown> = {}) => forkEndpoint(target, ACCESS_KEY, size / MiB, extra);
const templates = {
  '{hash}': endpoint(),
  'no {hash}': endpoint({ keyTemplate: 'bench/{uuid}/{name}.{ext}' }),
};
const urls = Object.fromEntries(
  await Promise.all(
    Object.entries(templates).map(async ([name, child]) => [
      name,
      `http://127.0.0.1:${await nextMessage<number>(child, 'port')}`,
    ]),
  ),
) as Record<keyof typeof templates, string>;
const data = Buffer.alloc(size);
if (process.env.PROBE_DATA === 'sparse')
  for (let i = 0; i < size; i += 4096) data.writeUInt32LE((i * 2654435761) >>> 0, i);
else randomFillSync(data);

const completeMs: Record<string, number[]> = {};
const cpuMs: Record<string, number[]> = {};
const roundCpuMs: Record<string, number[]> = {};
const note = (into: Record<string, number[]>, name: string, value: number) => {
  into[name] = [...(into[name] ?? []), value];
};
try {
  for (let round = -1; round < rounds; round++) {
    const roundStart = await Promise.all(Object.values(templates).map(usageOf));
    for (const name of Object.keys(templates) as (keyof typeof templates)[]) {
      const timings: DirectTimings = {};
      const child = templates[name];
      const before = await usageOf(child);
      const key = await directMultipart(urls[name], ACCESS_KEY, data, timings);
      const after = await usageOf(child);
      await verifyAndDelete(s3, target.bucket, key, size);
      await target.reclaim();
      // PROBE_PAUSE_MS: idle time after each upload, as between one server's turns in `pnpm bench` (section 11).
      await new Promise((resolve) => setTimeout(resolve, Number(process.env.PROBE_PAUSE_MS ?? 0)));
      if (round < 0) continue;
      note(completeMs, name, timings.finishMs ?? Number.NaN);
      note(cpuMs, name, after.cpuMs - before.cpuMs);
    }
    // What each server spends besides its own request (while the other runs, the deletes, the reclaim, a pause).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const roundEnd = await Promise.all(Object.values(templates).map(usageOf));
    if (round >= 0)
      Object.keys(templates).forEach((name, i) => {
        note(roundCpuMs, name, (roundEnd[i]?.cpuMs ?? Number.NaN) - (roundStart[i]?.cpuMs ?? Number.NaN));
      });
  }
  console.log(
    `${size / MiB} MiB, ${rounds} rounds after a warm-up; load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const name of Object.keys(completeMs)) {
    const c = summarize(completeMs[name]!);
    const u = summarize(cpuMs[name]!);
    const r = summarize(roundCpuMs[name]!);
    console.log(
      `${name.padEnd(10)} complete ${c.median.toFixed(0)} ms (${c.min.toFixed(0)}–${c.max.toFixed(0)}); server CPU of the whole upload ${((u.median / size) * 1024 * MiB).toFixed(0)} ms/GiB (${((u.min / size) * 1024 * MiB).toFixed(0)}–${((u.max / size) * 1024 * MiB).toFixed(0)}); over the whole round ${((r.median / size) * 1024 * MiB).toFixed(0)} ms/GiB`,
    );
  }
} finally {
  await Promise.all(Object.values(templates).map(stopChild));
  await target.stop();
}
