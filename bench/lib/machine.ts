/** What machine the figures come from: ratios only mean something next to it. */
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { run } from './measure.js';

export interface Machine {
  cpu: string;
  cores: number;
  cpuFlags: string[];
  memoryGiB: number;
  kernel: string;
  node: string;
  openssl: string;
  rclone: string | undefined;
}

/** CPU flags that decide hashing speed (SHA extensions, vector units). */
const RELEVANT_FLAGS = ['sha_ni', 'avx2', 'avx512f', 'aes'];

async function versionOf(command: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run(command, args, { timeoutMs: 10_000 });
    return stdout.split('\n')[0]?.trim();
  } catch {
    return undefined;
  }
}

export async function describeMachine(): Promise<Machine> {
  let flags: string[] = [];
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '';
    flags = line
      .trim()
      .split(/\s+/)
      .filter((flag) => RELEVANT_FLAGS.includes(flag));
  } catch {
    // Not Linux: the flags are only informative.
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    cpuFlags: flags,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    openssl: (await versionOf('openssl', ['version'])) ?? 'not installed',
    rclone: await versionOf('rclone', ['version']),
  };
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores (${m.cpuFlags.join(' ') || 'no SHA/AVX flags'}), ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, ${m.openssl}, ${m.rclone ?? 'rclone not installed'}`;
}
