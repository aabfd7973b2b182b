/**
 * 5. Footprint: what a user downloads (Obsidian main.js, the .vsix, core's browser bundle minified and gzipped)
 * and what an import costs (fresh Node processes, wall time, against an empty `node -e 0`).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { BROWSER_GZIP_BUDGET, browserBundle } from '../../packages/core/test/_support/browser-bundle.js';
import { type BenchContext, BUILT, bench, root } from '../lib/context.js';
import { hasGnuTime, runMeasured } from '../lib/measure.js';
import { fmt, ratio, type SectionResult, type Target, tableLines } from '../lib/report.js';
import { repeat, type Summary, summarize } from '../lib/stats.js';
import { mainJsShares } from './_main-js-shares.js';

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

interface ImportEntry {
  name: string;
  path: string;
  /** A plugin bundle an app loads as CommonJS with its host API (`obsidian`, `vscode`) stubbed. */
  hostBundle?: boolean;
}

/** The VS Code bundle is wherever its package.json `main` points. */
async function vscodeMain(): Promise<string | undefined> {
  const manifest = JSON.parse(await readFile(root('packages/vscode-extension/package.json'), 'utf8')) as {
    main?: string;
  };
  return manifest.main ? root(`packages/vscode-extension/${manifest.main.replace(/^\.\//, '')}`) : undefined;
}

/** Wall and CPU (user + system) ms of the import processes. */
interface ImportTime {
  wall: Summary;
  cpu: Summary;
}

async function importTime(ctx: BenchContext, entry: ImportEntry | undefined): Promise<ImportTime> {
  const args = !entry
    ? ['-e', '0']
    : entry.hostBundle
      ? [bench('clients/host-bundle.cjs'), entry.path]
      : ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(entry.path).href)});`];
  const samples = await repeat(ctx.runs, 1, () => runMeasured('node', args, { timeoutMs: 60_000 }));
  return {
    wall: summarize(samples.map((sample) => sample.wallS * 1000)),
    cpu: summarize(samples.map((sample) => sample.cpuS * 1000)),
  };
}

/** The S3 commands core sends, and lib-storage: what main.js cannot do without (the product names both). */
const SDK_FLOOR_SOURCE = `export { S3Client, PutObjectCommand, HeadObjectCommand, GetObjectCommand, CopyObjectCommand,
  DeleteObjectCommand, ListObjectsV2Command, CreateMultipartUploadCommand, CompleteMultipartUploadCommand,
  AbortMultipartUploadCommand, ListMultipartUploadsCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
export { Upload } from '@aws-sdk/lib-storage';`;

/** Minified bytes of the SDK alone, built with main.js's own esbuild options (browser build, no polyfills). */
async function sdkFloor(): Promise<number> {
  const plugin = root('packages/obsidian-plugin');
  const { options } = (await import(pathToFileURL(`${plugin}/esbuild.config.mjs`).href)) as {
    options: import('esbuild').BuildOptions;
  };
  const { entryPoints: _entry, outfile: _out, ...rest } = options;
  const result = await build({
    ...rest,
    stdin: { contents: SDK_FLOOR_SOURCE, resolveDir: plugin, loader: 'js' },
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.contents.byteLength ?? Number.NaN;
}

const MAIN_JS_TARGET = 400_000;

export async function footprintSection(ctx: BenchContext): Promise<SectionResult> {
  const notes: string[] = [];
  const sizes: string[][] = [];
  const data: Record<string, unknown> = {};
  const sizeOf = async (name: string, path: string) => {
    if (!existsSync(path)) {
      sizes.push([name, 'not built', '']);
      notes.push(`${name} missing at ${path.replace(root(''), '')}: its package's build did not produce it.`);
      return;
    }
    const bytes = await readFile(path);
    data[name] = { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    sizes.push([
      name,
      kB(bytes.length),
      path.endsWith('.vsix') ? '(zip already)' : kB(gzipSync(bytes, { level: 9 }).length),
    ]);
  };
  await sizeOf('Obsidian main.js', BUILT.obsidian);
  const floor = await sdkFloor();
  sizes.push(['  its floor: client-s3 (the commands core sends) + lib-storage, same build', kB(floor), '']);
  data.sdkFloor = floor;
  const shares = await mainJsShares();
  data.mainJsShares = shares;
  const ownFloor = shares.sdk + shares.own;
  const top = shares.others.slice(0, 4).map(([name, bytes]) => `${name} ${kB(bytes)}`);
  sizes.push(
    ['  of which the AWS SDK', kB(shares.sdk), ''],
    ['  of which Bytedrop (core and the plugin)', kB(shares.own), ''],
    [
      `  of which ${shares.others.length} other dependencies (${top.join(', ')}, …)`,
      kB(shares.total - ownFloor),
      '',
    ],
  );
  const mainJs = (data['Obsidian main.js'] as { bytes: number } | undefined)?.bytes ?? Number.NaN;
  const targets: Target[] = [
    {
      name: 'Obsidian main.js, minified, no Node polyfills (bundle.test.ts checks none is in it)',
      target: `≤ ${kB(MAIN_JS_TARGET)}`,
      measured: `${kB(mainJs)} (${ratio(mainJs, floor)} the SDK floor of ${kB(floor)})`,
      met: Number.isNaN(mainJs) ? undefined : mainJs <= MAIN_JS_TARGET,
    },
  ];
  notes.push(
    `main.js: the SDK floor is the browser build of @aws-sdk/client-s3 with only the commands core sends, and lib-storage, minified with main.js's esbuild options; the product's design names both. The rest is core (hashing, keys, links, images), file-type, hash-wasm, image-size and the plugin. ${kB(MAIN_JS_TARGET)} leaves ${kB(MAIN_JS_TARGET - floor)} for all of it.`,
    `main.js by origin (esbuild's metafile of the same build): the SDK ${kB(shares.sdk)} and Bytedrop's own code ${kB(shares.own)} make ${kB(ownFloor)}${ownFloor > MAIN_JS_TARGET ? `, over the ${kB(MAIN_JS_TARGET)} target with no other dependency at all` : ''}; the other dependencies add ${kB(shares.total - ownFloor)}.`,
  );
  await sizeOf('VS Code bytedrop.vsix', BUILT.vsix);
  if (existsSync(BUILT.coreBrowser)) {
    const bundle = await browserBundle(BUILT.coreBrowser);
    data['core browser bundle'] = { ...bundle, gzipBudget: BROWSER_GZIP_BUDGET };
    const share = `${((bundle.gzipped / BROWSER_GZIP_BUDGET) * 100).toFixed(0)}% of ${kB(BROWSER_GZIP_BUDGET)} budget`;
    sizes.push([
      'core browser bundle (esbuild, minified)',
      kB(bundle.minified),
      `${kB(bundle.gzipped)} (${share})`,
    ]);
    if (bundle.gzipped > BROWSER_GZIP_BUDGET) {
      notes.push(
        `core's browser bundle is OVER its gzip budget (packages/core/test/browser-budget.test.ts fails).`,
      );
    }
  } else sizes.push(['core browser bundle', 'not built', '']);

  ctx.log('footprint: import times');
  const vscode = await vscodeMain();
  const entries: ImportEntry[] = [
    { name: '@bytedrop/core', path: BUILT.core },
    { name: '@bytedrop/core/node', path: BUILT.coreNode },
    { name: '@bytedrop/server', path: BUILT.server },
    { name: '@bytedrop/server/node', path: BUILT.serverNode },
    { name: 'Obsidian main.js', path: BUILT.obsidian, hostBundle: true },
    ...(vscode ? [{ name: 'VS Code extension main', path: vscode, hostBundle: true }] : []),
  ];
  const baseline = await importTime(ctx, undefined);
  const imports: string[][] = [['node -e 0 (baseline)', fmt(baseline.wall, 0), '', fmt(baseline.cpu, 0), '']];
  data.imports = { baseline };
  for (const entry of entries) {
    if (!existsSync(entry.path)) {
      imports.push([entry.name, 'not built', '', '', '']);
      continue;
    }
    try {
      const time = await importTime(ctx, entry);
      (data.imports as Record<string, ImportTime>)[entry.name] = time;
      imports.push([
        entry.name,
        fmt(time.wall, 0),
        (time.wall.median - baseline.wall.median).toFixed(0),
        fmt(time.cpu, 0),
        (time.cpu.median - baseline.cpu.median).toFixed(0),
      ]);
    } catch (error) {
      imports.push([entry.name, 'failed to import', '', '', '']);
      notes.push(
        `${entry.name} failed to import in plain Node: ${String(error).split('\n').pop()?.slice(0, 200)}`,
      );
    }
  }
  notes.push(
    `Import time: wall ms of a fresh \`node\` process importing the entry, and its CPU ms (user + system, GNU time, 10 ms resolution${hasGnuTime ? '' : ': not installed here, apt-get install time'}), median (min–max) of ${ctx.runs} after a warm-up; "net" subtracts the baseline's. On a loaded machine the CPU figures hold better than the wall ones, which include waiting for a core. Obsidian and VS Code bundles are evaluated as CommonJS, as their apps load them, with \`obsidian\`/\`vscode\` stubbed (module evaluation only; the plugin's onload is not run here — the obsidian package's tests prove onload constructs no S3 client).`,
  );
  const table = [
    ...tableLines(['artifact', 'size', 'gzip -9'], sizes),
    '',
    ...tableLines(['entry', 'import ms', 'net of node start ms', 'CPU ms', 'net CPU ms'], imports),
  ];
  return { title: '5. Footprint', table, targets, notes, data };
}
