/**
 * Section 8's stripping rows (issue 15): `stripMetadata` over the same 100 photos as
 * `exiftool -all= -tagsfromfile @ -orientation -icc_profile`, file to file, round by round in turn.
 *   - exiftool runs once over all 100 files (Perl and its modules load once: its best case) and reads and writes one
 *     file after another in its one thread. Its time includes its start-up; a round over one photo says how much.
 *   - Bytedrop runs in a plain Node process of its own (`clients/strip-files.mjs`: warmed up, then the files read
 *     and stripped on the JavaScript thread and written on libuv's threads, a few under way), as a CLI over many
 *     files would. Its figures exclude Node's start-up and the warm-up.
 * Both sides are timed on the wall clock and in CPU time (all threads): the CPU time does not depend on how much I/O
 * overlaps, nor much on other work on the machine, so it is the fairer ratio on a busy two-core machine. The I/O
 * floor does the same reads and writes, nothing stripped: the most the with-files ratio can reach.
 */
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BenchContext, bench, root } from '../lib/context.js';
import { run, runMeasured } from '../lib/measure.js';

/** Wall and CPU milliseconds of one round. */
export interface Round {
  wall: number;
  cpu: number;
}

const EXIFTOOL = ['-q', '-all=', '-tagsfromfile', '@', '-orientation', '-icc_profile', '-o'];

async function exiftool(out: string, files: readonly string[]): Promise<Round> {
  const sample = await runMeasured('exiftool', [...EXIFTOOL, `${out}/`, ...files]);
  return { wall: sample.wallS * 1000, cpu: sample.cpuS * 1000 };
}

/** Rounds of Bytedrop (file to file, the I/O floor, in memory) and exiftool over the same photos, taking turns. */
export async function stripThroughput(ctx: BenchContext, dir: string, files: readonly string[]) {
  const rounds = {
    ours: [] as Round[],
    theirs: [] as Round[],
    theirsOne: [] as Round[],
    inMemory: [] as Round[],
    io: [] as Round[],
  };
  const list = join(dir, 'photos.json');
  await writeFile(list, JSON.stringify(files));
  const out = {
    ours: join(dir, 'out-bytedrop'),
    theirs: join(dir, 'out-exiftool'),
    one: join(dir, 'out-exiftool-one'),
    io: join(dir, 'out-io'),
  };
  for (let round = 0; round < ctx.warmups + ctx.runs; round++) {
    for (const path of Object.values(out)) {
      await rm(path, { recursive: true, force: true });
      await mkdir(path);
    }
    const { stdout } = await run('node', [
      bench('clients/strip-files.mjs'),
      root('packages/core/dist/index.js'),
      list,
      out.ours,
      out.io,
    ]);
    const ours = JSON.parse(stdout) as { ours: Round; io: Round; inMemory: Round };
    const theirs = await exiftool(out.theirs, files);
    const theirsOne = await exiftool(out.one, files.slice(0, 1));
    if (round >= ctx.warmups) {
      rounds.ours.push(ours.ours);
      rounds.io.push(ours.io);
      rounds.inMemory.push(ours.inMemory);
      rounds.theirs.push(theirs);
      rounds.theirsOne.push(theirsOne);
    }
  }
  const sizes = async (path: string) => {
    const names = await readdir(path);
    let total = 0;
    for (const name of names) total += (await stat(join(path, name))).size;
    return { files: names.length, meanBytes: Math.round(total / names.length) };
  };
  return { ...rounds, outOurs: await sizes(out.ours), outTheirs: await sizes(out.theirs) };
}
