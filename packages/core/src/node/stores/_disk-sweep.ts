/**
 * Removing what dead uploads left in a local store: partial writes (`.bytedrop-partial/`) and temporary objects
 * under the uploader's temporary prefix. Only those two places are ever looked at.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SweepReport } from '../../types';
import { TMP_DIR } from './_disk-keys';

async function entries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
  } catch {
    return [];
  }
}

async function modifiedBefore(path: string, cutoff: number): Promise<boolean> {
  try {
    return (await stat(path)).mtimeMs < cutoff;
  } catch {
    return false;
  }
}

/** Deletes partial writes (`.bytedrop-partial/`) last modified before `cutoff` (ms since the epoch). */
export async function sweepPartials(root: string, cutoff: number): Promise<string[]> {
  const deleted: string[] = [];
  for (const path of await entries(join(root, TMP_DIR))) {
    if (!(await modifiedBefore(path, cutoff))) continue;
    await rm(path, { force: true });
    deleted.push(path.slice(root.length + 1));
  }
  return deleted;
}

/**
 * Deletes partial writes older than `cutoff`, and temporary objects (keys under `prefix`) older than it through
 * `remove`, so their metadata goes too.
 */
export async function sweepDisk(
  root: string,
  options: { prefix: string; cutoff: number; remove: (key: string) => Promise<void> },
): Promise<SweepReport> {
  const report: SweepReport = { abortedUploads: [], deleted: await sweepPartials(root, options.cutoff) };
  for (const path of await entries(join(root, ...options.prefix.split('/').filter(Boolean)))) {
    if (!(await modifiedBefore(path, options.cutoff))) continue;
    const key = path
      .slice(root.length + 1)
      .split(/[\\/]/)
      .join('/');
    await options.remove(key);
    report.deleted.push(key);
  }
  return report;
}
