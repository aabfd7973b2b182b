/**
 * Section 8's WebP rows: core's sharp encoder against Debian's `cwebp` (libwebp's own command line) on the same 20
 * photos (3 MP JPEGs, 20 distinct pictures, no EXIF orientation so both do the same work) at the same quality, each
 * read from disk and written back, taking turns round by round. Targets: time ≤ 1.2×, size ≤ 1.05×. Then what a
 * re-paste of a converted photo costs through `createUploader` (the conversion is remembered by source hash).
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchContext } from '../lib/context.js';
import { MiB } from '../lib/files.js';
import { ratio, type Target, tableLines } from '../lib/report.js';
import { summarize } from '../lib/stats.js';

const exec = promisify(execFile);
const PHOTOS = 20;
const QUALITY = 80;

type CoreNode = typeof import('../../packages/core/src/node/index.js');
type Core = typeof import('../../packages/core/src/index.js');

async function makePhotos(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (let seed = 0; seed < PHOTOS; seed++) {
    const file = join(dir, `photo-${seed}.jpg`);
    await exec('convert', [
      '-size',
      '2048x1536',
      '-seed',
      String(seed),
      'plasma:fractal',
      '-quality',
      '85',
      file,
    ]);
    files.push(file);
  }
  return files;
}

async function timed(task: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await task();
  return performance.now() - started;
}

async function totalSize(files: string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += (await stat(file)).size;
  return total;
}

/** The WebP rows, their targets and data; `skipped` says why when cwebp or sharp is missing. */
export async function webpVsCwebp(ctx: BenchContext, core: Core, coreNode: CoreNode, dir: string) {
  try {
    await exec('cwebp', ['-version']);
  } catch {
    return {
      table: [],
      targets: [],
      notes: ['WebP rows skipped: cwebp is missing (apt-get install webp)'],
      data: null,
    };
  }
  ctx.log(`images: making ${PHOTOS} photos for WebP`);
  const files = await makePhotos(dir);
  const encoder = coreNode.createSharpEncoder();
  const request = {
    contentType: 'image/jpeg',
    format: 'webp' as const,
    quality: QUALITY,
    maxSide: undefined,
    maxPixels: 1e8,
    keepMetadata: false,
  };
  const outOurs = join(dir, 'webp-bytedrop');
  const outTheirs = join(dir, 'webp-cwebp');
  const ours: number[] = [];
  const theirs: number[] = [];
  ctx.log('images: WebP encoding, sharp and cwebp in turn');
  for (let round = 0; round < ctx.warmups + ctx.runs; round++) {
    for (const out of [outOurs, outTheirs]) {
      await rm(out, { recursive: true, force: true });
      await mkdir(out);
    }
    const sharpRound = () =>
      timed(async () => {
        for (const [i, file] of files.entries()) {
          await writeFile(join(outOurs, `${i}.webp`), await encoder.encode(await readFile(file), request));
        }
      });
    const cwebpRound = () =>
      timed(async () => {
        for (const [i, file] of files.entries()) {
          await exec('cwebp', ['-quiet', '-q', String(QUALITY), file, '-o', join(outTheirs, `${i}.webp`)]);
        }
      });
    // Taking turns: neither always runs on a warmer (or busier) machine.
    let a: number;
    let b: number;
    if (round % 2 === 0) {
      a = await sharpRound();
      b = await cwebpRound();
    } else {
      b = await cwebpRound();
      a = await sharpRound();
    }
    if (round >= ctx.warmups) {
      ours.push(a);
      theirs.push(b);
    }
  }
  const outputs = (out: string) => files.map((_, i) => join(out, `${i}.webp`));
  const sizeOurs = await totalSize(outputs(outOurs));
  const sizeTheirs = await totalSize(outputs(outTheirs));
  const source = await totalSize(files);

  // A paste of a photo, then the same photo again, through createUploader with conversion (local disk store).
  const store = coreNode.createLocalDiskStore({
    dir: join(dir, 'store'),
    publicBaseUrl: 'http://localhost/f',
  });
  const uploader = core.createUploader(
    { bucket: 'local' },
    { store, convert: { encoder, quality: QUALITY } },
  );
  const first: number[] = [];
  const again: number[] = [];
  for (const file of files) {
    const bytes = new Uint8Array(await readFile(file));
    first.push(await timed(() => uploader.upload(bytes, { filename: 'photo.jpg' })));
    again.push(await timed(() => uploader.upload(bytes, { filename: 'photo.jpg' })));
  }

  const a = summarize(ours);
  const b = summarize(theirs);
  const f = summarize(first);
  const g = summarize(again);
  const table = tableLines(
    ['what', 'Bytedrop', 'peer', 'ratio'],
    [
      [
        `WebP q${QUALITY} of ${PHOTOS} JPEGs (3 MP, ${(source / PHOTOS / MiB).toFixed(2)} MiB each), ms median (min–max)`,
        `sharp: ${a.median.toFixed(0)} (${a.min.toFixed(0)}–${a.max.toFixed(0)})`,
        `cwebp: ${b.median.toFixed(0)} (${b.min.toFixed(0)}–${b.max.toFixed(0)})`,
        ratio(a.median, b.median),
      ],
      ['WebP total size, bytes', String(sizeOurs), `cwebp: ${sizeTheirs}`, ratio(sizeOurs, sizeTheirs)],
      [
        'paste a photo converting to WebP, then the same again, ms median',
        `first: ${f.median.toFixed(1)}`,
        `again: ${g.median.toFixed(1)}`,
        `${ratio(f.median, g.median)} cheaper`,
      ],
    ],
  );
  const targets: Target[] = [
    {
      name: 'WebP encoding time vs cwebp',
      target: '≤ 1.2×',
      measured: ratio(a.median, b.median),
      met: a.median / b.median <= 1.2,
    },
    {
      name: 'WebP size vs cwebp',
      target: '≤ 1.05×',
      measured: ratio(sizeOurs, sizeTheirs),
      met: sizeOurs / sizeTheirs <= 1.05,
    },
  ];
  const notes = [
    `both use libwebp at quality ${QUALITY} and method/effort 4; cwebp starts one process per photo, sharp decodes with libvips in this process.`,
  ];
  return { table, targets, notes, data: { ours, theirs, sizeOurs, sizeTheirs, first, again } };
}
