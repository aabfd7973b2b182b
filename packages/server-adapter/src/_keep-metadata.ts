/**
 * The per-request opt-out of image metadata stripping: a `keep-metadata` header (both upload routes) or form field
 * (`POST /upload`, before the file parts it is for). Stripping is on by default; a value that is not a boolean is the
 * client's mistake, named with the fix.
 */
import { fail } from './response';

/** The header and form field name. */
export const KEEP_METADATA = 'keep-metadata';

/** `true`/`1`/`yes`/`on` keep metadata, `false`/`0`/`no`/`off` strip it; absent says nothing (the server's setting). */
export function keepMetadata(
  value: string | null | undefined,
  where: 'header' | 'form field' | 'tus metadata',
): boolean | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^(1|true|yes|on)$/i.test(trimmed)) return true;
  if (/^(0|false|no|off)$/i.test(trimmed)) return false;
  throw fail(
    'ERR_INPUT',
    `${KEEP_METADATA} ${where} '${value}' is not a boolean: send '${KEEP_METADATA}: true' to keep the images' metadata (location, camera), or leave it out to strip it`,
  );
}
