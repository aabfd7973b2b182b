/**
 * The upload page's script stays within its budget (minified, gzip -9): a phone on a slow network loads it on every
 * visit. It is the whole of the page's script: its modules (page/*.ts: uploads, the Files view, usage and stats) and
 * tus-js-client, bundled in at build time (page-bundle.ts); the page loads no other script.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import page from '../src/page.html';

/** 100 kB gzipped: the issue's budget for the page's script. */
const PAGE_SCRIPT_GZIP_BUDGET = 100_000;

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

describe('upload page script', () => {
  const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]!);
  const gzipped = gzipSync(scripts.join(''), { level: 9 }).length;

  it(`is one inline script of at most ${kB(PAGE_SCRIPT_GZIP_BUDGET)} gzipped, Files view and tus-js-client included`, () => {
    expect(scripts).toHaveLength(1);
    // No script from anywhere else: the budget measures all the page runs.
    expect(page).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(gzipped, `the page's script is ${kB(gzipped)} gzipped`).toBeLessThanOrEqual(
      PAGE_SCRIPT_GZIP_BUDGET,
    );
    // Bundled, not left as an import the browser cannot resolve; and tus-js-client really is in it.
    expect(scripts[0]).not.toMatch(/\bimport\s*\{/);
    expect(scripts[0]).toContain('Tus-Resumable');
    expect(scripts[0]).toContain('files?');
    expect(scripts[0]).toContain('Copy expiring link');
    console.info(`page script: ${kB(scripts[0]!.length)} minified, ${kB(gzipped)} gzipped`);
  });
});
