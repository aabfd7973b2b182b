/**
 * `requestUrl` on Node's fetch, with Obsidian's contract: the body must be a string or an ArrayBuffer, `throw`
 * defaults to true (status ≥ 400 rejects), and the response carries `arrayBuffer`, `text` and `json`. A request that
 * gets no answer rejects as desktop Obsidian's does (Electron's net): `Error: net::ERR_CONNECTION_REFUSED`, with
 * neither a `code` nor a `cause`.
 */
export interface RequestUrlParam {
  url: string;
  method?: string;
  contentType?: string;
  body?: string | ArrayBuffer;
  headers?: Record<string, string>;
  throw?: boolean;
}

export interface RequestUrlResponse {
  status: number;
  headers: Record<string, string>;
  arrayBuffer: ArrayBuffer;
  json: unknown;
  text: string;
}

/** Test helper: every request made through the fake, in order. */
export const requestLog: RequestUrlParam[] = [];

/** Node's network error codes and the `net::` error Chromium's network stack reports for each. */
const NET_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'net::ERR_CONNECTION_REFUSED',
  ECONNRESET: 'net::ERR_CONNECTION_RESET',
  ENOTFOUND: 'net::ERR_NAME_NOT_RESOLVED',
  EAI_AGAIN: 'net::ERR_NAME_NOT_RESOLVED',
  ETIMEDOUT: 'net::ERR_CONNECTION_TIMED_OUT',
  EHOSTUNREACH: 'net::ERR_ADDRESS_UNREACHABLE',
  ENETUNREACH: 'net::ERR_INTERNET_DISCONNECTED',
};

function netError(error: unknown): Error {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return new Error(NET_ERRORS[String(code)] ?? 'net::ERR_FAILED');
}

async function send(param: RequestUrlParam): Promise<RequestUrlResponse> {
  if (param.body !== undefined && typeof param.body !== 'string' && !(param.body instanceof ArrayBuffer)) {
    throw new TypeError(
      `requestUrl body must be a string or ArrayBuffer, got ${Object.prototype.toString.call(param.body)}`,
    );
  }
  requestLog.push(param);
  await requestHooks.before?.(param);
  const headers = new Headers(param.headers);
  if (param.contentType !== undefined) headers.set('content-type', param.contentType);
  let response: Response;
  let arrayBuffer: ArrayBuffer;
  try {
    response = await fetch(param.url, {
      method: param.method ?? 'GET',
      headers,
      ...(param.body === undefined ? {} : { body: param.body }),
    });
    arrayBuffer = await response.arrayBuffer();
  } catch (error) {
    throw netError(error);
  }
  if (param.throw !== false && response.status >= 400) {
    throw Object.assign(new Error(`Request failed, status ${response.status}`), { status: response.status });
  }
  const text = new TextDecoder().decode(arrayBuffer);
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    arrayBuffer,
    text,
    get json(): unknown {
      return JSON.parse(text);
    },
  };
}

export function requestUrl(request: RequestUrlParam | string): Promise<RequestUrlResponse> & {
  readonly arrayBuffer: Promise<ArrayBuffer>;
  readonly json: Promise<unknown>;
  readonly text: Promise<string>;
} {
  const promise = send(typeof request === 'string' ? { url: request } : request);
  // Getters, so an unused accessor does not become an unhandled rejection when the request fails.
  return Object.defineProperties(promise, {
    arrayBuffer: { get: () => promise.then((response) => response.arrayBuffer) },
    json: { get: () => promise.then((response) => response.json) },
    text: { get: () => promise.then((response) => response.text) },
  }) as ReturnType<typeof requestUrl>;
}

/** Test helper: awaited before each request is sent, so a test can hold an upload mid-flight. */
export const requestHooks: { before?: (param: RequestUrlParam) => Promise<void> } = {};
