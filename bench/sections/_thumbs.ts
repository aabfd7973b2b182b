/**
 * Section 8's thumbnail rows (issue 15): what a server thumbnail adds to the link. A 2 MP JPEG PUT through
 * `createHandler` in this process to the sink, thumbnails on (`createThumbnails`, sizes [320], sharp) against off,
 * taking turns upload by upload, each to a fresh key (no dedupe). The thumbnail is made after the answer; the run
 * waits for it outside the timed part (so one upload's encode never lands in the next one's time) and reports how
 * long it took. Target: p95 with thumbnails ≤ p95 without + 20 ms.
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
    const times = { on: [] as number[], off: [] as number[] };
    const made: number[] = [];
    const count = ctx.quick ? 10 : UPLOADS;
    for (let i = 0; i < WARMUPS + count; i++) {
      const order = i % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      for (const which of order) {
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
        const thumbStarted = performance.now();
        await thumbnails.idle();
        if (i >= WARMUPS) {
          times[which].push(ms);
          if (which === 'on') made.push(performance.now() - thumbStarted);
        }
      }
    }
    const p = (values: number[], at: number) => percentile(values, at);
    const added = p(times.on, 95) - p(times.off, 95);
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
          'the 320 px WebP thumbnail, made after the answer, p50 / p95 ms',
          `${p(made, 50).toFixed(1)} / ${p(made, 95).toFixed(1)}`,
          '',
          '',
        ],
      ],
    );
    const targets: Target[] = [
      {
        name: 'upload p95, thumbnails on − off (2 MP JPEG)',
        target: '≤ +20 ms',
        measured: `${added >= 0 ? '+' : ''}${added.toFixed(2)} ms`,
        met: added <= 20,
      },
    ];
    const notes = [
      'thumbnails: the answer is sent before the thumbnail is made (a queue, two at a time); the run waits for each thumbnail between uploads, untimed, so encodes do not overlap the next upload.',
    ];
    return { table, targets, notes, data: { ...times, made } };
  } finally {
    await target.stop();
  }
}
