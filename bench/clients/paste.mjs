/**
 * Paste latency through core, as a host runs it on paste: upload (hash → key → HEAD → PUT) then format the link.
 * Two pipelines take turns, paste by paste, so drift on a shared machine hits both alike:
 *   - bytedrop: createUploader with a file journal, every check of issue 10 (metadata, identity on HEAD,
 *     If-None-Match);
 *   - unchecked: the same work without those checks (unchecked.mjs), keys under unchecked/.
 * Each pastes its own PNGs: first `count` of distinct bytes (fresh), then the same bytes again (deduplicated: HEAD
 * only). Usage: node paste.mjs <config.json> <pngDir> <count> <warmups> <journal dir>, with 2 × (warmups + count)
 * PNGs in pngDir. Prints `{ fresh: { bytedrop: ms[], unchecked: ms[] }, dedupe: { … } }`.
 * Forked with IPC, it pauses at each phase so the parent can read the server's request counts in between.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createUploader, formatLink } from '../../packages/core/dist/index.js';
import { createFileJournal } from '../../packages/core/dist/node/index.js';
import { createUncheckedUploader } from './unchecked.mjs';

const [configPath, pngDir, countArg, warmupArg, journalDir] = process.argv.slice(2);
const count = Number(countArg);
const warmups = Number(warmupArg);
const config = JSON.parse(await readFile(configPath, 'utf8'));
const pipelines = [
  { name: 'bytedrop', uploader: createUploader(config, { journal: createFileJournal(journalDir) }) },
  { name: 'unchecked', uploader: createUncheckedUploader(config) },
];
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

/** Pastes PNG `i` of every pipeline, the order flipping from one `i` to the next; records the measured ones. */
async function round(i, expectDedupe, record) {
  const order = i % 2 === 0 ? pipelines : [...pipelines].reverse();
  for (const pipeline of order) {
    const p = pipelines.indexOf(pipeline);
    const ms = await paste(pipeline.uploader, own(p)[i], expectDedupe);
    record?.[pipeline.name].push(ms);
  }
}

/** Tells the parent a phase starts and waits until it has read the server's request counts so far. */
async function phase(name) {
  if (!process.send) return;
  const ack = new Promise((resolve) => process.once('message', resolve));
  process.send({ phase: name });
  await ack;
}

const empty = () => Object.fromEntries(pipelines.map((p) => [p.name, []]));
// Warm-up: module code paths, the SDK's connections and signing keys, with bytes the timed runs never reuse.
for (let i = 0; i < warmups; i++) await round(i, false);
await phase('fresh');
const fresh = empty();
for (let i = warmups; i < perPipeline; i++) await round(i, false, fresh);
await phase('dedupe');
const dedupe = empty();
for (let i = warmups; i < perPipeline; i++) await round(i, true, dedupe);
await phase('end');
process.stdout.write(`${JSON.stringify({ fresh, dedupe })}\n`);
