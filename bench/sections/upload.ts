/**
 * 2. Large upload: the 1 GiB file to the same loopback S3 server through Bytedrop's CLI and library, rclone and
 * plain lib-storage, against s3rver (SigV4-verifying, writes to disk) and the bench sink (discards bytes).
 *
 * Like for like: Bytedrop and rclone get the same part size and concurrency (Bytedrop's defaults, passed to rclone
 * as --s3-chunk-size/--s3-upload-concurrency). Both read the file twice: Bytedrop hashes SHA-256 to name the key,
 * rclone (checksums on, its default) hashes MD5 to store as metadata, then each streams the parts. lib-storage
 * keeps its own defaults and hashes nothing beyond SigV4's payload hash, which all three pay.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchContext } from '../lib/context.js';
import { BUILT, bench, built, RUN_DIR } from '../lib/context.js';
import { hasGnuTime, type ProcessSample, run, runMeasured } from '../lib/measure.js';
import { fmt, ratio, type SectionResult, type Target, tableLines } from '../lib/report.js';
import { bytedropConfig, clientFor, verifyAndDelete } from '../lib/s3.js';
import { type S3Target, type ServerKind, startServer } from '../lib/servers.js';
import { type Summary, summarize } from '../lib/stats.js';

interface Invocation {
  command: string;
  args: string[];
  /** The key the object lands under, known before (rclone, lib-storage) or read from the output (Bytedrop). */
  key(stdout: string): string;
}

interface UploadClient {
  name: string;
  /** Why the client cannot run here, or undefined when it can. */
  missing(): Promise<string | undefined>;
  invoke(target: S3Target, run: number, file: string): Invocation;
}

interface Row {
  server: ServerKind;
  client: string;
  wallS: Summary;
  cpuS: Summary;
  rssMB: Summary;
  skipped?: string;
}

const rcloneMissing = async () =>
  run('rclone', ['version'], { timeoutMs: 10_000 }).then(
    () => undefined,
    () => 'rclone is not installed (apt-get install -y rclone)',
  );

function clients(configFile: (target: S3Target) => string, parts: { size: number; queue: number }) {
  const keyFromUrl = (target: S3Target) => (stdout: string) => {
    const url = stdout.trim().split('\n').pop() ?? '';
    const prefix = `${target.endpoint}/${target.bucket}/`;
    if (!url.startsWith(prefix))
      throw new Error(`the CLI printed '${stdout.trim()}', not a URL under ${prefix}`);
    return url.slice(prefix.length).split('/').map(decodeURIComponent).join('/');
  };
  const list: UploadClient[] = [
    {
      name: 'Bytedrop CLI',
      missing: async () => (built('cli') ? undefined : 'packages/core/dist/node/cli.js is missing'),
      invoke: (target, _run, file) => ({
        command: 'node',
        args: [BUILT.cli, 'upload', file, '--config', configFile(target), '--format', 'url'],
        key: keyFromUrl(target),
      }),
    },
    {
      name: 'Bytedrop library',
      missing: async () => (built('coreNode') ? undefined : 'packages/core/dist/node is missing'),
      invoke: (target, _run, file) => ({
        command: 'node',
        args: [bench('clients/bytedrop-library.mjs'), configFile(target), file],
        key: (stdout) => (JSON.parse(stdout) as { key: string }).key,
      }),
    },
    {
      name: 'rclone',
      missing: rcloneMissing,
      invoke: (target, index, file) => {
        const key = `rclone/${index}.bin`;
        return {
          command: 'rclone',
          args: [
            'copyto',
            file,
            `:s3:${target.bucket}/${key}`,
            '--config=/dev/null',
            '--s3-provider=Other',
            `--s3-endpoint=${target.endpoint}`,
            `--s3-access-key-id=${target.accessKeyId}`,
            `--s3-secret-access-key=${target.secretAccessKey}`,
            `--s3-region=${target.region}`,
            '--s3-force-path-style=true',
            `--s3-chunk-size=${parts.size}B`,
            `--s3-upload-cutoff=${parts.size}B`,
            `--s3-upload-concurrency=${parts.queue}`,
            '--s3-no-check-bucket',
            '-q',
          ],
          key: () => key,
        };
      },
    },
    {
      name: 'lib-storage (defaults)',
      missing: async () => undefined,
      invoke: (target, index, file) => {
        const key = `lib-storage/${index}.bin`;
        return {
          command: 'node',
          args: [bench('clients/lib-storage.mjs'), target.endpoint, target.bucket, key, file],
          key: () => key,
        };
      },
    },
  ];
  return list;
}

/**
 * Which clients run against which server. The sink shows each client's own cost, so all four run there. s3rver
 * spends most of each upload writing to disk, and at 13–25 s per GiB a full matrix would not fit the bench's
 * 10 minutes: there only the pair the targets compare runs (Bytedrop library, rclone).
 */
const PLAN: { kind: ServerKind; only?: string[] }[] = [
  { kind: 'sink' },
  { kind: 's3rver', only: ['Bytedrop library', 'rclone'] },
];

/** Bytedrop's default part size and queue size, read from its own config parser so rclone gets the same. */
async function bytedropParts(): Promise<{ size: number; queue: number }> {
  if (!built('core')) return { size: 8 * 2 ** 20, queue: 4 };
  const core = (await import(BUILT.core)) as {
    parseConfig(input: unknown): { partSize: number; queueSize: number };
  };
  const config = core.parseConfig({ provider: 'custom', endpoint: 'http://127.0.0.1:1', bucket: 'b' });
  return { size: config.partSize, queue: config.queueSize };
}

export async function uploadSection(ctx: BenchContext): Promise<SectionResult> {
  const dir = await mkdtemp(join(RUN_DIR, 'upload-'));
  const parts = await bytedropParts();
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    const configs = new Map<string, string>();
    const configFile = (target: S3Target) => configs.get(target.kind) ?? '';
    const all = clients(configFile, parts);
    const warmups = ctx.warmups;
    for (const { kind, only } of PLAN) {
      const target = await startServer(kind);
      try {
        const path = join(dir, `${kind}.json`);
        await writeFile(path, JSON.stringify(bytedropConfig(target)));
        configs.set(kind, path);
        const s3 = clientFor(target);
        const usable: UploadClient[] = [];
        for (const client of all.filter((c) => only === undefined || only.includes(c.name))) {
          const why = await client.missing();
          if (why) {
            rows.push({
              server: kind,
              client: client.name,
              wallS: summarize([]),
              cpuS: summarize([]),
              rssMB: summarize([]),
              skipped: why,
            });
          } else usable.push(client);
        }
        // Round-robin over the clients, so slow drift (disk, page cache, s3rver's store) hits each alike.
        const samples = new Map<string, ProcessSample[]>(usable.map((c) => [c.name, []]));
        // A client that fails drops out of the rounds with its error in the table; the others go on.
        const failed = new Map<string, string>();
        for (let i = -warmups; i < ctx.runs; i++) {
          for (const client of usable.filter((c) => !failed.has(c.name))) {
            ctx.log(`upload ${kind}: ${client.name} ${i < 0 ? 'warm-up' : `run ${i + 1}/${ctx.runs}`}`);
            // Warm-ups upload the small file: they are there to load binaries, modules and the server's code paths,
            // which a 1 GiB run would do no better at 15 times the cost.
            const [file, size] = i < 0 ? [ctx.warmFile, ctx.warmFileSize] : [ctx.bigFile, ctx.bigFileSize];
            const invocation = client.invoke(target, i + warmups, file);
            try {
              const sample = await runMeasured(invocation.command, invocation.args, { timeoutMs: 600_000 });
              await verifyAndDelete(s3, target.bucket, invocation.key(sample.stdout), size);
              if (i >= 0) samples.get(client.name)?.push(sample);
            } catch (error) {
              ctx.log(`upload ${kind}: ${client.name} failed: ${String(error)}`);
              failed.set(client.name, `failed: ${String(error).split('\n')[0]?.slice(0, 300)}`);
            }
          }
        }
        s3.destroy();
        for (const client of usable) {
          const list = samples.get(client.name) ?? [];
          rows.push({
            server: kind,
            client: client.name,
            wallS: summarize(list.map((s) => s.wallS)),
            cpuS: summarize(list.map((s) => s.cpuS)),
            rssMB: summarize(list.map((s) => s.rssMB)),
            skipped: failed.get(client.name),
          });
        }
      } finally {
        await target.stop();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const rcloneOf = (server: ServerKind) =>
    rows.find((r) => r.server === server && r.client === 'rclone' && !r.skipped);
  const table = tableLines(
    [
      'server',
      'client',
      'wall s',
      'CPU s (user+sys)',
      'peak RSS MB',
      'wall vs rclone',
      'CPU vs rclone',
      'RSS vs rclone',
    ],
    rows.map((r) => {
      const base = rcloneOf(r.server);
      if (r.skipped) return [r.server, r.client, `skipped: ${r.skipped}`, '', '', '', '', ''];
      return [
        r.server,
        r.client,
        fmt(r.wallS),
        fmt(r.cpuS),
        fmt(r.rssMB, 0),
        base ? ratio(r.wallS.median, base.wallS.median) : 'n/a',
        base ? ratio(r.cpuS.median, base.cpuS.median) : 'n/a',
        base ? ratio(r.rssMB.median, base.rssMB.median) : 'n/a',
      ];
    }),
  );
  const targets: Target[] = [];
  for (const r of rows.filter((row) => row.client.startsWith('Bytedrop'))) {
    const base = rcloneOf(r.server);
    const check = (name: string, limit: number, value: number | undefined, baseline: number | undefined) => {
      const measurable =
        !r.skipped && base && value !== undefined && baseline !== undefined && !Number.isNaN(value);
      targets.push({
        name: `upload ${r.server}: ${r.client} ${name} vs rclone`,
        target: `≤ ${limit.toFixed(2)}×`,
        measured: measurable ? ratio(value, baseline) : 'n/a',
        met: measurable ? value / baseline <= limit : undefined,
      });
    };
    check('wall', 0.9, r.wallS.median, base?.wallS.median);
    check('CPU', 0.7, r.cpuS.median, base?.cpuS.median);
    check('peak RSS', 0.7, r.rssMB.median, base?.rssMB.median);
  }
  notes.push(
    `${(ctx.bigFileSize / 2 ** 20).toFixed(0)} MiB file; ${ctx.runs} runs per client, round-robin, after ${ctx.warmups} warm-up round(s) with a ${(ctx.warmFileSize / 2 ** 20).toFixed(0)} MiB file. Against s3rver only Bytedrop library and rclone (s3rver's disk writes make each GiB take 13–25 s). Each upload verified by HEAD (size) and deleted.`,
    `Bytedrop and rclone: ${parts.size / 2 ** 20} MiB parts, ${parts.queue} in flight; lib-storage: its defaults (5 MiB, 4). rclone runs with its default MD5 checksum pass, as Bytedrop runs its SHA-256 pass.`,
    'Client CPU and peak RSS are the client process (and its children) only; each server runs in a process of its own.',
  );
  if (!hasGnuTime)
    notes.push('CPU and RSS not measured: /usr/bin/time is missing (apt-get install -y time).');
  return { title: '2. Large upload', table, targets, notes, data: { parts, rows } };
}
