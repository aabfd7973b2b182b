/**
 * `GET /api/stats` (admin keys only): uploads and bytes per UTC day, per owner and per type, and the largest
 * files, over a window (`from`, `to`; the last 30 days by default), from the catalog in either dialect.
 */
import * as v from 'valibot';
import type { CatalogReads } from './_api-files';
import { date } from './_api-params';
import type { FileRecord } from './catalog/types';
import { fail, json, methodNotAllowed } from './response';
import type { App, RouteContext } from './types';

const DAY_MS = 86_400_000;
/** Most rows per ranking (owners, types, largest). */
export const MAX_TOP = 100;

const StatsParams = v.strictObject({
  from: v.optional(date('from')),
  to: v.optional(date('to')),
  top: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, `top must be a whole number from 1 to ${MAX_TOP}`),
      v.transform(Number),
      v.minValue(1, `top must be a whole number from 1 to ${MAX_TOP}`),
      v.maxValue(MAX_TOP, `top must be at most ${MAX_TOP}`),
    ),
    '10',
  ),
});

/** The query of `GET /api/stats` as a window; `ERR_INPUT` names the field and the fix. */
function parseStatsParams(search: URLSearchParams) {
  const raw: Record<string, string> = {};
  for (const [name, value] of search) {
    if (name in raw) throw fail('ERR_INPUT', `${name} is given twice: give it once`);
    raw[name] = value;
  }
  const result = v.safeParse(StatsParams, raw);
  if (!result.success) {
    const issue = result.issues[0];
    if (issue.expected === 'never') {
      throw fail('ERR_INPUT', `unknown parameter '${String(issue.path?.[0]?.key)}': use from, to or top`);
    }
    throw fail('ERR_INPUT', issue.message);
  }
  const now = Date.now();
  const to = result.output.to ?? new Date(Math.floor(now / DAY_MS) * DAY_MS + DAY_MS);
  const from = result.output.from ?? new Date(to.getTime() - 30 * DAY_MS);
  if (from >= to) throw fail('ERR_INPUT', 'from must be before to: swap them, or drop one');
  return { from, to, top: result.output.top };
}

/** The stats route of one handler; `describe` turns a record into its API shape (with its URL). */
export function createStatsRoute(app: App) {
  return async (
    request: Request,
    url: URL,
    context: RouteContext,
    reads: () => CatalogReads,
    describe: (file: FileRecord, origin: string) => unknown,
  ): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET');
    const who = await app.authenticate(request, context.client, context.log);
    if (!who.admin) {
      throw fail('ERR_FORBIDDEN', 'statistics are for admin keys: ask with a key that has admin: true');
    }
    const window = parseStatsParams(url.searchParams);
    const stats = await reads().stats(window);
    return json({
      success: true,
      from: window.from.toISOString(),
      to: window.to.toISOString(),
      ...stats,
      largest: stats.largest.map((file) => describe(file, context.origin)),
    });
  };
}
