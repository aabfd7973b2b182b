/**
 * The per-request image conversion: a `convert` header (both upload routes). `off` stores images as they came,
 * `webp` or `avif` converts them, optionally with `quality` and `max-side`: `convert: webp; quality=70; max-side=1600`.
 * Absent, the server's own setting (`BYTEDROP_CONVERT`) holds. A value that cannot be read is the client's mistake,
 * named with the fix.
 */
import type { ConvertOption } from '@bytedrop/core';
import { fail } from './response';

/** The header name. */
export const CONVERT = 'convert';

const EXAMPLE = `'${CONVERT}: webp; quality=80; max-side=2560' (or '${CONVERT}: off')`;

function whole(name: string, value: string, most: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1 || number > most) {
    throw fail(
      'ERR_INPUT',
      `${CONVERT} header: ${name}=${value} is not a whole number from 1 to ${most}: send ${EXAMPLE}`,
    );
  }
  return number;
}

/** The upload's `convert` option from the header; undefined when there is none. */
export function convertOption(value: string | null): ConvertOption | undefined {
  if (value === null) return undefined;
  const [format = '', ...params] = value.split(';').map((part) => part.trim().toLowerCase());
  if (format === 'off') {
    if (params.length === 0) return false;
  } else if (format === 'webp' || format === 'avif') {
    const option: Exclude<ConvertOption, boolean> = { format };
    for (const param of params) {
      const [name = '', number = ''] = param.split('=').map((part) => part.trim());
      if (name === 'quality') option.quality = whole(name, number, 100);
      else if (name === 'max-side') option.maxSide = whole(name, number, 100_000);
      else
        throw fail(
          'ERR_INPUT',
          `${CONVERT} header: '${param}' is not a setting it takes (quality, max-side): send ${EXAMPLE}`,
        );
    }
    return option;
  }
  throw fail('ERR_INPUT', `${CONVERT} header '${value}' is not understood: send ${EXAMPLE}`);
}
