/**
 * Section 8's paste rows: 1 MiB PNGs (text and XMP chunks, as a screenshot tool writes them) through core's
 * uploader to the sink, stripping on against off (`stripMetadata: false`), taking turns paste by paste, each its own
 * distinct PNGs. In a plain Node process, as a host runs core (the bench itself runs under tsx, whose loader slowed
 * the strip's loops). Usage: node paste-strip.mjs <config.json> <pngDir> <count> <warmups>, with
 * 2 × (warmups + count) PNGs in pngDir. Prints `{ on: ms[], off: ms[], removed: string[] }`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createUploader, formatLink } from '../../packages/core/dist/index.js';

const [configPath, pngDir, countArg, warmupArg] = process.argv.slice(2);
const count = Number(countArg);
const warmups = Number(warmupArg);
const config = JSON.parse(await readFile(configPath, 'utf8'));
const uploaders = {
  on: createUploader({ ...config, keyTemplate: 'strip-on/{hash:16}.{ext}' }),
  off: createUploader({ ...config, keyTemplate: 'strip-off/{hash:16}.{ext}', stripMetadata: false }),
};
const perSide = warmups + count;
const pngs = await Promise.all(
  Array.from({ length: 2 * perSide }, (_, i) =>
    readFile(join(pngDir, `${i}.png`)).then((b) => new Uint8Array(b)),
  ),
);
const times = { on: [], off: [] };
let removed = [];
for (let i = 0; i < perSide; i++) {
  const order = i % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
  for (const which of order) {
    const bytes = pngs[(which === 'on' ? 0 : perSide) + i];
    const started = performance.now();
    const result = await uploaders[which].upload(bytes, { filename: 'image.png' });
    formatLink(result, 'markdown');
    const ms = performance.now() - started;
    if (result.deduplicated) throw new Error(`paste ${i} (${which}) was deduplicated: the PNGs must differ`);
    if (which === 'on') removed = result.stripped ?? [];
    if (i >= warmups) times[which].push(ms);
  }
}
process.stdout.write(`${JSON.stringify({ ...times, removed })}\n`);
