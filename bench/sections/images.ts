/**
 * 8. Images: metadata stripping and WebP conversion (issue 15; the WebP rows are in `_webp.ts`).
 *   - Throughput: `stripMetadata` over 100 JPEG photos (3 MP, EXIF with GPS, camera tags and a thumbnail, XMP, IPTC),
 *     file to file, against exiftool doing the same job in one process (`_strip.ts`). Target ≥ 20×.
 *   - Paste latency: 1 MiB PNGs (with text and XMP chunks) through core to the sink, stripping on against off, taking
 *     turns paste by paste, in a plain Node process (`clients/paste-strip.mjs`). Target: on ≤ +5 % p50.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type BenchContext, bench, built, RUN_DIR, root } from '../lib/context.js';
import { chunk, MiB, makePng } from '../lib/files.js';
import { run } from '../lib/measure.js';
import { ratio, type SectionResult, type Target, tableLines } from '../lib/report.js';
import { bytedropConfig } from '../lib/s3.js';
import { startServer } from '../lib/servers.js';
import { percentile, type Summary, summarize } from '../lib/stats.js';
import { stripThroughput } from './_strip.js';
import { thumbnailLatency } from './_thumbs.js';
import { webpVsCwebp } from './_webp.js';

const exec = promisify(execFile);
const PHOTOS = 100;
const PASTES = 100;
const WARMUPS = 5;

type Core = typeof import('../../packages/core/src/index.js');
type CoreNode = typeof import('../../packages/core/src/node/index.js');

/** 100 photos made by ImageMagick (4 distinct pictures) with a phone's metadata written by exiftool. */
async function makePhotos(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (let base = 0; base < 4; base++) {
    const path = join(dir, `base${base}.jpg`);
    await exec('convert', [
      '-size',
      '2048x1536',
      '-seed',
      String(base),
      'plasma:fractal',
      '-quality',
      '85',
      path,
    ]);
    await exec('convert', [path, '-resize', '160x120', join(dir, `thumb${base}.jpg`)]);
    for (let copy = 0; copy < PHOTOS / 4; copy++) {
      const file = join(dir, `photo-${base}-${copy}.jpg`);
      await writeFile(file, await readFile(path));
      files.push(file);
    }
  }
  const tags = [
    '-GPSLatitude=48.8584',
    '-GPSLatitudeRef=N',
    '-GPSLongitude=2.2945',
    '-GPSLongitudeRef=E',
    '-Make=Bench Camera',
    '-Model=B1',
    '-SerialNumber=0001',
    '-Orientation#=6',
    '-XMP-dc:Creator=Bench',
    '-IPTC:City=Paris',
  ];
  for (let base = 0; base < 4; base++) {
    const mine = files.filter((file) => file.includes(`photo-${base}-`));
    await exec('exiftool', [
      '-q',
      '-overwrite_original',
      ...tags,
      `-ThumbnailImage<=${join(dir, `thumb${base}.jpg`)}`,
      ...mine,
    ]);
  }
  return files;
}

/** A 1 MiB PNG of random pixels with the text and XMP chunks a screenshot tool writes. */
function screenshot(): Uint8Array {
  const png = makePng(MiB);
  const text = chunk('tEXt', Buffer.from('Software\0Bench Screenshot Tool 1.0', 'latin1'));
  const xmp = chunk(
    'iTXt',
    Buffer.from(`XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>${'x'.repeat(2000)}</x:xmpmeta>`, 'latin1'),
  );
  return Buffer.concat([png.subarray(0, 33), text, xmp, png.subarray(33)]);
}

/** Pastes through core with stripping on and off in turn (`clients/paste-strip.mjs`); ms per paste of each. */
async function pasteOnOff(dir: string) {
  const pngs = join(dir, 'pastes');
  await mkdir(pngs);
  for (let i = 0; i < 2 * (WARMUPS + PASTES); i++) await writeFile(join(pngs, `${i}.png`), screenshot());
  const target = await startServer('sink');
  try {
    const configPath = join(dir, 'paste-config.json');
    await writeFile(configPath, JSON.stringify(bytedropConfig(target)));
    const args = [bench('clients/paste-strip.mjs'), configPath, pngs, String(PASTES), String(WARMUPS)];
    const { stdout } = await run('node', args);
    return JSON.parse(stdout) as { on: number[]; off: number[]; removed: string[] };
  } finally {
    await target.stop();
    await rm(pngs, { recursive: true, force: true });
  }
}

const spread = (s: Summary) => `${s.median.toFixed(0)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;

export async function imagesSection(ctx: BenchContext): Promise<SectionResult> {
  const title = '8. Images: metadata stripping, WebP conversion';
  if (!built('core')) {
    return { title, table: [], targets: [], notes: ['skipped: packages/core/dist is missing'], data: null };
  }
  const core = (await import(root('packages/core/dist/index.js'))) as Core;
  const dir = await mkdtemp(join(RUN_DIR, 'images-'));
  const targets: Target[] = [];
  const table: string[] = [];
  const notes: string[] = [];
  try {
    ctx.log('images: making 100 photos (ImageMagick, exiftool)');
    const files = await makePhotos(dir);
    const photoBytes = (await stat(files[0] as string)).size;
    ctx.log('images: stripping throughput');
    const strip = await stripThroughput(ctx, dir, files);
    const wall = (rounds: { wall: number }[]) => summarize(rounds.map((round) => round.wall));
    const cpu = (rounds: { cpu: number }[]) => summarize(rounds.map((round) => round.cpu));
    const ours = wall(strip.ours);
    const theirs = wall(strip.theirs);
    const oursCpu = cpu(strip.ours);
    const theirsCpu = cpu(strip.theirs);
    ctx.log('images: paste latency, stripping on and off');
    const paste = ctx.quick ? undefined : await pasteOnOff(dir);
    const coreNode = (await import(root('packages/core/dist/node/index.js'))) as CoreNode;
    const webp = await webpVsCwebp(ctx, core, coreNode, dir);
    ctx.log('images: thumbnail latency, on and off');
    const thumbs = await thumbnailLatency(ctx, core, coreNode, dir);
    table.push(
      ...tableLines(
        ['what', 'Bytedrop', 'peer', 'ratio'],
        [
          [
            `strip ${PHOTOS} JPEGs (${(photoBytes / MiB).toFixed(2)} MiB each) file to file, wall ms median (min–max)`,
            spread(ours),
            `exiftool: ${spread(theirs)}`,
            `${ratio(theirs.median, ours.median)} faster`,
          ],
          [
            'the same, CPU ms (all threads; exiftool as a waited-for child)',
            spread(oursCpu),
            `exiftool: ${spread(theirsCpu)}`,
            `${ratio(theirsCpu.median, oursCpu.median)} less`,
          ],
          [
            'the strip in memory (no file reads or writes), wall / CPU ms',
            `${spread(wall(strip.inMemory))} / ${spread(cpu(strip.inMemory))}`,
            '',
            `${ratio(theirs.median, wall(strip.inMemory).median)} / ${ratio(theirsCpu.median, cpu(strip.inMemory).median)}`,
          ],
          [
            'the I/O floor: the same reads and writes, nothing stripped, wall / CPU ms',
            `${spread(wall(strip.io))} / ${spread(cpu(strip.io))}`,
            '',
            `${ratio(theirs.median, wall(strip.io).median)} / ${ratio(theirsCpu.median, cpu(strip.io).median)} (the most the first two rows can reach)`,
          ],
          [
            'stripped size, mean bytes',
            String(strip.outOurs.meanBytes),
            `exiftool: ${strip.outTheirs.meanBytes}`,
            ratio(strip.outOurs.meanBytes, strip.outTheirs.meanBytes),
          ],
          ...(paste
            ? [
                [
                  `paste 1 MiB PNG to the sink, p50 / p95 ms (${PASTES} each)`,
                  `on: ${percentile(paste.on, 50).toFixed(2)} / ${percentile(paste.on, 95).toFixed(2)}`,
                  `off: ${percentile(paste.off, 50).toFixed(2)} / ${percentile(paste.off, 95).toFixed(2)}`,
                  ratio(percentile(paste.on, 50), percentile(paste.off, 50)),
                ],
              ]
            : []),
        ],
      ),
    );
    targets.push({
      name: 'stripping vs exiftool (same 100 photos, file to file), wall time',
      target: '≥ 20× faster',
      measured: `${ratio(theirs.median, ours.median)} (CPU time: ${ratio(theirsCpu.median, oursCpu.median)})`,
      met: theirs.median / ours.median >= 20,
    });
    if (paste) {
      const onOff = percentile(paste.on, 50) / percentile(paste.off, 50);
      targets.push({
        name: 'paste p50, stripping on / off (1 MiB PNG)',
        target: '≤ 1.05×',
        measured: `${onOff.toFixed(3)}×`,
        met: onOff <= 1.05,
      });
      notes.push(`the PNGs pasted with stripping on lost: ${paste.removed.join(', ')}`);
    }
    notes.push(
      `exiftool runs once over all ${PHOTOS} files (Perl starts once: its best case; over one photo it took ${wall(strip.theirsOne).median.toFixed(0)} ms, ${cpu(strip.theirsOne).median.toFixed(0)} ms CPU, mostly its start-up) and reads and writes one file after another in one thread; Bytedrop runs warmed up in a plain Node process of its own (start-up not counted), reads and strips on its JavaScript thread and writes on libuv's threads, a few files under way. The CPU row does not depend on that overlap.`,
    );
    table.push('', ...webp.table);
    targets.push(...webp.targets);
    notes.push(...webp.notes);
    table.push('', ...thumbs.table);
    targets.push(...thumbs.targets);
    notes.push(...thumbs.notes);
    return { title, table, targets, notes, data: { strip, paste, webp: webp.data, thumbnails: thumbs.data } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
