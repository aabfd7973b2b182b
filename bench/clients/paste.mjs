/**
 * Paste latency through core, as a host runs it on paste: upload (hash → key → HEAD → PUT) then format the link.
 * The pipelines take turns, paste by paste, each round starting with the next one, so drift on a shared machine hits
 * all alike:
 *   - bytedrop: createUploader with a file journal, every check of issue 10 (metadata, identity on HEAD,
 *     If-None-Match);
 *   - unchecked: the same work without those checks (unchecked.mjs), keys under unchecked/;
 *   - sdk: a bare SDK PutObject of Bytedrop's very bytes (fresh), then a HeadObject of it (deduplicated), under sdk/
 *     (bare-sdk.mjs);
 *   - sdk-floor: a bare HeadObject (404) then PutObject of the same bytes (fresh), then their SHA-256 and a
 *     HeadObject (deduplicated), under sdk-floor/: the least each paste can take against s3rver.
 * Bytedrop and unchecked paste their own PNGs: first `count` of distinct bytes (fresh), then the same bytes again
 * (deduplicated: HEAD only). Usage: node paste.mjs <config.json> <pngDir> <count> <warmups> <journal dir>, with
 * 2 × (warmups + count) PNGs in pngDir. Prints `{ fresh: { <pipeline>: ms[] }, dedupe: { … } }`.
 * Forked with IPC, it pauses at each phase so the parent can read the server's request counts in between.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createUploader, formatLink } from '../../packages/core/dist/index.js';
import { createFileJournal } from '../../packages/core/dist/node/index.js';
import { createBareSdk } from './bare-sdk.mjs';
import { createUncheckedUploader } from './unchecked.mjs';

const [configPath, pngDir, countArg, warmupArg, journalDir] = process.argv.slice(2);
const count = Number(countArg);
const warmups = Number(warmupArg);
const config = JSON.parse(await readFile(configPath, 'utf8'));
const pipelines = [
  { name: 'bytedrop', uploader: createUploader(config, { journal: createFileJournal(journalDir) }) },
  { name: 'unchecked', uploader: createUncheckedUploader(config) },
];
const sdk = createBareSdk(config);
const perPipeline = warmups + count;
const pngs = await Promise.all(
  Array.from({ length: pipelines.length * perPipeline }, (_, i) =>
    readFile(join(pngDir, `${i}.png`)).then((b) => new Uint8Array(b)),
  ),
);
/** The PNGs of pipeline `p`: its warm-ups, then its `count` measured ones. */
const own = (p) => pngs.slice(p * perPipeline, (p + 1) * perPipeline);

async function paste(uploader, bytes, expectDedupe) {
  const started = performance.now();
  const result = await uploader.upload(bytes, { filename: 'image.png' });
  formatLink(result, 'markdown');
  const ms = performance.now() - started;
  if (result.deduplicated !== expectDedupe) {
    throw new Error(`paste of ${result.key}: deduplicated=${result.deduplicated}, expected ${expectDedupe}`);
  }
  return ms;
}

/** name → (i) => ms: every way of a phase, each with PNG `i` (the bare SDK's are Bytedrop's bytes). */
function ways(expectDedupe) {
  const byName = Object.fromEntries(
    pipelines.map((pipeline, p) => [pipeline.name, (i) => paste(pipeline.uploader, own(p)[i], expectDedupe)]),
  );
  const bytes = (i) => own(0)[i];
  if (expectDedupe) {
    return {
      ...byName,
      sdk: (i) => sdk.head(`${i}.png`, bytes(i).byteLength),
      'sdk-floor': (i) => sdk.hashHead(`${i}.png`, bytes(i)),
    };
  }
  return {
    ...byName,
    sdk: (i) => sdk.put(`${i}.png`, bytes(i)),
    'sdk-floor': (i) => sdk.headPut(`${i}.png`, bytes(i)),
  };
}

/** Runs PNG `i` through every way, round `i` starting one way later than the one before; records the ms. */
async function round(phaseWays, i, record) {
  const names = Object.keys(phaseWays);
  for (let k = 0; k < names.length; k++) {
    const name = names[(i + k) % names.length];
    const ms = await phaseWays[name](i);
    record?.[name].push(ms);
  }
}

/** Tells the parent a phase starts and waits until it has read the server's request counts so far. */
async function phase(name) {
  if (!process.send) return;
  const ack = new Promise((resolve) => process.once('message', resolve));
  process.send({ phase: name });
  await ack;
}

const empty = (phaseWays) => Object.fromEntries(Object.keys(phaseWays).map((name) => [name, []]));
const freshWays = ways(false);
const dedupeWays = ways(true);
// Warm-up: module code paths, the SDK's connections and signing keys, with bytes the timed runs never reuse.
for (let i = 0; i < warmups; i++) await round(freshWays, i);
await phase('fresh');
const fresh = empty(freshWays);
for (let i = warmups; i < perPipeline; i++) await round(freshWays, i, fresh);
await phase('dedupe');
const dedupe = empty(dedupeWays);
for (let i = warmups; i < perPipeline; i++) await round(dedupeWays, i, dedupe);
await phase('end');
process.stdout.write(`${JSON.stringify({ fresh, dedupe })}\n`);
