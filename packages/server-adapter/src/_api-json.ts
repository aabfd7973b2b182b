/**
 * The JSON body of an `/api/` POST, read with a ceiling (a body is never buffered past it) and parsed with a
 * message that says what was wrong. Reads the runtime's native body when the runner passes one.
 */
import { fail } from './response';
import type { RouteContext } from './types';

/**
 * The parsed body; `ERR_TOO_LARGE` past `limit` bytes, `ERR_INPUT` when it is not JSON.
 *
 * @example
 * ```ts
 * const body = await readJson(request, context, 1024 * 1024, 'POST /api/zip');
 * ```
 */
export async function readJson(
  request: Request,
  context: Pick<RouteContext, 'body'>,
  limit: number,
  route: string,
): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw fail('ERR_INPUT', `${route} takes a JSON body: send Content-Type: application/json`);
  }
  const source = context.body ?? request.body;
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (source) {
    for await (const chunk of source as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > limit) {
        throw fail(
          'ERR_TOO_LARGE',
          `the body of ${route} is over ${limit} bytes: send fewer or shorter keys`,
        );
      }
      chunks.push(chunk);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw fail('ERR_INPUT', `the body of ${route} is not JSON: send a JSON object like {"keys": ["a.png"]}`);
  }
}

/** The first problem of a valibot parse, naming the field: unknown fields are named with the ones that exist. */
export function firstIssueOf(
  issues: readonly {
    expected?: string | null;
    received?: string;
    message: string;
    path?: readonly { key?: unknown }[];
  }[],
  known: string,
): string {
  const issue = issues[0]!;
  const field = issue.path?.map((item) => String(item.key)).join('.');
  if (issue.expected === 'never') return `unknown field '${field}': the fields are ${known}`;
  // A strict object reports a missing field as a key it expected and did not get.
  if (issue.received === 'undefined' && issue.expected === `"${field}"`) {
    return `${field} is missing: the fields are ${known}`;
  }
  return issue.path?.length && !issue.message.startsWith(field ?? '')
    ? `${field}: ${issue.message}`
    : issue.message;
}
