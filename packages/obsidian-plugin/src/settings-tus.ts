/**
 * The resumable-upload sizes of a Bytedrop server target: a file larger than "Resumable uploads above" goes through
 * the server's tus endpoint, in requests of "Resumable chunk size" (core's `tusThreshold` and `chunkSize`). Each
 * request body is held whole in memory by `requestUrl`, so the chunk size is what a phone's memory pays; a proxy
 * in front of the server must accept a body that large. The tab refuses a bad value as it is typed; one that reaches
 * data.json another way (a hand edit, a synced file) fails the upload with the same message. Ranges, defaults and the
 * conversion to bytes are core's (`tusSizesFromMiB`); only the tab's wording is here.
 */
import type { TusSizeOption, TusSizeProblem } from '@bytedrop/core';
import { tusSizeProblem, tusSizeReason, tusSizesFromMiB } from '@bytedrop/core';
import { Setting } from 'obsidian';
import { SETTING } from './setting-names';
import type { BytedropSettings } from './settings';

type TusKey = 'tusThresholdMb' | 'tusChunkMb';

/** Core's option behind each setting (core holds the ranges and defaults). */
const OPTION: Record<TusKey, TusSizeOption> = { tusThresholdMb: 'tusThreshold', tusChunkMb: 'chunkSize' };
const KEY: Record<TusSizeOption, TusKey> = { tusThreshold: 'tusThresholdMb', chunkSize: 'tusChunkMb' };

const NAME: Record<TusKey, string> = { tusThresholdMb: SETTING.tusThreshold, tusChunkMb: SETTING.tusChunk };
const DESC: Record<TusKey, string> = {
  tusThresholdMb:
    'Larger files are sent in pieces that survive a dropped connection or a reload (the server’s tus endpoint). 8 suits most.',
  tusChunkMb:
    'Size of each piece of a resumable upload. Each piece is held in memory while it is sent, and a proxy in front of the server must accept it. 4 suits phones.',
};

/** A value as typed in the tab (or written into data.json as text) read as a number of MiB; blank is not one. */
function mib(value: unknown): unknown {
  return typeof value === 'string' ? Number(value.trim() || Number.NaN) : value;
}

/** Core's problem in the tab's words: the setting's name, the value as typed, and the fix. */
function worded(problem: TusSizeProblem, value: unknown): string {
  const key = KEY[problem.option];
  const shown = typeof value === 'string' ? `"${value}"` : String(value);
  return `${NAME[key]} is ${shown}, ${tusSizeReason(problem)}: write a number of MiB from ${problem.least} to ${problem.most}, e.g. ${problem.default}`;
}

/**
 * Core's `tusThreshold` and `chunkSize` (bytes) from the settings; `ERR_CONFIG` naming the setting when one is bad.
 *
 * @example
 * ```ts
 * createServerUploader({ url, accessKey, ...serverTusOptions(settings) });
 * ```
 */
export function serverTusOptions(settings: BytedropSettings): { tusThreshold: number; chunkSize: number } {
  return tusSizesFromMiB(
    { tusThreshold: mib(settings.tusThresholdMb), chunkSize: mib(settings.tusChunkMb) },
    (problem) => `${worded(problem, settings[KEY[problem.option]])} (Settings → Bytedrop)`,
  );
}

/** Adds both settings to `containerEl`; a bad value is said in its description and not saved. */
export function displayTusSettings(
  containerEl: HTMLElement,
  settings: BytedropSettings,
  save: (key: TusKey, value: number) => Promise<void>,
): void {
  for (const key of ['tusThresholdMb', 'tusChunkMb'] as const) {
    const setting = new Setting(containerEl).setName(NAME[key]).setDesc(DESC[key]);
    setting.addText((text) =>
      text.setValue(String(settings[key])).onChange(async (typed) => {
        const problem = tusSizeProblem(OPTION[key], mib(typed));
        setting.setDesc(problem ? `${worded(problem, typed)}.` : DESC[key]);
        if (!problem) await save(key, Number(typed.trim()));
      }),
    );
  }
}
