/**
 * The rule for `createServerUploader`'s resumable-upload sizes as a person sets them, in MiB: the range each may take,
 * its default, and the conversion to the bytes the uploader takes. Editors hold these as settings (a settings tab,
 * settings.json) that can hold anything after a hand edit; one rule here keeps their ranges and defaults equal, and
 * each host words the refusal for its own settings UI from the problem's data.
 */
import { BytedropError } from './errors';

const MiB = 1024 * 1024;

/**
 * One of `createServerUploader`'s resumable-upload sizes.
 *
 * @example
 * ```ts
 * const option: TusSizeOption = 'chunkSize';
 * ```
 */
export type TusSizeOption = 'tusThreshold' | 'chunkSize';

/**
 * The range and default of a resumable-upload size, in MiB.
 *
 * @example
 * ```ts
 * const { least, most, default: mib } = TUS_SIZE_RANGES.chunkSize; // 0.25, 64, 4
 * ```
 */
export interface TusSizeRange {
  /** Smallest value: below it a large file would take thousands of requests. */
  readonly least: number;
  /** Largest value: a chunk is held in memory whole; past the threshold's, a file is too large for one request. */
  readonly most: number;
  /** The uploader's default, also a good example of a value in a message. */
  readonly default: number;
}

/**
 * The allowed range and default of each resumable-upload size, in MiB (256 KiB up; chunks up to 64 MiB, the
 * threshold up to 4 GiB; defaults 8 MiB and 4 MiB: a phone's memory stays flat, and few requests for a large file).
 *
 * @example
 * ```ts
 * TUS_SIZE_RANGES.tusThreshold; // { least: 0.25, most: 4096, default: 8 }
 * ```
 */
export const TUS_SIZE_RANGES: Readonly<Record<TusSizeOption, TusSizeRange>> = Object.freeze({
  tusThreshold: Object.freeze({ least: 0.25, most: 4096, default: 8 }),
  chunkSize: Object.freeze({ least: 0.25, most: 64, default: 4 }),
});

/**
 * What is wrong with a resumable-upload size: which option, the value as given, why, and the range that fixes it.
 *
 * @example
 * ```ts
 * const problem: TusSizeProblem = { option: 'chunkSize', value: 65, reason: 'too-large', least: 0.25, most: 64, default: 4 };
 * ```
 */
export interface TusSizeProblem extends TusSizeRange {
  option: TusSizeOption;
  /** The value as given (anything: a hand-edited setting is not type-checked). */
  value: unknown;
  /** `'not-a-number'` for anything but a finite number (a string too: parse typed text first). */
  reason: 'not-a-number' | 'too-small' | 'too-large';
}

/**
 * Why `mib` is not a valid value of `option` in MiB, or undefined when it is.
 *
 * @example
 * ```ts
 * tusSizeProblem('chunkSize', 4); // undefined
 * tusSizeProblem('chunkSize', 0.1)?.reason; // 'too-small'
 * ```
 */
export function tusSizeProblem(option: TusSizeOption, mib: unknown): TusSizeProblem | undefined {
  const range = TUS_SIZE_RANGES[option];
  const reason =
    typeof mib !== 'number' || !Number.isFinite(mib)
      ? 'not-a-number'
      : mib < range.least
        ? 'too-small'
        : mib > range.most
          ? 'too-large'
          : undefined;
  return reason && { option, value: mib, reason, ...range };
}

/**
 * What is wrong with the value, in words a host can put in its own sentence.
 *
 * @example
 * ```ts
 * tusSizeReason(tusSizeProblem('chunkSize', 65)!); // 'above 64 MiB'
 * ```
 */
export function tusSizeReason(problem: TusSizeProblem): string {
  if (problem.reason === 'not-a-number') return 'not a number';
  return problem.reason === 'too-small'
    ? `below ${problem.least} MiB (256 KiB)`
    : `above ${problem.most} MiB`;
}

/**
 * Core's own wording of a problem, naming the option and the fix.
 *
 * @example
 * ```ts
 * describeTusSizeProblem(tusSizeProblem('chunkSize', 65)!);
 * // 'chunkSize is 65 MiB, above 64 MiB: give a number of MiB from 0.25 to 64, e.g. 4'
 * ```
 */
export function describeTusSizeProblem(problem: TusSizeProblem): string {
  const given = typeof problem.value === 'number' ? `${problem.value} MiB` : JSON.stringify(problem.value);
  return `${problem.option} is ${given ?? String(problem.value)}, ${tusSizeReason(problem)}: give a number of MiB from ${problem.least} to ${problem.most}, e.g. ${problem.default}`;
}

/**
 * A resumable-upload size out of its range: an `ERR_CONFIG` `BytedropError` that carries the problem, so a host can
 * point at its own setting.
 *
 * @example
 * ```ts
 * try { tusSizesFromMiB(sizes); } catch (error) { if (error instanceof TusSizeError) highlight(error.problem.option); }
 * ```
 */
export class TusSizeError extends BytedropError {
  readonly problem: TusSizeProblem;

  constructor(problem: TusSizeProblem, message = describeTusSizeProblem(problem)) {
    super('ERR_CONFIG', message);
    this.problem = problem;
  }
}

/**
 * `createServerUploader`'s `tusThreshold` and `chunkSize` in bytes from sizes in MiB, checked against
 * `TUS_SIZE_RANGES`; the first bad one throws a `TusSizeError` (`ERR_CONFIG`) worded by `describe` (default:
 * `describeTusSizeProblem`).
 *
 * @example
 * ```ts
 * createServerUploader({ url, accessKey, ...tusSizesFromMiB({ tusThreshold: 8, chunkSize: 0.5 }) });
 * // tusThreshold: 8388608, chunkSize: 524288
 * ```
 */
export function tusSizesFromMiB(
  sizes: Record<TusSizeOption, unknown>,
  describe: (problem: TusSizeProblem) => string = describeTusSizeProblem,
): { tusThreshold: number; chunkSize: number } {
  for (const option of ['tusThreshold', 'chunkSize'] as const) {
    const problem = tusSizeProblem(option, sizes[option]);
    if (problem) throw new TusSizeError(problem, describe(problem));
  }
  return {
    tusThreshold: Math.round((sizes.tusThreshold as number) * MiB),
    chunkSize: Math.round((sizes.chunkSize as number) * MiB),
  };
}
