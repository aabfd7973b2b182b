/**
 * A `fetch` built on Obsidian's `requestUrl`, for `createServerUploader({ fetch })`: a Bytedrop server on another
 * origin then needs no CORS headers, on desktop and mobile alike.
 */
import { requestUrl } from 'obsidian';
import type { RequestUrlFn } from './request-handler';

/**
 * Makes a `fetch`-compatible function over `requestUrl`. The request is first normalised through `Request`, so
 * `FormData` bodies get their multipart encoding and boundary header exactly as `fetch` would send them.
 */
export function createRequestUrlFetch(send: RequestUrlFn = requestUrl): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    if (request.signal.aborted) throw abortError();
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      if (name !== 'host' && name !== 'content-length') headers[name] = value;
    });
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    const body = hasBody ? await request.arrayBuffer() : undefined;
    const contentType = headers['content-type'];
    const response = await new Promise<Awaited<ReturnType<RequestUrlFn>>>((resolve, reject) => {
      // requestUrl cannot be cancelled; an abort settles now and the late answer is dropped.
      const onAbort = (): void => reject(abortError());
      request.signal.addEventListener('abort', onAbort, { once: true });
      send({
        url: request.url,
        method: request.method,
        headers,
        throw: false,
        ...(body === undefined ? {} : { body }),
        ...(contentType === undefined ? {} : { contentType }),
      }).then(resolve, reject);
    });
    const empty = response.status === 204 || response.status === 304 || request.method === 'HEAD';
    return new Response(empty ? null : response.arrayBuffer, {
      status: response.status,
      headers: response.headers,
    });
  };
}

function abortError(): Error {
  const error = new Error('The request was aborted');
  error.name = 'AbortError';
  return error;
}
