/**
 * The published tarballs' metadata and types, checked by tools nobody here wrote: publint (package.json, `exports`,
 * the files they name) and arethetypeswrong (what TypeScript resolves for node16 ESM and CJS, and for bundlers).
 * Neither loads the packages into Node: each reads the tarball, so its verdict is the tarball's, on any Node (CI runs
 * this file on Node 20 only). Runs offline: see `_support/packed.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHED, packAll, tool, toolBin } from './_support/packed';

describe('the packed tarballs', () => {
  let root: string;
  let tarballs: string[];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'bytedrop-packed-lint-'));
    tarballs = await packAll(root);
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it.each(PUBLISHED.map((p, index) => [p.name, index] as const))('%s: publint is clean', async (_, index) => {
    const { stdout } = await tool(toolBin('publint/src/cli.js'), ['run', tarballs[index]!, '--strict'], root);
    expect(stdout).toContain('All good!');
  });

  it.each(PUBLISHED.map((p, index) => [p.name, index] as const))(
    '%s: arethetypeswrong finds no problem for node16 (ESM and CJS) and bundlers',
    async (_, index) => {
      // node10 (no `exports` support) is out of scope: the packages need Node >= 20.19.
      await tool(
        toolBin('@arethetypeswrong/cli/dist/index.js'),
        ['--pack', tarballs[index]!, '--profile', 'node16', '--format', 'table-flipped'],
        root,
      );
    },
  );
});
