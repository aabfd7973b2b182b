/**
 * One paste client process of section 3 (clients/paste.mjs) against one server: its latencies per phase and way,
 * and the server's request counts per phase, per pipeline (each peer writes under a prefix of its own).
 */
import { fork } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bench } from './context.js';
import { bytedropConfig } from './s3.js';
import { childEnv, nextMessage, type S3Target } from './servers.js';

/** The ways a paste client times: Bytedrop, core without the checks, the bare SDK, and the floor (clients/bare-sdk.mjs). */
export const WAYS = ['bytedrop', 'unchecked', 'sdk', 'sdk-floor'] as const;
export type Way = (typeof WAYS)[number];
export type Phase = 'fresh' | 'dedupe';
/** Way → the milliseconds of each measured paste. */
export type Latencies = Partial<Record<Way, number[]>>;

export interface PasteRun {
  fresh: Latencies;
  dedupe: Latencies;
  /** Phase (and 'warm-up') → `METHOD` or `<prefix> METHOD` → requests the server received. */
  requests: Record<string, Record<string, number>>;
}

/** Runs clients/paste.mjs over `count` PNGs per pipeline (after `warmups`) in `pngs`, against `target`. */
export async function pasteRun(
  target: S3Target,
  dir: string,
  pngs: string,
  count: number,
  warmups: number,
): Promise<PasteRun> {
  const configPath = join(dir, `${target.kind}.json`);
  await writeFile(configPath, JSON.stringify(bytedropConfig(target)));
  const journal = join(dir, `journal-${target.kind}`);
  const child = fork(
    bench('clients/paste.mjs'),
    [configPath, pngs, String(count), String(warmups), journal],
    { env: childEnv(), stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const requests: Record<string, Record<string, number>> = {};
  // At each phase start, read (and reset) the server's counts of the phase before, then let the client go on.
  let previous = 'warm-up';
  for (const phase of ['fresh', 'dedupe', 'end']) {
    const name = await nextMessage<string>(child, 'phase', 300_000);
    if (name !== phase) throw new Error(`paste client announced '${name}', expected '${phase}'`);
    requests[previous] = await target.requests();
    previous = phase;
    child.send('go');
  }
  const code = await exited;
  if (code !== 0) throw new Error(`paste client exited with ${code}`);
  return { ...(JSON.parse(stdout) as Pick<PasteRun, 'fresh' | 'dedupe'>), requests };
}

/** "HEAD ×1.00, PUT ×1.00": one way's requests per paste, from the counts by prefix (`bytedrop` has none). */
export function requestsOf(counts: Record<string, number>, way: Way, count: number): string {
  return Object.entries(counts)
    .filter(([name]) => (way === 'bytedrop' ? !name.includes(' ') : name.startsWith(`${way} `)))
    .map(([name, n]) => `${name.replace(/^\S+ (?=\S)/, '')} ×${(n / count).toFixed(2)}`)
    .join(', ');
}
