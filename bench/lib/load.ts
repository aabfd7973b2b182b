/**
 * How busy the machine was while the bench ran. Other work on a shared machine moves every absolute figure (and,
 * less, the ratios), so the output says how loaded it was: the 1-minute load average, sampled every few seconds.
 */
import { cpus, loadavg } from 'node:os';
import { type Summary, summarize } from './stats.js';

export interface LoadSampler {
  /** Stops sampling; the 1-minute load averages seen, and the core count to read them against. */
  stop(): { load1: Summary; cores: number };
}

export function sampleLoad(intervalMs = 5_000): LoadSampler {
  const samples = [loadavg()[0] ?? 0];
  const timer = setInterval(() => samples.push(loadavg()[0] ?? 0), intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      samples.push(loadavg()[0] ?? 0);
      return { load1: summarize(samples), cores: cpus().length };
    },
  };
}

export function loadLine(load: { load1: Summary; cores: number }): string {
  const { median, min, max } = load.load1;
  return `1-minute load average during the run: median ${median.toFixed(1)} (${min.toFixed(1)}–${max.toFixed(1)}) on ${load.cores} cores; above the core count, other work was competing for the CPU`;
}
