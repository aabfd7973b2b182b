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

/** Finishes the commit a staged metadata record was left by, when its file is in place (`_disk-place.ts`). */
export type FinishCommit = (staged: string) => Promise<void>;

/**
 * Deletes partial writes (`.bytedrop-partial/`) last modified before `cutoff` (ms since the epoch), once the commits
 * that died between placing a file and its metadata are finished.
 */
export async function sweepPartials(
  root: string,
  cutoff: number,
  finishCommit: FinishCommit,
): Promise<string[]> {
  const deleted: string[] = [];
  const dir = join(root, TMP_DIR);
  // A record that could not be put in place (a folder in the way, a permission) is the only copy of its file's
  // metadata: kept for reads and the next sweep, and the rest is swept all the same.
  const unfinished = new Set<string>();
  for (const path of await entries(dir)) {
    if (!path.endsWith('.json') || !(await modifiedBefore(path, cutoff))) continue;
    await finishCommit(path).catch(() => unfinished.add(path));
  }
  for (const path of await entries(dir)) {
    if (unfinished.has(path) || !(await modifiedBefore(path, cutoff))) continue;
    await rm(path, { force: true });
    deleted.push(path.slice(root.length + 1));
  }
  return deleted;
}

/**
 * Finishes and deletes partial writes older than `cutoff`, and deletes temporary objects (keys under `prefix`) older
 * than it through `remove`, so their metadata goes too.
 */
export async function sweepDisk(
  root: string,
  options: {
    prefix: string;
    cutoff: number;
    remove: (key: string) => Promise<void>;
    finishCommit: FinishCommit;
  },
): Promise<SweepReport> {
  const report: SweepReport = {
    abortedUploads: [],
    deleted: await sweepPartials(root, options.cutoff, options.finishCommit),
  };
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
