/**
 * 8. Images: metadata stripping and WebP conversion (issue 15; the WebP rows are in `_webp.ts`).
 *   - Throughput: `stripMetadata` over 100 JPEG photos (3 MP, EXIF with GPS, camera tags and a thumbnail, XMP, IPTC), each read from disk and written back, against exiftool doing the same job in one process
 *     (`exiftool -all= -tagsfromfile @ -orientation -icc_profile`, its best case: Perl starts once). Target ≥ 20×.
 *   - Paste latency: 1 MiB PNGs (with text and XMP chunks) through core to the sink, stripping on against off, taking
 *     turns paste by paste. Target: on ≤ +5 % p50.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type BenchContext, built, RUN_DIR, root } from '../lib/context.js';
import { chunk, MiB, makePng } from '../lib/files.js';
import { ratio, type SectionResult, type Target, tableLines } from '../lib/report.js';
import { bytedropConfig } from '../lib/s3.js';
import { startServer } from '../lib/servers.js';
import { percentile, summarize } from '../lib/stats.js';
import { thumbnailLatency } from './_thumbs.js';
import { webpVsCwebp } from './_webp.js';

const exec = promisify(execFile);
const PHOTOS = 100;
const PASTES = 100;
const WARMUPS = 5;

type Core = typeof import('../../packages/core/src/index.js');
type CoreNode = typeof import('../../packages/core/src/node/index.js');
type ConfigInput = Parameters<Core['createUploader']>[0];

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

async function timed(task: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await task();
  return performance.now() - started;
}

/** Rounds of Bytedrop and exiftool over the same photos, taking turns; ms per round of each. */
async function stripThroughput(ctx: BenchContext, core: Core, dir: string, files: string[]) {
  const ours: number[] = [];
  const inMemory: number[] = [];
  const theirs: number[] = [];
  const io: number[] = [];
  const photos = await Promise.all(files.map(async (file) => new Uint8Array(await readFile(file))));
  const outOurs = join(dir, 'out-bytedrop');
  const outTheirs = join(dir, 'out-exiftool');
  const outIo = join(dir, 'out-io');
  for (let round = 0; round < ctx.warmups + ctx.runs; round++) {
    for (const out of [outOurs, outTheirs, outIo]) {
      await rm(out, { recursive: true, force: true });
      await mkdir(out);
    }
    const a = await timed(async () => {
      for (const file of files) {
        // A Buffer is a Uint8Array: no copy of its own before the strip.
        const result = await core.stripMetadata(await readFile(file), 'image/jpeg');
        await writeFile(join(outOurs, file.slice(dir.length + 1)), result.bytes);
      }
    });
    const b = await timed(() =>
      exec('exiftool', [
        '-q',
        '-all=',
        '-tagsfromfile',
        '@',
        '-orientation',
        '-icc_profile',
        '-o',
        `${outTheirs}/`,
        ...files,
      ]),
    );
    const c = await timed(async () => {
      for (const photo of photos) await core.stripMetadata(photo, 'image/jpeg');
    });
    // The I/O floor: the same reads and writes, nothing stripped. exiftool / this is the most the with-files ratio
    // can reach however fast the strip is.
    const d = await timed(async () => {
      for (const file of files)
        await writeFile(join(outIo, file.slice(dir.length + 1)), await readFile(file));
    });
    if (round >= ctx.warmups) {
      io.push(d);
      ours.push(a);
      theirs.push(b);
      inMemory.push(c);
    }
  }
  const sizes = async (out: string) => {
    const names = await readdir(out);
    let total = 0;
    for (const name of names) total += (await stat(join(out, name))).size;
    return { files: names.length, meanBytes: Math.round(total / names.length) };
  };
  return { ours, inMemory, theirs, io, outOurs: await sizes(outOurs), outTheirs: await sizes(outTheirs) };
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

/** Pastes through core with stripping on and off in turn, each its own distinct PNGs; ms per paste of each. */
async function pasteOnOff(core: Core) {
  const target = await startServer('sink');
  try {
    // bytedropConfig's fields are the config's own; createUploader validates them as it would a user's.
    const config = (extra: Record<string, unknown>) =>
      bytedropConfig(target, extra) as unknown as ConfigInput;
    const on = core.createUploader(config({ keyTemplate: 'strip-on/{hash:16}.{ext}' }));
    const off = core.createUploader(
      config({ keyTemplate: 'strip-off/{hash:16}.{ext}', stripMetadata: false }),
    );
    const times = { on: [] as number[], off: [] as number[] };
    let removed: string[] = [];
    for (let i = 0; i < WARMUPS + PASTES; i++) {
      const order = i % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      for (const which of order) {
        const bytes = screenshot();
        const uploader = which === 'on' ? on : off;
        const started = performance.now();
        const result = await uploader.upload(bytes, { filename: 'image.png' });
        core.formatLink(result, 'markdown');
        const ms = performance.now() - started;
        if (which === 'on') removed = result.stripped ?? [];
        if (i >= WARMUPS) times[which].push(ms);
      }
    }
    return { ...times, removed };
  } finally {
    await target.stop();
  }
}

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
    const strip = await stripThroughput(ctx, core, dir, files);
    const ours = summarize(strip.ours);
    const theirs = summarize(strip.theirs);
    ctx.log('images: paste latency, stripping on and off');
    const paste = ctx.quick ? undefined : await pasteOnOff(core);
    const coreNode = (await import(root('packages/core/dist/node/index.js'))) as CoreNode;
    const webp = await webpVsCwebp(ctx, core, coreNode, dir);
    ctx.log('images: thumbnail latency, on and off');
    const thumbs = await thumbnailLatency(ctx, core, coreNode, dir);
    table.push(
      ...tableLines(
        ['what', 'Bytedrop', 'peer', 'ratio'],
        [
          [
            `strip ${PHOTOS} JPEGs (${(photoBytes / MiB).toFixed(2)} MiB each), ms median (min–max)`,
            `${ours.median.toFixed(0)} (${ours.min.toFixed(0)}–${ours.max.toFixed(0)})`,
            `exiftool: ${theirs.median.toFixed(0)} (${theirs.min.toFixed(0)}–${theirs.max.toFixed(0)})`,
            `${ratio(theirs.median, ours.median)} faster`,
          ],
          [
            `the same in memory (no file reads or writes), ms`,
            `${summarize(strip.inMemory).median.toFixed(0)} (${summarize(strip.inMemory).min.toFixed(0)}–${summarize(strip.inMemory).max.toFixed(0)})`,
            '',
            `${ratio(theirs.median, summarize(strip.inMemory).median)} faster`,
          ],
          [
            'the I/O floor: the same reads and writes, nothing stripped, ms',
            `${summarize(strip.io).median.toFixed(0)} (${summarize(strip.io).min.toFixed(0)}–${summarize(strip.io).max.toFixed(0)})`,
            '',
            `${ratio(theirs.median, summarize(strip.io).median)} (the most the first row can reach)`,
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
      name: 'stripping vs exiftool (same 100 photos)',
      target: '≥ 20× faster',
      measured: ratio(theirs.median, ours.median),
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
      'exiftool runs once over all 100 files (Perl starts once); Bytedrop reads, strips and writes each file in turn in this process.',
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
