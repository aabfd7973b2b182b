/**
 * 13. Resume cost of `bytedrop upload` (issue 14, CLI): the built CLI uploads a large file to the S3 server through a
 * counting proxy, is killed (SIGKILL) or interrupted (SIGINT, as Ctrl-C) once half the file went out in parts (plus
 * half a part, so the cut lands inside one), and is run again. The cost is what both runs sent in parts beyond the
 * file's size. The peer in the same run is the same cut followed by `--no-resume`, which sends the whole file again.
 * Parts in flight at a kill are lost whole (S3 keeps no part of a part), so that cost grows with the parts sent at
 * once: measured with the default queue (4) and with one part at a time. Ctrl-C lets the parts in flight finish.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type BenchContext, BUILT, built, RUN_DIR } from '../lib/context.js';
import { MiB, writeRandomFile } from '../lib/files.js';
import { ratio, type SectionResult, tableLines } from '../lib/report.js';
import { bytedropConfig, clientFor, verifyAndDelete } from '../lib/s3.js';
import { childEnv, type S3Target, serverMissing, startServer } from '../lib/servers.js';

const PART_MIB = 8;

/** A proxy to `target` that counts the body bytes of UploadPart requests and says when `threshold` was reached. */
async function countingProxy(target: string) {
  let sent = 0;
  let threshold = Number.POSITIVE_INFINITY;
  let reached: () => void = () => undefined;
  const server = createServer((req, res) => {
    const isPart = /[?&]partNumber=/.test(req.url ?? '') && req.method === 'PUT';
    const upstream = request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.on('data', (chunk: Buffer) => {
      if (!isPart) return;
      sent += chunk.byteLength;
      if (sent >= threshold) reached();
    });
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get sent() {
      return sent;
    },
    /** Resolves once `bytes` more part bytes went out. */
    after(bytes: number) {
      threshold = sent + bytes;
      return new Promise<void>((done) => {
        reached = done;
      });
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Runs the CLI; resolves with its exit and stdout. */
function cli(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<string> } {
  const child = spawn(process.execPath, [BUILT.cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    err += chunk;
  });
  const done = new Promise<string>((resolve, reject) => {
    child.once('close', (code, signal) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`cli exited ${code ?? signal}: ${err}`)),
    );
  });
  return { child, done };
}

/**
 * One cut at 50 % (inside a part) by `signal` and the run after it; resolves to the part bytes sent beyond the file's
 * size.
 */
async function cutAndRerun(
  target: S3Target,
  file: string,
  size: number,
  queue: number,
  signal: 'SIGKILL' | 'SIGINT',
  rerunArgs: string[],
): Promise<number> {
  const proxy = await countingProxy(target.endpoint);
  const dir = await mkdtemp(join(RUN_DIR, 'cli-resume-'));
  const config = join(dir, 'bytedrop.config.json');
  await writeFile(config, JSON.stringify(bytedropConfig({ ...target, endpoint: proxy.endpoint })));
  const env = childEnv({
    XDG_STATE_HOME: join(dir, 'state'),
    BYTEDROP_PART_SIZE_MB: String(PART_MIB),
    BYTEDROP_QUEUE_SIZE: String(queue),
  });
  try {
    // Half the file plus half a part: the cut lands inside a part, never on the boundary between two.
    const half = proxy.after(size / 2 + (PART_MIB * MiB) / 2);
    const first = cli(['upload', file, '--config', config], env);
    first.done.catch(() => undefined);
    await half;
    first.child.kill(signal);
    // After SIGINT the CLI lets the parts in flight finish, then exits 130.
    const [code] = await once(first.child, 'close');
    if (signal === 'SIGINT' && code !== 130) throw new Error(`Ctrl-C: the CLI exited ${code}, not 130`);
    const url = await cli(['upload', file, '--config', config, ...rerunArgs], env).done;
    const key = new URL(url).pathname.split('/').slice(2).join('/');
    await verifyAndDelete(clientFor(target), target.bucket, decodeURIComponent(key), size);
    await target.reclaim();
    return proxy.sent - size;
  } finally {
    await proxy.close();
  }
}

export async function cliResumeSection(ctx: BenchContext): Promise<SectionResult> {
  const title = '13. Resume cost of bytedrop upload (CLI, cut at 50 %)';
  const kind = (['radosgw', 's3rver'] as const).find((k) => ctx.servers.includes(k) && !serverMissing(k));
  if (!built('cli') || !kind) {
    return {
      title,
      table: [],
      targets: [],
      notes: [
        `skipped: ${built('cli') ? 'neither radosgw nor s3rver is available' : 'the CLI is not built'}`,
      ],
      data: null,
    };
  }
  const size = ctx.quick ? 64 * MiB : 256 * MiB;
  const file = join(await mkdtemp(join(RUN_DIR, 'cli-resume-file-')), 'resume.bin');
  const target = await startServer(kind);
  try {
    const runs: Record<string, number> = {};
    for (const [name, queue, signal, args] of [
      ['SIGKILL, resume, 1 part at a time', 1, 'SIGKILL', []],
      ['SIGKILL, resume, default queue (4)', 4, 'SIGKILL', []],
      ['Ctrl-C (SIGINT), resume, default queue (4)', 4, 'SIGINT', []],
      ['SIGKILL, --no-resume (peer), default queue (4)', 4, 'SIGKILL', ['--no-resume']],
    ] as const) {
      // A new file each time: the same bytes would be a dedupe hit, not an upload.
      await writeRandomFile(file, size);
      ctx.log(`cli-resume ${kind}: ${name}`);
      runs[name] = await cutAndRerun(target, file, size, queue, signal, [...args]);
    }
    const peer = runs['SIGKILL, --no-resume (peer), default queue (4)'] ?? Number.NaN;
    const part = PART_MIB * MiB;
    const table = tableLines(
      ['run after the cut', 'MiB sent again', 'parts sent again', 'vs --no-resume'],
      Object.entries(runs).map(([name, bytes]) => [
        name,
        (bytes / MiB).toFixed(1),
        (bytes / part).toFixed(2),
        ratio(bytes, peer),
      ]),
    );
    const oneAtATime = runs['SIGKILL, resume, 1 part at a time'] ?? Number.NaN;
    const ctrlC = runs['Ctrl-C (SIGINT), resume, default queue (4)'] ?? Number.NaN;
    return {
      title,
      table,
      targets: [
        {
          name: 'CLI resume cost after a cut at 50 %, one part at a time',
          target: `≤ one part (${PART_MIB} MiB)`,
          measured: `${(oneAtATime / MiB).toFixed(1)} MiB`,
          met: Number.isNaN(oneAtATime) ? undefined : oneAtATime <= part,
        },
        {
          name: 'CLI resume cost after Ctrl-C at 50 %, default queue (4)',
          target: `≤ one part (${PART_MIB} MiB)`,
          measured: `${(ctrlC / MiB).toFixed(1)} MiB`,
          met: Number.isNaN(ctrlC) ? undefined : ctrlC <= part,
        },
      ],
      notes: [
        `${size / MiB} MiB file, ${PART_MIB} MiB parts, ${kind}; killed (SIGKILL) or interrupted (SIGINT, as Ctrl-C) once half the file plus half a part had gone out in parts, then the same command run again.`,
        'With several parts in flight at a kill each of them is lost whole: the default queue costs up to 4 parts.',
        'After Ctrl-C no new part starts and the parts in flight finish and are journaled: the resume sends none of them again.',
        'A part whose last bytes were already in the socket buffer when the process was killed still completes: a kill can cost nothing.',
      ],
      data: { size, partSize: part, resent: runs },
    };
  } finally {
    await target.stop();
  }
}
