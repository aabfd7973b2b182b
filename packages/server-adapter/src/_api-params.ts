/**
 * The query parameters of `GET /api/files`, validated with valibot (the schema library core's config uses), and its
 * cursors. A cursor carries the filters of the query it came from, so one from another query is refused by name
 * instead of silently paging through the wrong set.
 */
import * as v from 'valibot';
import type { FileQuery, PagePosition } from './catalog/types';
import { fail } from './response';

export const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 50;

/** A query date (`2026-11-29` or an ISO time) as a `Date`, with a message naming `field`. */
export const date = (field: string) =>
  v.pipe(
    v.string(),
    v.check(
      (text) =>
        /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) &&
        !Number.isNaN(Date.parse(text)),
      `${field} must be a date like 2026-11-29 or 2026-11-29T12:00:00Z`,
    ),
    v.transform((text) => new Date(text)),
  );

const ListParams = v.strictObject({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, `limit must be a whole number from 1 to ${MAX_LIMIT}`),
      v.transform(Number),
      v.minValue(1, `limit must be a whole number from 1 to ${MAX_LIMIT}`),
      v.maxValue(MAX_LIMIT, `limit must be at most ${MAX_LIMIT}: page with \`cursor\` for more`),
    ),
    String(DEFAULT_LIMIT),
  ),
  cursor: v.optional(v.pipe(v.string(), v.minLength(1, 'cursor is empty: drop it to start from the newest'))),
  prefix: v.optional(v.pipe(v.string(), v.maxLength(1024, 'prefix is longer than a key can be (1024)'))),
  q: v.optional(v.pipe(v.string(), v.maxLength(200, 'q must be at most 200 characters'))),
  type: v.optional(
    v.pipe(
      v.string(),
      v.regex(
        /^[a-z0-9][a-z0-9!#$&^_.+-]*\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*)$/i,
        'type must be a media type like image/png, or a family like image/*',
      ),
    ),
  ),
  from: v.optional(date('from')),
  to: v.optional(date('to')),
  owner: v.optional(v.pipe(v.string(), v.minLength(1, 'owner is empty: drop it or name an access key'))),
});

/** The first problem of a parse, naming the field. */
function firstIssue(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0]!;
  // strictObject reports a parameter it does not know as a key that must be absent.
  if (issue.expected === 'never') {
    return `unknown parameter '${String(issue.path?.[0]?.key)}': use limit, cursor, prefix, q, type, from, to or owner`;
  }
  return issue.message;
}

/** What `GET /api/files` was asked: the filters, the page size and where to continue. */
export interface ListRequest {
  filters: Omit<FileQuery, 'owner'> & { owner?: string };
  limit: number;
  after?: PagePosition;
}

/** The same filters, written the same way each time (the cursor compares them). */
function filterKey(filters: ListRequest['filters']): string {
  return JSON.stringify([
    filters.owner ?? null,
    filters.prefix ?? null,
    filters.q ?? null,
    filters.type ?? null,
    filters.from?.getTime() ?? null,
    filters.to?.getTime() ?? null,
  ]);
}

const toBase64Url = (text: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const fromBase64Url = (text: string) =>
  new TextDecoder().decode(
    Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)),
  );

/** The `next` cursor of a page: where it stopped, and which filters it belongs to. */
export function encodeCursor(position: PagePosition, filters: ListRequest['filters']): string {
  return toBase64Url(JSON.stringify({ t: position.createdAt, k: position.key, f: filterKey(filters) }));
}

function decodeCursor(cursor: string, filters: ListRequest['filters']): PagePosition {
  let parsed: { t?: unknown; k?: unknown; f?: unknown };
  try {
    parsed = JSON.parse(fromBase64Url(cursor));
  } catch {
    parsed = {};
  }
  if (typeof parsed.t !== 'number' || typeof parsed.k !== 'string' || typeof parsed.f !== 'string') {
    throw fail(
      'ERR_INPUT',
      'cursor is not one this server gave: pass `next` from the previous page as it is',
    );
  }
  if (parsed.f !== filterKey(filters)) {
    throw fail(
      'ERR_INPUT',
      'cursor belongs to another query (its owner, prefix, q, type, from or to differ): repeat that query with it, or drop cursor to start from the newest',
    );
  }
  return { createdAt: parsed.t, key: parsed.k };
}

/**
 * Validates the query string of `GET /api/files`; `ERR_INPUT` names the field and the fix.
 *
 * @example
 * ```ts
 * parseListParams(new URLSearchParams('type=image/*&limit=20')); // { filters: { type: 'image/*' }, limit: 20 }
 * ```
 */
export function parseListParams(search: URLSearchParams): ListRequest {
  const raw: Record<string, string> = {};
  for (const [name, value] of search) {
    if (name in raw) throw fail('ERR_INPUT', `${name} is given twice: give it once`);
    raw[name] = value;
  }
  const result = v.safeParse(ListParams, raw);
  if (!result.success) throw fail('ERR_INPUT', firstIssue(result.issues));
  const { limit, cursor, ...rest } = result.output;
  const filters = Object.fromEntries(
    Object.entries(rest).filter(([, value]) => value !== undefined && value !== ''),
  ) as ListRequest['filters'];
  if (filters.from && filters.to && filters.from >= filters.to) {
    throw fail('ERR_INPUT', 'from must be before to: swap them, or drop one');
  }
  return { filters, limit, ...(cursor ? { after: decodeCursor(cursor, filters) } : {}) };
}
