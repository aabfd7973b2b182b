/**
 * The JSON body of an `/api/` POST, read with a ceiling (a body is never buffered past it) and parsed with a
 * message that says what was wrong. Reads the runtime's native body when the runner passes one.
 */
import { requestBody } from './_stream';
import { fail } from './response';
import type { RouteContext } from './types';

/**
 * The body's bytes, at most `limit`: past it, the error `over` gives is thrown before another byte is read. Empty
 * when there is no body. Read through `requestBody`, so a refusal mid-body ends it the way uploads do.
 *
 * @example
 * ```ts
 * const bytes = await readBytes(request, context, 16 * 1024, () => fail('ERR_TOO_LARGE', 'too long'));
 * ```
 */
export async function readBytes(
  request: Request,
  context: Pick<RouteContext, 'body'>,
  limit: number,
  over: () => Error,
): Promise<Uint8Array> {
  const source = requestBody(request, context.body);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (source) {
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (size > limit) throw over();
      chunks.push(chunk);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

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
  const bytes = await readBytes(request, context, limit, () =>
    fail('ERR_TOO_LARGE', `the body of ${route} is over ${limit} bytes: send fewer or shorter keys`),
  );
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
