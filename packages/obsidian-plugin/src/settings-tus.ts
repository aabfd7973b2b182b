/**
 * The resumable-upload sizes of a Bytedrop server target: a file larger than "Resumable uploads above" goes through
 * the server's tus endpoint, in requests of "Resumable chunk size" (core's `tusThreshold` and `chunkSize`). Each
 * request body is held whole in memory by `requestUrl`, so the chunk size is what a phone's memory pays; a proxy
 * in front of the server must accept a body that large. The tab refuses a bad value as it is typed; one that reaches
 * data.json another way (a hand edit, a synced file) fails the upload with the same message.
 */
import { BytedropError } from '@bytedrop/core';
import { Setting } from 'obsidian';
import { SETTING } from './setting-names';
import type { BytedropSettings } from './settings';

type TusKey = 'tusThresholdMb' | 'tusChunkMb';

const MiB = 1024 * 1024;

/** Smallest value of both (256 KiB): below it a large file would take thousands of requests. */
const LEAST_MIB = 0.25;
/** Largest value of each: a chunk is held in memory whole; past the threshold's, a file is too large for one request. */
const MOST_MIB: Record<TusKey, number> = { tusThresholdMb: 4096, tusChunkMb: 64 };

const NAME: Record<TusKey, string> = { tusThresholdMb: SETTING.tusThreshold, tusChunkMb: SETTING.tusChunk };
const DESC: Record<TusKey, string> = {
  tusThresholdMb:
    'Larger files are sent in pieces that survive a dropped connection or a reload (the server’s tus endpoint). 8 suits most.',
  tusChunkMb:
    'Size of each piece of a resumable upload. Each piece is held in memory while it is sent, and a proxy in front of the server must accept it. 4 suits phones.',
};

/** What is wrong with `value` as the setting `key` (in MiB), naming the setting and the fix; undefined when valid. */
export function tusSizeProblem(key: TusKey, value: unknown): string | undefined {
  const size = typeof value === 'string' ? Number(value.trim() || Number.NaN) : value;
  if (typeof size === 'number' && Number.isFinite(size) && size >= LEAST_MIB && size <= MOST_MIB[key]) return;
  const shown = typeof value === 'string' ? `"${value}"` : String(value);
  const what =
    typeof size !== 'number' || !Number.isFinite(size)
      ? 'not a number'
      : size < LEAST_MIB
        ? `below ${LEAST_MIB} MiB (256 KiB)`
        : `above ${MOST_MIB[key]} MiB`;
  return `${NAME[key]} is ${shown}, ${what}: write a number of MiB from ${LEAST_MIB} to ${MOST_MIB[key]}, e.g. ${key === 'tusChunkMb' ? 4 : 8}`;
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
  for (const key of ['tusThresholdMb', 'tusChunkMb'] as const) {
    const problem = tusSizeProblem(key, settings[key]);
    if (problem) throw new BytedropError('ERR_CONFIG', `${problem} (Settings → Bytedrop)`);
  }
  return {
    tusThreshold: Math.round(settings.tusThresholdMb * MiB),
    chunkSize: Math.round(settings.tusChunkMb * MiB),
  };
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
        const problem = tusSizeProblem(key, typed);
        setting.setDesc(problem ? `${problem}.` : DESC[key]);
        if (!problem) await save(key, Number(typed.trim()));
      }),
    );
  }
}
