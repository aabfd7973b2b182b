/** Small statistics over repeated samples. */

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** The p-th percentile (0–100), nearest-rank on the sorted samples. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** Median (mean of the middle two for even counts), min and max. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0, n: sorted.length };
}

/** Runs `fn` for the warm-ups (results dropped), then `runs` times, in sequence, and returns the kept results. */
export async function repeat<T>(
  runs: number,
  warmups: number,
  fn: (index: number) => Promise<T>,
): Promise<T[]> {
  for (let i = 0; i < warmups; i++) await fn(-1 - i);
  const results: T[] = [];
  for (let i = 0; i < runs; i++) results.push(await fn(i));
  return results;
}

/**
 * Runs several measurements in turn: a warm-up round of each (dropped), then `runs` rounds of each in the given
 * order, so that drift on a shared machine falls on all of them alike. Returns the kept results per function.
 */
export async function repeatInTurn<T>(
  runs: number,
  warmups: number,
  fns: readonly ((index: number) => Promise<T>)[],
): Promise<T[][]> {
  for (let i = 0; i < warmups; i++) for (const fn of fns) await fn(-1 - i);
  const results: T[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [index, fn] of fns.entries()) results[index]?.push(await fn(i));
  }
  return results;
}
