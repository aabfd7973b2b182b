/**
 * Internal: the message for a config field that does not exist. A typo (`publicUrl` for `publicBaseUrl`) used to be
 * dropped without a word, so the setting silently had no effect; now it names the field the user most likely meant.
 */
import { distance } from 'fastest-levenshtein';

/** True when every letter of `short` appears in `long` in order: a field name with words left out. */
function isAbbreviation(short: string, long: string): boolean {
  let at = 0;
  for (const letter of long) if (letter === short[at]) at += 1;
  return at === short.length;
}

/**
 * The known field the user most likely meant: one that contains the name with words left out (`publicUrl`,
 * `secretKey`), else the nearest by edit distance if it is within a third of the name (a guess further away would
 * mislead more than it helps).
 */
function nearestField(field: string, known: readonly string[]): string | undefined {
  const typed = field.toLowerCase();
  const byDistance = [...known].sort(
    (a, b) => distance(typed, a.toLowerCase()) - distance(typed, b.toLowerCase()),
  );
  const abbreviated = byDistance.find((name) => isAbbreviation(typed, name.toLowerCase()));
  if (abbreviated) return abbreviated;
  const nearest = byDistance[0];
  const limit = Math.max(2, Math.ceil(field.length / 3));
  return nearest !== undefined && distance(typed, nearest.toLowerCase()) <= limit ? nearest : undefined;
}

/** `unknown field 'publicUrl': did you mean 'publicBaseUrl'?`, or the list of fields when none is close. */
export function unknownFieldMessage(field: string, known: readonly string[]): string {
  const nearest = nearestField(field, known);
  return nearest
    ? `unknown field '${field}': did you mean '${nearest}'?`
    : `unknown field '${field}': remove it, or use one of ${known.join(', ')}`;
}

/** The message for each field of `input` that is not in `known`, in the input's order. */
export function unknownFieldMessages(input: unknown, known: readonly string[]): string[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [];
  return Object.keys(input)
    .filter((field) => !known.includes(field))
    .map((field) => unknownFieldMessage(field, known));
}
