// Builds main.js next to manifest.json, versions.json and styles.css: this folder is the installable plugin.
// `node esbuild.config.mjs` builds minified; `--watch` rebuilds on change with inline source maps.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, context } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** @type {import('esbuild').BuildOptions} */
export const options = {
  entryPoints: [here('./src/main.ts')],
  outfile: here('./main.js'),
  bundle: true,
  format: 'cjs',
  // Mobile has no Node: take every dependency's browser build (the AWS SDK's included), never a Node builtin.
  platform: 'browser',
  mainFields: ['browser', 'module', 'main'],
  conditions: ['browser'],
  target: 'es2020',
  // Provided by Obsidian at runtime.
  external: ['obsidian', 'electron', '@codemirror/*', '@lezer/*'],
  alias: {
    // Core from source: the bundle never depends on a stale dist.
    '@bytedrop/core': here('../core/src/index.ts'),
    // No Node polyfills on a phone: lib-storage's browser build imports `buffer`, `stream` and `events` for a few
    // calls; these stand-ins do those calls (build/*.mjs say which), and eventemitter3 is an EventEmitter made for
    // browsers. Together they replace about 65 kB of polyfills (bundle.test.ts checks none comes back).
    buffer: here('./build/buffer.mjs'),
    stream: here('./build/stream.mjs'),
    events: fileURLToPath(import.meta.resolve('eventemitter3')),
  },
  treeShaking: true,
  minify: true,
  legalComments: 'none',
  logLevel: 'info',
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--watch')) {
    const ctx = await context({ ...options, minify: false, sourcemap: 'inline' });
    await ctx.watch();
  } else {
    await build(options);
  }
}
