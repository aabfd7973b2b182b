import { describe, expect, it } from 'vitest';
import {
  BytedropError,
  describeTusSizeProblem,
  isBytedropError,
  TUS_SIZE_RANGES,
  TusSizeError,
  tusSizeProblem,
  tusSizeReason,
  tusSizesFromMiB,
} from '../src/index';

const MiB = 1024 * 1024;

describe('tus sizes in MiB', () => {
  it('ranges: 256 KiB up to 4 GiB (threshold) and 64 MiB (chunks), defaults 8 and 4 MiB', () => {
    expect(TUS_SIZE_RANGES).toEqual({
      tusThreshold: { least: 0.25, most: 4096, default: 8 },
      chunkSize: { least: 0.25, most: 64, default: 4 },
    });
    expect(Object.isFrozen(TUS_SIZE_RANGES.chunkSize)).toBe(true);
  });

  it('converts MiB to whole bytes, the ends of each range included', () => {
    expect(tusSizesFromMiB({ tusThreshold: 8, chunkSize: 4 })).toEqual({
      tusThreshold: 8 * MiB,
      chunkSize: 4 * MiB,
    });
    expect(tusSizesFromMiB({ tusThreshold: 4096, chunkSize: 0.25 })).toEqual({
      tusThreshold: 4096 * MiB,
      chunkSize: MiB / 4,
    });
    // A fraction of a byte is rounded: the uploader takes whole bytes only.
    expect(tusSizesFromMiB({ tusThreshold: 1.0000001, chunkSize: 64 })).toEqual({
      tusThreshold: MiB,
      chunkSize: 64 * MiB,
    });
  });

  it.each([
    [
      'chunkSize',
      'four',
      'not-a-number',
      'chunkSize is "four", not a number: give a number of MiB from 0.25 to 64, e.g. 4',
    ],
    ['chunkSize', Number.NaN, 'not-a-number', 'chunkSize is NaN MiB, not a number'],
    ['chunkSize', undefined, 'not-a-number', 'chunkSize is undefined, not a number'],
    [
      'chunkSize',
      0.1,
      'too-small',
      'chunkSize is 0.1 MiB, below 0.25 MiB (256 KiB): give a number of MiB from 0.25 to 64',
    ],
    [
      'chunkSize',
      65,
      'too-large',
      'chunkSize is 65 MiB, above 64 MiB: give a number of MiB from 0.25 to 64, e.g. 4',
    ],
    ['tusThreshold', 0, 'too-small', 'tusThreshold is 0 MiB, below 0.25 MiB (256 KiB)'],
    [
      'tusThreshold',
      5000,
      'too-large',
      'tusThreshold is 5000 MiB, above 4096 MiB: give a number of MiB from 0.25 to 4096, e.g. 8',
    ],
  ] as const)('%s = %j is refused (%s) with ERR_CONFIG naming the fix', (option, value, reason, message) => {
    const problem = tusSizeProblem(option, value);
    expect(problem).toMatchObject({ option, reason, ...TUS_SIZE_RANGES[option] });
    expect(describeTusSizeProblem(problem!)).toContain(message);
    const sizes = { tusThreshold: 8, chunkSize: 4, [option]: value };
    const error = (() => {
      try {
        tusSizesFromMiB(sizes);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(TusSizeError);
    expect(error).toBeInstanceOf(BytedropError);
    expect(isBytedropError(error, 'ERR_CONFIG')).toBe(true);
    expect((error as TusSizeError).problem).toEqual(problem);
    expect((error as Error).message).toContain(message);
  });

  it('says what is wrong in words a host puts in its own sentence', () => {
    expect(tusSizeReason(tusSizeProblem('chunkSize', 65)!)).toBe('above 64 MiB');
    expect(tusSizeReason(tusSizeProblem('tusThreshold', 0.1)!)).toBe('below 0.25 MiB (256 KiB)');
    expect(tusSizeReason(tusSizeProblem('chunkSize', Number.NaN)!)).toBe('not a number');
  });

  it('a host words the refusal for its own settings; the first bad option is the one reported', () => {
    expect(() =>
      tusSizesFromMiB(
        { tusThreshold: -1, chunkSize: 'x' },
        (problem) => `${problem.option} ${problem.reason} (${problem.least}–${problem.most})`,
      ),
    ).toThrow(/^tusThreshold too-small \(0\.25–4096\)$/);
  });

  it('accepts numbers only: typed text is the host’s to parse', () => {
    expect(tusSizeProblem('chunkSize', '4')?.reason).toBe('not-a-number');
    expect(tusSizeProblem('chunkSize', 4)).toBeUndefined();
  });
});
