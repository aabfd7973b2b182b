/**
 * Paste latency through core, as a host runs it on paste: upload (hash → key → HEAD → PUT) then format the link.
 * First `count` PNGs of distinct bytes (fresh), then the same bytes again (deduplicated: HEAD only).
 * Usage: node paste.mjs <config.json> <pngDir> <count> <warmups>. Prints `{ fresh: ms[], dedupe: ms[] }`.
 * Forked with IPC, it pauses at each phase so the parent can read the server's request counts in between.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createUploader, formatLink } from '../../packages/core/dist/index.js';

const [configPath, pngDir, countArg, warmupArg] = process.argv.slice(2);
const count = Number(countArg);
const warmups = Number(warmupArg);
const uploader = createUploader(JSON.parse(await readFile(configPath, 'utf8')));
const pngs = await Promise.all(
  Array.from({ length: warmups + count }, (_, i) =>
    readFile(join(pngDir, `${i}.png`)).then((b) => new Uint8Array(b)),
  ),
);

async function paste(bytes, expectDedupe) {
  const started = performance.now();
  const result = await uploader.upload(bytes, { filename: 'image.png' });
  formatLink(result, 'markdown');
  const ms = performance.now() - started;
  if (result.deduplicated !== expectDedupe) {
    throw new Error(`paste of ${result.key}: deduplicated=${result.deduplicated}, expected ${expectDedupe}`);
  }
  return ms;
}

/** Tells the parent a phase starts and waits until it has read the server's request counts so far. */
async function phase(name) {
  if (!process.send) return;
  const ack = new Promise((resolve) => process.once('message', resolve));
  process.send({ phase: name });
  await ack;
}

// Warm-up: module code paths, the SDK's connection and signing key, with bytes the timed runs never reuse.
for (const bytes of pngs.slice(0, warmups)) await paste(bytes, false);
await phase('fresh');
const fresh = [];
for (const bytes of pngs.slice(warmups)) fresh.push(await paste(bytes, false));
await phase('dedupe');
const dedupe = [];
for (const bytes of pngs.slice(warmups)) dedupe.push(await paste(bytes, true));
await phase('end');
process.stdout.write(`${JSON.stringify({ fresh, dedupe })}\n`);
