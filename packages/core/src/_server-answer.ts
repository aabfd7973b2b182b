/**
 * What a Bytedrop server answers an upload with (`{ success, msg, code, files: [...] }`), read defensively: a field
 * that is not well-formed is left out, never trusted.
 */
import { abortedError } from './_abort';
import { BytedropError, ERROR_CODES, type ErrorCode } from './errors';
import type { ConversionSkipped } from './image-encoder';
import type { MetadataKept, MetadataKind } from './images';
import type { ImageFacts } from './types';

/** One stored file as the server describes it. */
export interface ServerFile {
  url?: unknown;
  key?: unknown;
  size?: unknown;
  hash?: unknown;
  contentType?: unknown;
  deduplicated?: unknown;
  filename?: unknown;
  deleteUrl?: unknown;
  stripped?: unknown;
  metadataKept?: unknown;
  width?: unknown;
  height?: unknown;
  pixelRatio?: unknown;
  converted?: { from?: unknown; size?: unknown };
  conversionSkipped?: unknown;
}

/** The whole answer. */
export interface ServerResponse {
  success?: unknown;
  msg?: unknown;
  code?: unknown;
  url?: unknown;
  files?: ServerFile[];
}

/** When a server sends no (known) code, the HTTP status decides. */
export const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'ERR_INPUT',
  401: 'ERR_AUTH',
  403: 'ERR_FORBIDDEN',
  404: 'ERR_CONFIG',
  413: 'ERR_TOO_LARGE',
  415: 'ERR_UNSUPPORTED_TYPE',
  422: 'ERR_IMAGE',
};

export const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

export const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;

/** The image fields of a server's answer, those that are well-formed. */
export function imageFactsOf(file: ServerFile): ImageFacts {
  const facts: ImageFacts = {};
  if (Array.isArray(file.stripped))
    facts.stripped = file.stripped.filter((kind): kind is MetadataKind => typeof kind === 'string');
  if (typeof file.metadataKept === 'string') facts.metadataKept = file.metadataKept as MetadataKept;
  const width = count(file.width);
  const height = count(file.height);
  const ratio = count(file.pixelRatio);
  if (width !== undefined && height !== undefined) Object.assign(facts, { width, height });
  if (ratio !== undefined) facts.pixelRatio = ratio;
  const from = text(file.converted?.from);
  const before = count(file.converted?.size);
  if (from !== undefined && before !== undefined) facts.converted = { from, size: before };
  if (typeof file.conversionSkipped === 'string')
    facts.conversionSkipped = file.conversionSkipped as ConversionSkipped;
  return facts;
}

/** Sends one request to the server at `base`; an unreachable server is `ERR_NETWORK`, an abort `ERR_ABORTED`. */
export async function reach(
  send: typeof fetch,
  base: string,
  url: string,
  init: RequestInit,
  signal: AbortSignal | undefined,
): Promise<Response> {
  try {
    return await send(url, { ...init, ...(signal === undefined ? {} : { signal }) });
  } catch (error) {
    if (signal?.aborted) throw abortedError(`upload to ${base}`, error);
    const cause = (error as { cause?: { code?: unknown } }).cause?.code ?? (error as Error).message;
    throw new BytedropError(
      'ERR_NETWORK',
      `could not reach the Bytedrop server at ${base} (${String(cause)}): check 'url' and that the server is running and reachable`,
      { cause: error },
    );
  }
}

/** The JSON of an answer from `url`; anything else (a proxy's HTML page, another server) is a clear error. */
export async function readPayload(response: Response, url: string): Promise<ServerResponse> {
  const raw = await response.text();
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null) return parsed as ServerResponse;
  } catch {
    // handled below: a proxy's HTML error page or a server that is not Bytedrop
  }
  throw new BytedropError(
    response.status === 404 ? 'ERR_CONFIG' : 'ERR_PROVIDER',
    `${url} answered HTTP ${response.status} without a Bytedrop JSON body (${JSON.stringify(raw.slice(0, 80))}): check that 'url' points at a Bytedrop server`,
    { status: response.status },
  );
}

/** A refusal (`{ success: false, msg, code }`) as a `BytedropError` with the server's code, or one from the status. */
export function refusal(base: string, response: Response, payload: ServerResponse): BytedropError {
  const sent = text(payload.code);
  const code: ErrorCode =
    sent !== undefined && (ERROR_CODES as readonly string[]).includes(sent)
      ? (sent as ErrorCode)
      : (CODE_BY_STATUS[response.status] ?? 'ERR_PROVIDER');
  const why = text(payload.msg) ?? response.statusText;
  return new BytedropError(
    code,
    `the Bytedrop server at ${base} refused the upload (HTTP ${response.status}${sent ? ` ${sent}` : ''}): ${why}`,
    // A code outside ErrorCode (e.g. a newer server's) is kept where hosts can still see it.
    { status: response.status, ...(sent !== undefined && sent !== code ? { s3Code: sent } : {}) },
  );
}

/**
 * A refused answer's error: its JSON when it has one, else the status alone (a bodiless tus answer). `foreign` is the
 * message for an answer without the server's JSON (a proxy's error page), when the caller knows better than the status.
 */
export async function refusalOf(
  base: string,
  response: Response,
  foreign?: (status: number) => string | undefined,
): Promise<BytedropError> {
  const raw = await response.text().catch(() => '');
  let payload: ServerResponse = {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null) payload = parsed as ServerResponse;
  } catch {
    // a bodiless answer (HEAD) or a proxy's page: the status decides
  }
  const why = payload.code === undefined ? foreign?.(response.status) : undefined;
  return refusal(base, response, why === undefined ? payload : { ...payload, msg: why });
}
