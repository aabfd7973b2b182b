/** Internal: the yes/no a header, form field or tus metadata value says, read one way for every such flag. */

/**
 * `true`/`1`/`yes`/`on` → true, `false`/`0`/`no`/`off` → false (any case, spaces around), absent → undefined; anything
 * else → null, for the caller to refuse naming its own field.
 */
export function booleanField(value: string | null | undefined): boolean | null | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^(1|true|yes|on)$/i.test(trimmed)) return true;
  if (/^(0|false|no|off)$/i.test(trimmed)) return false;
  return null;
}
