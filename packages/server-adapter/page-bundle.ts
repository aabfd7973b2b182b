/**
 * Builds the upload page: its one inline script is bundled by esbuild (so it can import tus-js-client) and put back
 * in place, keeping the page a single HTML file with a single inline script (its CSP hash, the edge runtimes).
 * Used by tsup (an esbuild plugin) and by the vitest config (a transform), so tests run the very page that ships.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { build, type Plugin } from 'esbuild';

// A module in the source (so it may import, and linters read it so); a classic script once bundled.
const SCRIPT = /<script type="module">([\s\S]*?)<\/script>/;

/** `html` with its inline script bundled and minified; `file` is where imports resolve from. */
export async function bundlePage(html: string, file: string): Promise<string> {
  const script = SCRIPT.exec(html)?.[1];
  if (script === undefined) throw new Error(`${file} has no inline <script type="module"> to bundle`);
  const result = await build({
    stdin: { contents: script, resolveDir: dirname(file), sourcefile: file, loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  // `</script` inside the bundle would end the element early.
  const bundled = result.outputFiles[0]!.text.trim().replaceAll('</script', '<\\/script');
  return html.replace(SCRIPT, () => `<script>${bundled}</script>`);
}

/** tsup's esbuild plugin: `import page from './page.html'` gives the built page as text. */
export const pagePlugin: Plugin = {
  name: 'bytedrop-page',
  setup(build) {
    build.onLoad({ filter: /\.html$/ }, async ({ path }) => ({
      contents: await bundlePage(await readFile(path, 'utf8'), path),
      loader: 'text',
    }));
  },
};
