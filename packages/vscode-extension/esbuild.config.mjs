// Bundles the extension and core into one CommonJS file: the .vsix ships no node_modules.
// `node esbuild.config.mjs [outfile]`: the e2e builds into a copy of the package, away from dist/ (e2e/editor.ts).
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

await build({
  entryPoints: [here('./src/extension.ts')],
  outfile: process.argv[2] ?? here('./dist/extension.js'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  // VS Code 1.97 runs extensions on Node 20.
  target: 'node20',
  external: ['vscode'],
  // Core from source, like the tests: the bundle does not depend on core's dist being built first.
  alias: {
    '@bytedrop/core/node': here('../core/src/node/index.ts'),
    '@bytedrop/core': here('../core/src/index.ts'),
  },
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
