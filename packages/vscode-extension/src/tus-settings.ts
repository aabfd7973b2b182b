/**
 * The resumable-upload sizes of a Bytedrop server target, `bytedrop.tusThresholdMB` and `bytedrop.tusChunkSizeMB`
 * (core's `tusThreshold` and `chunkSize`). The Settings editor warns about a value out of its range but settings.json
 * can hold anything (a string, 0): such a value is a setup problem, named with its fix, never silently replaced.
 */
import { BytedropError } from '@bytedrop/core';
import { settingName } from './setting-names';

const MiB = 1024 * 1024;
/** Smallest value of both (256 KiB): below it a large file would take thousands of requests. */
const LEAST_MB = 0.25;

const LIMITS = {
  /** Past this, a file is too large to send in one request anyway. */
  'bytedrop.tusThresholdMB': { most: 4096, example: 8 },
  /** Each chunk is held in memory while it is sent. */
  'bytedrop.tusChunkSizeMB': { most: 64, example: 4 },
} as const;

/** The raw values as settings.json holds them (anything: a hand edit is not type-checked). */
export interface TusSettings {
  thresholdMB: unknown;
  chunkSizeMB: unknown;
}

/** What is wrong with `value` as `key`, naming the setting and the fix; undefined when valid. */
function problemOf(key: keyof typeof LIMITS, value: unknown): string | undefined {
  const { most, example } = LIMITS[key];
  if (typeof value === 'number' && Number.isFinite(value) && value >= LEAST_MB && value <= most) return;
  const why =
    typeof value !== 'number' || !Number.isFinite(value)
      ? 'is not a number'
      : value < LEAST_MB
        ? `is below ${LEAST_MB} MiB (256 KiB)`
        : `is above ${most} MiB`;
  return `${settingName(key)} (${JSON.stringify(value) ?? String(value)}) ${why}: set a number of MiB from ${LEAST_MB} to ${most}, e.g. ${example}`;
}

/**
 * Core's `tusThreshold` and `chunkSize` in bytes; `ERR_CONFIG` naming the setting when one is bad.
 *
 * @example
 * ```ts
 * createServerUploader({ url, accessKey, ...tusOptions(readSettings(uri).tus) });
 * ```
 */
export function tusOptions(tus: TusSettings): { tusThreshold: number; chunkSize: number } {
  const problem =
    problemOf('bytedrop.tusThresholdMB', tus.thresholdMB) ??
    problemOf('bytedrop.tusChunkSizeMB', tus.chunkSizeMB);
  if (problem) throw new BytedropError('ERR_CONFIG', problem);
  return {
    tusThreshold: Math.round((tus.thresholdMB as number) * MiB),
    chunkSize: Math.round((tus.chunkSizeMB as number) * MiB),
  };
}
