/**
 * What a new managed key may be, validated with valibot (as `/api/files`' parameters are): the body of
 * `POST /api/keys` and the flags of `bytedrop-server keys add`. Every message names the field (the API's name, or
 * the CLI's flag) and the fix.
 */
import * as v from 'valibot';
import { DEFAULT_SCOPES } from './_scopes';
import { type KeyRecord, SCOPES } from './catalog/keys';
import { fail } from './response';

const DAY_MS = 86_400_000;
/** The longest lifetime a key may be given: ten years. Longer is "never", which is leaving `expires` out. */
export const MAX_EXPIRY_DAYS = 3650;

const UNITS: Record<string, number> = { h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const count = (what: string) =>
  v.pipe(
    v.union([v.number(), v.pipe(v.string(), v.regex(/^\d+$/), v.transform(Number))], `must be ${what}`),
    v.integer(`must be ${what}`),
    v.minValue(1, `must be ${what}`),
    v.maxValue(Number.MAX_SAFE_INTEGER, `must be ${what}`),
  );

const SIZE_HINT = 'a whole number of bytes above 0, or a size like 500MB, 5GB or 1TiB';

/**
 * `5GB` → 5e9; a bare number is bytes; `undefined` when it is no size.
 *
 * @example
 * ```ts
 * parseSize('1KiB'); // 1024
 * ```
 */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?$/i.exec(text.trim());
  if (!match) return undefined;
  const bytes = Math.round(Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]!);
  return bytes >= 1 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

const size = v.pipe(
  v.union([v.number(), v.string()], `must be ${SIZE_HINT}`),
  v.transform((value) => (typeof value === 'number' ? value : (parseSize(value) ?? Number.NaN))),
  v.check((bytes) => Number.isSafeInteger(bytes) && bytes >= 1, `must be ${SIZE_HINT}`),
);

const EXPIRY_HINT = `must be a duration like 12h, 30d or 2w, or an ISO date like 2027-01-31 (at most ${MAX_EXPIRY_DAYS} days ahead)`;

const NewKeyParams = v.strictObject({
  name: v.pipe(
    v.string('must be a string like alice or ci-bot'),
    v.regex(
      /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/,
      'must be 1 to 64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit',
    ),
  ),
  prefix: v.optional(
    v.pipe(
      v.string('must be a folder like alice/'),
      v.maxLength(256, 'must be at most 256 characters'),
      v.check(
        (text) =>
          !text.startsWith('/') &&
          !text.split('/').some((part) => part === '.' || part === '..') &&
          // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
          !/[\u0000-\u001f\\]/.test(text),
        'must be a relative folder like alice/ (no leading slash, no . or .. segments, no backslash)',
      ),
    ),
  ),
  scopes: v.optional(
    v.pipe(
      v.array(
        v.picklist(SCOPES, `must each be one of ${SCOPES.join(', ')}`),
        `must be a list of ${SCOPES.join(', ')}`,
      ),
      v.minLength(1, `must name at least one of ${SCOPES.join(', ')}`),
    ),
  ),
  quotaBytes: v.optional(size),
  quotaFiles: v.optional(count('a whole number of files above 0')),
  uploadsPerHour: v.optional(count('a whole number of uploads above 0')),
  uploadsPerDay: v.optional(count('a whole number of uploads above 0')),
  expires: v.optional(v.string(EXPIRY_HINT)),
});

/** What `parseNewKey` gives: a key's settings, checked (a catalog record without its times and source). */
export type NewKey = Omit<KeyRecord, 'createdAt' | 'revokedAt' | 'source'>;

/** `30d` or `2027-01-31` → the time, checked to be ahead of `now` and at most `MAX_EXPIRY_DAYS` away. */
export function parseExpiry(text: string, now: Date, label = 'expires'): Date {
  const duration = /^(\d+)\s*([hdw])$/i.exec(text.trim());
  let at: number;
  if (duration) at = now.getTime() + Number(duration[1]) * UNITS[duration[2]!.toLowerCase()]!;
  else if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) at = Date.parse(text);
  else at = Number.NaN;
  if (Number.isNaN(at)) throw fail('ERR_INPUT', `${label} ${EXPIRY_HINT}; got '${text}'`);
  if (at <= now.getTime()) {
    throw fail(
      'ERR_INPUT',
      `${label} '${text}' is in the past: give a time ahead, or leave it out for a key that does not expire`,
    );
  }
  if (at - now.getTime() > MAX_EXPIRY_DAYS * DAY_MS) {
    throw fail(
      'ERR_INPUT',
      `${label} '${text}' is more than ${MAX_EXPIRY_DAYS} days ahead: give a nearer time, or leave it out for a key that does not expire`,
    );
  }
  return new Date(at);
}

/** The API's field names; the CLI passes its flags instead (`--quota-bytes`). */
export type FieldLabel = (field: string) => string;

/**
 * Validates a new key's settings (the JSON body of `POST /api/keys`); `ERR_INPUT` names the field and the fix.
 * Without `scopes`, a key may upload and list and delete its own files.
 *
 * @example
 * ```ts
 * parseNewKey({ name: 'ci', scopes: ['upload'], quotaBytes: '5GB', expires: '30d' }, new Date());
 * ```
 */
export function parseNewKey(input: unknown, now: Date, label: FieldLabel = (field) => field): NewKey {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw fail('ERR_INPUT', 'the body must be a JSON object like {"name":"alice","scopes":["upload"]}');
  }
  // valibot reports a missing key in its own words; this one is said as the others are.
  if (!('name' in input))
    throw fail('ERR_INPUT', `${label('name')} is required: a name like alice or ci-bot`);
  const result = v.safeParse(NewKeyParams, input);
  if (!result.success) {
    const issue = result.issues[0]!;
    const field = String(issue.path?.[0]?.key ?? 'body');
    if (issue.expected === 'never') {
      throw fail(
        'ERR_INPUT',
        `unknown field ${label(field)}: use ${Object.keys(NewKeyParams.entries).map(label).join(', ')}`,
      );
    }
    throw fail('ERR_INPUT', `${label(field)} ${issue.message}`);
  }
  const given = result.output;
  return {
    name: given.name,
    prefix: given.prefix || null,
    scopes: [...new Set(given.scopes ?? DEFAULT_SCOPES)],
    quotaBytes: given.quotaBytes ?? null,
    quotaFiles: given.quotaFiles ?? null,
    perHour: given.uploadsPerHour ?? null,
    perDay: given.uploadsPerDay ?? null,
    expiresAt: given.expires === undefined ? null : parseExpiry(given.expires, now, label('expires')),
  };
}
