/**
 * Core's main entry as a browser app gets it: bundled by esbuild for the browser, minified, then gzipped. Shared by
 * the budget test and `pnpm bench` (footprint section), so both measure the same thing against the same budget.
 */
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * Most gzipped bytes core's browser bundle may weigh (173 kB when set, mostly the AWS SDK's S3 client; 185.3 kB with
 * the canvas image encoder and conversion, issue 15; 188.1 kB with the server uploader's tus client, issue 14; 189.3 kB
 * with resumable multipart uploads, issue 14: ListParts, UploadPart and the resume path; 191.3 kB with both; 192.4 kB
 * with the editors' tus size rule, moved in from the Obsidian and VS Code hosts, and `createCrc32`, from the server;
 * 193.2 kB with `createS3Parts`, the S3 calls of the server's tus and direct uploads, also moved out of the
 * server; 193.4 kB with `createPartBuffer`, the server's tus part cutting, moved out of the server too; 193.7 kB with
 * `ResumeOptions.stop`, which lets a resumable upload's parts in flight finish; 194.1 kB with `unconvertedReason`, the
 * wording of an unconverted image, moved in from the CLI and Obsidian so that both say it alike). Raise it only on purpose, saying in
 * the commit what the bytes buy. (The resume path serves the CLI only: moving it behind
 * `@bytedrop/core/node` would give those bytes back.)
 */
export const BROWSER_GZIP_BUDGET = 194_500;

/** The source entry; `pnpm bench` passes the built dist/browser/index.js (what browsers resolve core to) instead. */
export const CORE_ENTRY = resolve(import.meta.dirname, '../../src/index.ts');

/** Bundles `entry` for the browser, minified; returns the minified and gzip -9 sizes in bytes. */
export async function browserBundle(entry = CORE_ENTRY): Promise<{ minified: number; gzipped: number }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
}
