/**
 * `requestUrl` on Node's fetch, with Obsidian's contract: the body must be a string or an ArrayBuffer, `throw`
 * defaults to true (status ≥ 400 rejects), and the response carries `arrayBuffer`, `text` and `json`.
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
  const response = await fetch(param.url, {
    method: param.method ?? 'GET',
    headers,
    ...(param.body === undefined ? {} : { body: param.body }),
  });
  const arrayBuffer = await response.arrayBuffer();
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
