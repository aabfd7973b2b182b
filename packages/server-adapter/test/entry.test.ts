import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

// The handler entry is web-standard (edge runtimes, Bun, Next.js): it may use core's main entry, never its Node
// subpath. files.ts imports a type from `@bytedrop/core/node`; this proves the import is erased from the bundle.
it('the main entry imports @bytedrop/core but nothing of @bytedrop/core/node or node:*', async () => {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'neutral',
    // Dependencies stay imports, so the output's import list is exactly what the entry needs at run time; no
    // tsconfig, whose `paths` would bundle core's source instead (as the published package resolves it, not so).
    packages: 'external',
    tsconfigRaw: {},
    loader: { '.html': 'text' },
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.outputs).flatMap((output) =>
    output.imports.map((imported) => imported.path),
  );
  expect(imports).toContain('@bytedrop/core');
  expect(imports.filter((path) => path.startsWith('@bytedrop/core/') || path.startsWith('node:'))).toEqual(
    [],
  );
  // The type-only import is really in the graph's sources, so the check above is not vacuous.
  const sources = Object.keys(result.metafile.inputs);
  expect(sources.some((file) => file.endsWith('src/files.ts'))).toBe(true);
});
