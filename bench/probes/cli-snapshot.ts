/**
 * Would a start-up snapshot (`node --build-snapshot`) of the CLI, with the AWS SDK's modules evaluated in it, bring
 * `bytedrop upload` of a small file closer to `node -e 0` + one PUT (issue 16, bench section 10)? Bundles
 * `_cli-snapshot-entry.ts` and core's CLI into one CommonJS file (a user-land snapshot takes one script, whose
 * `require` reaches Node's builtins only), builds the blob with the Node under test, then times, taking turns, fresh
 * processes uploading 10 KiB of fresh random bytes each to the bench's sink:
 * - `node -e 0`, and `bench/clients/put-once.mjs` (a bare SDK script; its in-script PUT time makes the floor);
 * - `bytedrop upload` through packages/core/bin/bytedrop.js, as today;
 * - (a) `node --snapshot-blob <blob> -- upload …`, what a shell bin would run, and that shell bin itself (it asks
 *   `node --version` for the blob's name, as a cache keyed by Node's version must);
 * - (b) a JS bin that re-executes Node with the blob, as bin/bytedrop.js would have to (two Node starts).
 * Not a section of `pnpm bench`, and not shipped: bench/README.md says what it measured and why the CLI does not
 * use a snapshot.
 *
 * Usage: `npx tsx bench/probes/cli-snapshot.ts [runs]` (default 20) after `pnpm --filter @bytedrop/core build`;
 * PROBE_NODE=<path to node>: another Node binary (the blob is built by it, and only it can load that blob).
 */

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { bench, RUN_DIR, root } from '../lib/context.js';
import { runMeasured } from '../lib/measure.js';
import { bytedropConfig } from '../lib/s3.js';
import { startServer } from '../lib/servers.js';
import { repeatInTurn, summarize } from '../lib/stats.js';

const runs = Number(process.argv[2] ?? 20);
const node = process.env.PROBE_NODE ?? process.execPath;
const requireHere = createRequire(import.meta.url);

/** As core's tsup.config.ts: the Node builds load the SDK through `_load.lazy.ts`. */
const lazySdk: Plugin = {
  name: 'lazy-sdk',
  setup(b) {
    b.onResolve({ filter: /\/_load$/ }, (args) => ({
      path: `${args.resolveDir}/${args.path.replace(/_load$/, '_load.lazy.ts')}`,
    }));
  },
};

/**
 * http, https and http2 cannot be in a snapshot: on Node 20 and 24 alike, loading node:http in the builder leaves a
 * handle of its parser that V8 cannot serialize (the build aborts; on Node 20 its `methods.toSorted()` also throws,
 * the builder's context lacking that method). The SDK only uses them per request, so the bundle gets them through
 * getters that load the builtin on first use; `constants` (which the SDK's http2 handler destructures at load) is a
 * proxy that does the same.
 */
const lazyHttp: Plugin = {
  name: 'lazy-http',
  setup(b) {
    b.onResolve({ filter: /^(node:)?https?2?$/ }, (args) => ({
      path: args.path.replace(/^node:/, ''),
      namespace: 'lazy-http',
    }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-http' }, (args) => {
      const names = Object.keys(requireHere(args.path)).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
      const exported = names.map((name) =>
        name === 'constants'
          ? `${name}: { enumerable: true, value: lazyObject('${name}') }`
          : `${name}: { enumerable: true, get: () => load().${name} }`,
      );
      return {
        loader: 'js',
        contents: [
          `let loaded; const load = () => (loaded ??= process.getBuiltinModule('node:${args.path}'));`,
          'const lazyObject = (name) => new Proxy({}, {',
          '  get: (_, key) => load()[name][key],',
          '  has: (_, key) => key in load()[name],',
          '  ownKeys: () => Reflect.ownKeys(load()[name]),',
          '  getOwnPropertyDescriptor: (_, key) => {',
          '    const found = Reflect.getOwnPropertyDescriptor(load()[name], key);',
          '    return found && { ...found, configurable: true };',
          '  },',
          '});',
          `Object.defineProperties(exports, { ${exported.join(', ')} });`,
        ].join('\n'),
      };
    });
  },
};

const dir = join(RUN_DIR, 'cli-snapshot');
await mkdir(join(dir, 'state'), { recursive: true });
const entry = join(dir, 'entry.cjs');
await build({
  entryPoints: [bench('probes/_cli-snapshot-entry.ts')],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true,
  external: ['sharp'],
  outfile: entry,
  plugins: [lazySdk, lazyHttp],
  nodePaths: [root('packages/core/node_modules')],
  logLevel: 'error',
});
const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
const blob = join(dir, `${version}-${process.arch}.blob`);
const building = performance.now();
// The builder warns that worker_threads, module and tty are "not yet fully verified" in snapshots.
execFileSync(node, ['--snapshot-blob', blob, '--build-snapshot', entry], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
const buildMs = performance.now() - building;
const blobMB = (await stat(blob)).size / 1e6;

// (a) as a shell bin; (b) as a JS bin. Both pass `--` so that Node takes --version and --help as the CLI's.
const shellBin = join(dir, 'bytedrop.sh');
await writeFile(
  shellBin,
  [
    '#!/bin/sh',
    `blob="${dir}/$("${node}" --version)-${process.arch}.blob"`,
    `[ -r "$blob" ] && exec "${node}" --snapshot-blob "$blob" -- "$@"`,
    `exec "${node}" "${root('packages/core/bin/bytedrop.js')}" "$@"`,
    '',
  ].join('\n'),
);
await chmod(shellBin, 0o755);
const jsBin = join(dir, 'reexec.mjs');
await writeFile(
  jsBin,
  [
    "import { spawn } from 'node:child_process';",
    `const child = spawn(process.execPath, ['--snapshot-blob', ${JSON.stringify(blob)}, '--', ...process.argv.slice(2)], { stdio: 'inherit' });`,
    // The terminal signals the whole process group: the child handles them, this process waits for its code.
    "for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});",
    "child.on('exit', (code) => { process.exitCode = code ?? 1; });",
    '',
  ].join('\n'),
);

const target = await startServer('sink');
const config = join(dir, 'config.json');
await writeFile(config, JSON.stringify(bytedropConfig(target)));
const env = { XDG_STATE_HOME: join(dir, 'state') };
const fresh = async (name: string) => {
  const file = join(dir, `${name}.bin`);
  await writeFile(file, randomBytes(10 * 1024));
  return file;
};
const upload = (name: string, command: string, args: (file: string) => string[]) => ({
  name,
  measure: async (i: number) => {
    const file = await fresh(`${name.replace(/\W+/g, '-')}${i}`);
    const sample = await runMeasured(command, args(file), { env });
    if (!sample.stdout.startsWith(target.endpoint)) throw new Error(`${name} printed '${sample.stdout}'`);
    return sample;
  },
});
const uploadArgs = (file: string) => ['upload', file, '--config', config, '--format', 'url'];
const putMs: number[] = [];
const cases = [
  { name: 'node -e 0', measure: () => runMeasured(node, ['-e', '0']) },
  upload('bytedrop upload (bin/bytedrop.js)', node, (f) => [
    root('packages/core/bin/bytedrop.js'),
    ...uploadArgs(f),
  ]),
  upload('(a) node --snapshot-blob', node, (f) => ['--snapshot-blob', blob, '--', ...uploadArgs(f)]),
  upload('(a) shell bin', shellBin, uploadArgs),
  upload('(b) JS bin re-executing node', node, (f) => [jsBin, ...uploadArgs(f)]),
  {
    name: 'bare SDK script (put-once.mjs)',
    measure: async (i: number) => {
      const file = await fresh(`sdk${i}`);
      const key = `put-once/${i}-${Date.now()}.bin`;
      const { bucket, endpoint, accessKeyId, secretAccessKey } = target;
      const args = [bench('clients/put-once.mjs'), endpoint, bucket, key, file, accessKeyId, secretAccessKey];
      const sample = await runMeasured(node, args);
      if (i >= 0) putMs.push((JSON.parse(sample.stdout) as { putMs: number }).putMs);
      return sample;
    },
  },
];

const loadBefore = loadavg();
const samples = await repeatInTurn(
  runs,
  2,
  cases.map((c) => c.measure),
);
const loadAfter = loadavg();
await target.stop();
await rm(RUN_DIR, { recursive: true, force: true });

const wall = samples.map((s) => summarize(s.map((x) => x.wallS * 1000)));
const cpu = samples.map((s) => summarize(s.map((x) => x.cpuS * 1000)));
const put = summarize(putMs).median;
const floor = (wall[0]?.median ?? Number.NaN) + put;
const today = { wall: wall[1]?.median ?? Number.NaN, cpu: cpu[1]?.median ?? Number.NaN };
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(
  `${version} ${process.arch}, ${runs} runs each in turn; blob ${blobMB.toFixed(1)} MB built in ${buildMs.toFixed(0)} ms; one PUT ${put.toFixed(1)} ms; load ${load(loadBefore)} → ${load(loadAfter)}`,
);
for (const [i, c] of cases.entries()) {
  const w = wall[i];
  const u = cpu[i];
  if (!w || !u) continue;
  console.log(
    [
      c.name.padEnd(34),
      `wall ${w.median.toFixed(0).padStart(4)} (${w.min.toFixed(0)}–${w.max.toFixed(0)}) ms`,
      `CPU ${u.median.toFixed(0).padStart(4)} (${u.min.toFixed(0)}–${u.max.toFixed(0)}) ms`,
      `vs node -e 0 + PUT ${(w.median / floor).toFixed(2)}×`,
      `vs today: wall ${(w.median / today.wall).toFixed(2)}×, CPU ${(u.median / today.cpu).toFixed(2)}×`,
    ].join('  '),
  );
}
