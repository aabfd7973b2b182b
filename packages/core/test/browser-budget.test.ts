/**
 * Core's main entry stays within its browser budget (esbuild, minified, gzip -9): Obsidian mobile and web apps load
 * it, and a new dependency or a Node-only import leaking into the isomorphic entry shows up here first.
 */
import { describe, expect, it } from 'vitest';
import { BROWSER_GZIP_BUDGET, browserBundle } from './_support/browser-bundle';

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

describe('browser bundle of @bytedrop/core', () => {
  it(`is at most ${kB(BROWSER_GZIP_BUDGET)} gzipped`, async () => {
    const { minified, gzipped } = await browserBundle();
    expect(
      gzipped,
      `core's browser bundle is ${kB(gzipped)} gzipped (${kB(minified)} minified), over its budget of ${kB(BROWSER_GZIP_BUDGET)}: ` +
        'find what grew (npx esbuild packages/core/src/index.ts --bundle --minify --platform=browser --analyze), ' +
        'or raise BROWSER_GZIP_BUDGET in test/_support/browser-bundle.ts on purpose',
    ).toBeLessThanOrEqual(BROWSER_GZIP_BUDGET);
    // A bundle this small would mean the entry lost the S3 client: the budget test would then guard nothing.
    expect(gzipped).toBeGreaterThan(BROWSER_GZIP_BUDGET / 2);
  });
});
