/**
 * What Obsidian's main.js is made of, from esbuild's metafile of the plugin's own build: the AWS SDK, Bytedrop's own
 * code (core and the plugin), and every other dependency. The ≤ 400 kB target is argued from these shares: the SDK
 * and Bytedrop's own code are the floor no choice of other dependencies can go below.
 */
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { root } from '../lib/context.js';

/** Minified bytes of main.js by where they come from. */
export interface MainJsShares {
  total: number;
  sdk: number;
  own: number;
  /** Other dependencies by package name, largest first. */
  others: [name: string, bytes: number][];
}

/** The AWS SDK's packages and the small ones only it pulls in. */
const SDK_PACKAGE = /^(@aws-sdk|@smithy|@aws-crypto)\/|^(fast-xml-parser|strnum|tslib|bowser|uuid)$/;

/** The package an input of the bundle belongs to, or undefined for Bytedrop's own source. */
function packageOf(input: string): string | undefined {
  const match = input.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/);
  return match?.[1];
}

/** Builds main.js in memory with the plugin's esbuild options and a metafile, and splits its bytes. */
export async function mainJsShares(): Promise<MainJsShares> {
  const plugin = root('packages/obsidian-plugin');
  const { options } = (await import(pathToFileURL(`${plugin}/esbuild.config.mjs`).href)) as {
    options: import('esbuild').BuildOptions;
  };
  const result = await build({ ...options, write: false, metafile: true, logLevel: 'silent' });
  const output = Object.values(result.metafile.outputs).find((entry) => entry.entryPoint);
  const shares: MainJsShares = { total: output?.bytes ?? Number.NaN, sdk: 0, own: 0, others: [] };
  const others = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(input);
    if (name === undefined) shares.own += bytesInOutput;
    else if (SDK_PACKAGE.test(name)) shares.sdk += bytesInOutput;
    else others.set(name, (others.get(name) ?? 0) + bytesInOutput);
  }
  shares.others = [...others].sort((a, b) => b[1] - a[1]);
  return shares;
}
