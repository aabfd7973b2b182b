/**
 * The per-request opt-out of image metadata stripping: a `keep-metadata` header (both upload routes) or form field
 * (`POST /upload`, before the file parts it is for). Stripping is on by default; a value that is not a boolean is the
 * client's mistake, named with the fix.
 */

import { booleanField } from './_boolean-field';
import { fail } from './response';

/** The header and form field name. */
export const KEEP_METADATA = 'keep-metadata';

/** `true`/`1`/`yes`/`on` keep metadata, `false`/`0`/`no`/`off` strip it; absent says nothing (the server's setting). */
export function keepMetadata(
  value: string | null | undefined,
  where: 'header' | 'form field' | 'tus metadata',
): boolean | undefined {
  const flag = booleanField(value);
  if (flag !== null) return flag;
  throw fail(
    'ERR_INPUT',
    `${KEEP_METADATA} ${where} '${value}' is not a boolean: send '${KEEP_METADATA}: true' to keep the images' metadata (location, camera), or leave it out to strip it`,
  );
}
