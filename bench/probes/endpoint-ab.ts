/**
 * Two builds of @bytedrop/server side by side under the endpoint section's load (32 clients, 1 MiB PNGs, to the
 * sink, PUT first): round after round each server takes one load run, in turns whose order alternates, and the probe
 * reports each one's CPU time (user + system) per upload and its throughput, with the load average. Not a section of
 * `pnpm bench`: a probe to keep or drop a change to the server's upload path on a shared machine, where only
 * interleaved figures compare.
 *
 * Usage: `npx tsx bench/probes/endpoint-ab.ts save <name>` copies the current builds of core and the server (their
 * dist/) to node_modules/.bytedrop-ab/<name>/ in each package, the server's imports of core pointed at the copy;
 * `npx tsx bench/probes/endpoint-ab.ts run <name|current> <name|current> [rounds] [uploads]` (defaults 8 and 256)
 * compares two of them ("current": the packages' dist/ as built; "floor" and "floor-sdk": the section's two floors). PROBE_PROFILE=<dir>: CPU profiles of the servers.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, root } from '../lib/context.js';
import { MiB, makePng } from '../lib/files.js';
import { run } from '../lib/measure.js';
import { bytedropConfig } from '../lib/s3.js';
import { childEnv, nextMessage, type S3Target, startServer, stopChild, usageOf } from '../lib/servers.js';
import { summarize } from '../lib/stats.js';

const ACCESS_KEY = 'probe-access-key-0123456789abcdef';
const saved = (pkg: string, name: string) => root(`packages/${pkg}/node_modules/.bytedrop-ab/${name}`);

/** Copies both dist/ trees; the server's copy imports the core copy, so a change to either is held by the name. */
async function save(name: string): Promise<void> {
  const core = saved('core', name);
  const server = saved('server-adapter', name);
  await rm(core, { recursive: true, force: true });
  await rm(server, { recursive: true, force: true });
  await cp(root('packages/core/dist'), core, { recursive: true });
  await cp(root('packages/server-adapter/dist'), server, { recursive: true });
  for (const file of await readdir(server, { recursive: true })) {
    if (!file.endsWith('.js')) continue;
    const path = join(server, file);
    const text = await readFile(path, 'utf8');
    const pointed = text.replace(/(["'])@bytedrop\/core(\/node)?\1/g, (_, quote: string, node?: string) =>
      JSON.stringify(join(core, node ? 'node/index.js' : 'index.js')).replaceAll('"', quote),
    );
    if (pointed !== text) await writeFile(path, pointed);
  }
  process.stdout.write(`saved ${name}: ${core}, ${server}\n`);
}

function modulesOf(name: string): Record<string, string> {
  if (name === 'current' || name === 'floor' || name === 'floor-sdk') return {};
  return {
    BYTEDROP_BENCH_CORE: join(saved('core', name), 'index.js'),
    BYTEDROP_BENCH_SERVER: join(saved('server-adapter', name), 'node.js'),
  };
}

/** The script and arguments of a named server: a floor, or endpoint.mjs (over a saved build or the current one). */
function scriptOf(name: string, target: S3Target): [string, string[]] {
  const { endpoint, bucket, accessKeyId, secretAccessKey } = target;
  if (name === 'floor') return [bench('servers/floor-proxy.mjs'), [JSON.stringify({ endpoint, bucket })]];
  if (name === 'floor-sdk') {
    const options = { endpoint, bucket, accessKeyId, secretAccessKey };
    return [bench('servers/floor-sdk-proxy.mjs'), [JSON.stringify(options)]];
  }
  return [bench('servers/endpoint.mjs'), [JSON.stringify(bytedropConfig(target)), ACCESS_KEY]];
}

async function compare(names: string[], rounds: number, uploads: number): Promise<void> {
  const target = await startServer('sink');
  const dir = await mkdtemp(join(tmpdir(), 'endpoint-ab-'));
  const png = join(dir, 'base.png');
  await writeFile(png, makePng(MiB));
  const servers: ChildProcess[] = names.map((name) =>
    fork(...scriptOf(name, target), {
      env: childEnv({ BYTEDROP_BENCH_ENFORCED: '1', ...modulesOf(name) }),
      execArgv: process.env.PROBE_PROFILE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROBE_PROFILE}`]
        : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const load = async (port: number, total: number) => {
    const options = {
      png,
      concurrency: 32,
      mode: 'server',
      url: `http://127.0.0.1:${port}`,
      token: ACCESS_KEY,
    };
    const { stdout } = await run('node', [bench('clients/load.mjs'), JSON.stringify({ ...options, total })], {
      timeoutMs: 600_000,
    });
    return JSON.parse(stdout) as { seconds: number; ok: number; errors: number; errorSamples: string[] };
  };
  try {
    const ports = await Promise.all(servers.map((child) => nextMessage<number>(child, 'port')));
    for (const port of ports) await load(port, 128);
    const cpu: number[][] = names.map(() => []);
    const mibPerS: number[][] = names.map(() => []);
    const loads: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? names.map((_, i) => i) : names.map((_, i) => i).reverse();
      for (const i of order) {
        const before = await usageOf(servers[i] as ChildProcess);
        const result = await load(ports[i] as number, uploads);
        const after = await usageOf(servers[i] as ChildProcess);
        if (result.errors) throw new Error(`${names[i]}: ${result.errors} errors, ${result.errorSamples[0]}`);
        cpu[i]?.push((after.cpuMs - before.cpuMs) / uploads);
        mibPerS[i]?.push(result.ok / result.seconds);
        loads.push(loadavg()[0] ?? Number.NaN);
      }
    }
    const line = (values: number[]) => {
      const s = summarize(values);
      return `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
    };
    names.forEach((name, i) => {
      process.stdout.write(`${name}: CPU ms/upload ${line(cpu[i] ?? [])}, MiB/s ${line(mibPerS[i] ?? [])}\n`);
    });
    const ratios = (cpu[1] ?? []).map((b, r) => b / (cpu[0]?.[r] ?? Number.NaN));
    process.stdout.write(
      `${names[1]} / ${names[0]} CPU per round: ${ratios.map((x) => x.toFixed(2)).join(' ')}; 1-minute load ${line(loads)}\n`,
    );
  } finally {
    for (const child of servers) await stopChild(child);
    await target.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const [command, ...args] = process.argv.slice(2);
if (command === 'save' && args[0]) await save(args[0]);
else if (command === 'run' && args[0] && args[1])
  await compare([args[0], args[1]], Number(args[2] ?? 8), Number(args[3] ?? 256));
else
  throw new Error('usage: endpoint-ab.ts save <name> | run <name|current> <name|current> [rounds] [uploads]');
