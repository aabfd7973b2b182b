/**
 * Internal: the kinds of config field `config.ts`'s schema is made of (a URL, a text, a byte count, a duration), each
 * a valibot schema whose messages name the field, the value and the fix.
 */
import * as v from 'valibot';
import { urlProblem } from './providers';

/** An http(s) URL, trimmed and without a trailing slash; a bad one named with the fix (`urlProblem`). */
export const httpUrl = (field: string) =>
  v.pipe(
    v.string(`'${field}' must be a string like 'https://s3.example.com'`),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const problem = urlProblem(field, dataset.value);
      if (problem !== undefined) addIssue({ message: problem });
    }),
    v.transform((value) => value.trim().replace(/\/+$/, '')),
  );

/** A non-empty string, trimmed; `hint` says what to write. */
export const text = (field: string, hint: string) =>
  v.pipe(
    v.string(`'${field}' must be a string: ${hint}`),
    v.trim(),
    v.nonEmpty(`'${field}' is empty: ${hint}`),
  );

/** A whole number of bytes from `min` to `max`. */
export const bytes = (field: string, min: number, max: number) =>
  v.pipe(
    v.number(`'${field}' must be a number of bytes`),
    v.integer((issue) => `'${field}' ${String(issue.input)} is not a whole number of bytes: round it`),
    v.minValue(
      min,
      (issue) => `'${field}' ${String(issue.input)} is below ${min} bytes: use at least ${min}`,
    ),
    v.maxValue(max, (issue) => `'${field}' ${String(issue.input)} is above ${max} bytes: use at most ${max}`),
  );

/** A whole number of milliseconds, 1 or more. */
export const milliseconds = (field: string) =>
  v.pipe(
    v.number(`'${field}' must be a number of milliseconds`),
    v.integer((issue) => `'${field}' ${String(issue.input)} is not a whole number of milliseconds: round it`),
    v.minValue(1, (issue) => `'${field}' ${String(issue.input)} must be at least 1 ms`),
  );

/** `maxAttempts`' one message for every way it can be wrong. */
export const attemptsMessage = (issue: { input: unknown }) =>
  `'maxAttempts' ${String(issue.input)} must be a whole number from 1 to 20 (1: no retries)`;
