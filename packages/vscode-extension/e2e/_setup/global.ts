/**
 * Vitest global setup of the real-editor test: builds the .vsix from the current source and installs it into an
 * extensions dir once per run, for every session to copy (`inject('extensions')`). Building and installing per file
 * cost each file ~10 s (more on a loaded machine) before its editor started; the .vsix is still never stale, since
 * it is built at the start of every run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildVsix, checkInstalled, installVsix } from '../editor';

declare module 'vitest' {
  export interface ProvidedContext {
    /** An extensions dir with the freshly built Bytedrop installed: a session copies it, never writes to it. */
    extensions: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  checkInstalled();
  const dir = await mkdtemp(join(tmpdir(), 'bytedrop-e2e-vsix-'));
  try {
    const extensions = join(dir, 'extensions');
    installVsix(buildVsix(dir), extensions);
    project.provide('extensions', extensions);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return () => rm(dir, { recursive: true, force: true });
}
