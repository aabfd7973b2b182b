/**
 * The resumable-upload sizes of a Bytedrop server target, `bytedrop.tusThresholdMB` and `bytedrop.tusChunkSizeMB`
 * (core's `tusThreshold` and `chunkSize`; core holds their ranges and defaults, package.json repeats them for the
 * Settings editor). The Settings editor warns about a value out of its range but settings.json can hold anything (a
 * string, 0): such a value is a setup problem, named with its fix, never silently replaced.
 */
import type { TusSizeOption, TusSizeProblem } from '@bytedrop/core';
import { tusSizesFromMiB } from '@bytedrop/core';
import { settingName } from './setting-names';

/** The setting behind each of core's options. */
const KEY: Record<TusSizeOption, string> = {
  tusThreshold: 'bytedrop.tusThresholdMB',
  chunkSize: 'bytedrop.tusChunkSizeMB',
};

/** The raw values as settings.json holds them (anything: a hand edit is not type-checked). */
export interface TusSettings {
  thresholdMB: unknown;
  chunkSizeMB: unknown;
}

/** Core's problem in the Settings editor's words: the setting's name, its JSON value and the fix. */
function worded(problem: TusSizeProblem): string {
  const why =
    problem.reason === 'not-a-number'
      ? 'is not a number'
      : problem.reason === 'too-small'
        ? `is below ${problem.least} MiB (256 KiB)`
        : `is above ${problem.most} MiB`;
  const value = JSON.stringify(problem.value) ?? String(problem.value);
  return `${settingName(KEY[problem.option])} (${value}) ${why}: set a number of MiB from ${problem.least} to ${problem.most}, e.g. ${problem.default}`;
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
  return tusSizesFromMiB({ tusThreshold: tus.thresholdMB, chunkSize: tus.chunkSizeMB }, worded);
}
