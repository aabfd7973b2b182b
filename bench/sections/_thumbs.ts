/**
 * Section 8's thumbnail rows (issue 15): what a server thumbnail adds to the link. A 2 MP JPEG PUT through
 * `createHandler` in this process to the sink, thumbnails on (`createThumbnails`, sizes [320], sharp) against off,
 * each to a fresh key (no dedupe). Two ways:
 *   - one at a time, taking turns upload by upload; the run waits for each thumbnail outside the timed part and
 *     reports how long it took;
 *   - under load: CLIENTS clients upload at once, one upload after another each, in rounds that take turns on and
 *     off; the thumbnails of an `on` round are made while its other uploads run (waited for between rounds,
 *     untimed), which is where an encoder taking the cores would show.
 * Target: p95 with thumbnails ≤ p95 without + 20 ms, both ways.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type BenchContext, BUILT, built } from '../lib/context.js';
import { ratio, type Target, tableLines } from '../lib/report.js';
import { bytedropConfig } from '../lib/s3.js';
import { startServer } from '../lib/servers.js';
import { percentile } from '../lib/stats.js';

const exec = promisify(execFile);
const UPLOADS = 60;
const WARMUPS = 5;
/** Uploads at once under load, rounds of each way and uploads per client and round. */
const CLIENTS = 4;
const LOAD_ROUNDS = 6;
const PER_CLIENT = 10;
const KEY = 'bench-thumbnails-key-01';
const SECRET = 'bench-thumbnails-secret-of-32-characters';

type Core = typeof import('../../packages/core/src/index.js');
type CoreNode = typeof import('../../packages/core/src/node/index.js');
// The handler's own types pull in the page (an HTML import) that only its build knows: the two functions used here.
type Server = {
  createThumbnails: typeof import('../../packages/server-adapter/src/thumbnails.js').createThumbnails;
  createHandler: (options: Record<string, unknown>) => (request: Request) => Promise<Response>;
};

/** The thumbnail rows, their target and data; empty with a note when the server is not built. */
export async function thumbnailLatency(ctx: BenchContext, core: Core, coreNode: CoreNode, dir: string) {
  if (!built('server')) {
    return {
      table: [],
      targets: [],
      notes: ['thumbnails: skipped, packages/server-adapter/dist is missing'],
      data: null,
    };
  }
  const server = (await import(BUILT.server)) as Server;
  const path = join(dir, 'two-mp.jpg');
  await exec('convert', ['-size', '1632x1224', '-seed', '7', 'plasma:fractal', '-quality', '85', path]);
  const photo = new Uint8Array(await readFile(path));
  const target = await startServer('sink');
  try {
    const config = bytedropConfig(target, { keyTemplate: 'bench-thumbs/{uuid}.{ext}' });
    const uploader = () => core.createUploader(config as unknown as Parameters<Core['createUploader']>[0]);
    const thumbnails = server.createThumbnails({ encoder: coreNode.createSharpEncoder() });
    const common = { keys: [{ name: 'bench', key: KEY }], secret: SECRET };
    const handlers = {
      on: server.createHandler({ uploader: uploader(), thumbnails, ...common }),
      off: server.createHandler({ uploader: uploader(), ...common }),
    };
    /** One upload through a handler; ms to its answer, read whole. */
    const put = async (which: 'on' | 'off') => {
      const started = performance.now();
      const response = await handlers[which](
        new Request('http://bench.test/upload/photo.jpg', {
          method: 'PUT',
          body: photo,
          headers: { authorization: `Bearer ${KEY}` },
        }),
      );
      const answer = (await response.json()) as { files?: { thumbnail?: string }[] };
      const ms = performance.now() - started;
      if (response.status !== 200) throw new Error(`upload answered ${response.status}`);
      if (which === 'on' && !answer.files?.[0]?.thumbnail) throw new Error('no thumbnail in the answer');
      return ms;
    };
    const times = { on: [] as number[], off: [] as number[] };
    const made: number[] = [];
    const count = ctx.quick ? 10 : UPLOADS;
    for (let i = 0; i < WARMUPS + count; i++) {
      const order = i % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      for (const which of order) {
        const ms = await put(which);
        const thumbStarted = performance.now();
        await thumbnails.idle();
        if (i >= WARMUPS) {
          times[which].push(ms);
          if (which === 'on') made.push(performance.now() - thumbStarted);
        }
      }
    }
    const loaded = { on: [] as number[], off: [] as number[] };
    const rounds = ctx.quick ? 2 : LOAD_ROUNDS;
    for (let round = 0; round < 2 * (rounds + 1); round++) {
      const which = round % 4 === 0 || round % 4 === 3 ? 'on' : 'off'; // on off off on: each goes first as often
      const client = async () => {
        const mine: number[] = [];
        for (let i = 0; i < PER_CLIENT; i++) mine.push(await put(which));
        return mine;
      };
      const all = (await Promise.all(Array.from({ length: CLIENTS }, client))).flat();
      await thumbnails.idle();
      if (round >= 2) loaded[which].push(...all); // the first two rounds warm up
    }
    const p = (values: number[], at: number) => percentile(values, at);
    const added = p(times.on, 95) - p(times.off, 95);
    const addedLoaded = p(loaded.on, 95) - p(loaded.off, 95);
    const plus = (ms: number) => `${ms >= 0 ? '+' : ''}${ms.toFixed(2)} ms`;
    const table = tableLines(
      ['what', 'thumbnails on', 'off', 'ratio'],
      [
        [
          `PUT a 2 MP JPEG (${(photo.byteLength / 1024).toFixed(0)} KiB) to the sink, p50 / p95 ms (${count} each)`,
          `${p(times.on, 50).toFixed(2)} / ${p(times.on, 95).toFixed(2)}`,
          `${p(times.off, 50).toFixed(2)} / ${p(times.off, 95).toFixed(2)}`,
          `${ratio(p(times.on, 95), p(times.off, 95))} (p95)`,
        ],
        [
          `the same, ${CLIENTS} clients uploading at once, p50 / p95 ms (${loaded.on.length} each)`,
          `${p(loaded.on, 50).toFixed(2)} / ${p(loaded.on, 95).toFixed(2)}`,
          `${p(loaded.off, 50).toFixed(2)} / ${p(loaded.off, 95).toFixed(2)}`,
          `${ratio(p(loaded.on, 95), p(loaded.off, 95))} (p95)`,
        ],
        [
          'the 320 px WebP thumbnail, made after the answer, p50 / p95 ms',
          `${p(made, 50).toFixed(1)} / ${p(made, 95).toFixed(1)}`,
          '',
          '',
        ],
      ],
    );
    const targets: Target[] = [
      {
        name: 'upload p95, thumbnails on − off (2 MP JPEG), one at a time',
        target: '≤ +20 ms',
        measured: plus(added),
        met: added <= 20,
      },
      {
        name: `the same, ${CLIENTS} clients uploading at once`,
        target: '≤ +20 ms',
        measured: plus(addedLoaded),
        met: addedLoaded <= 20,
      },
    ];
    const notes = [
      'thumbnails: the answer is sent before the thumbnail is made (a bounded queue); one at a time, the run waits for each thumbnail between uploads, untimed; under load the thumbnails of a round are made while its uploads run.',
    ];
    return { table, targets, notes, data: { ...times, made, loaded } };
  } finally {
    await target.stop();
  }
}
