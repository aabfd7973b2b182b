/**
 * The AWS SDK's HTTP, sent through Obsidian's `requestUrl`. `requestUrl` runs outside the page (Electron's net on
 * desktop, native HTTP on mobile), so buckets need no CORS rules and the plugin works on phones.
 */
import { buildQueryString, HttpResponse } from '@smithy/core/protocols';
import type { HttpHandlerOptions, HttpRequest, RequestHandler } from '@smithy/types';
import { type RequestUrlParam, type RequestUrlResponse, requestUrl } from 'obsidian';
import { noAnswerError } from './net-errors';

/** What the handler needs from Obsidian; injectable so a test can count calls. */
export type RequestUrlFn = (request: RequestUrlParam) => Promise<RequestUrlResponse>;

// The platform sets these itself from the URL and the body; Electron's net refuses a caller-set Host, and
// browsers forbid the rest. None of them changes what S3 verifies: it signs the host and length it receives.
const PLATFORM_HEADERS = new Set(['host', 'content-length', 'expect', 'connection', 'transfer-encoding']);

/**
 * A smithy `HttpHandler` over `requestUrl`, for `createUploader(config, { requestHandler })`.
 * `throw: false` lets S3's XML error bodies reach the SDK, which turns them into named errors
 * (`NoSuchBucket`, `SignatureDoesNotMatch`, …) that core maps to messages.
 */
export class RequestUrlHandler implements RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions> {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  readonly #send: RequestUrlFn;

  constructor(send: RequestUrlFn = requestUrl) {
    this.#send = send;
  }

  async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const signal = options.abortSignal as AbortSignal | undefined;
    throwIfAborted(signal);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!PLATFORM_HEADERS.has(name.toLowerCase())) headers[name] = value;
    }
    const param: RequestUrlParam = { url: urlOf(request), method: request.method, headers, throw: false };
    const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
    if (contentType !== undefined) param.contentType = contentType;
    const body = await toRequestBody(request.body);
    if (body !== undefined) param.body = body;
    // Reading a stream body takes time; a signal that fired meanwhile must stop the request before it is sent.
    throwIfAborted(signal);

    // requestUrl cannot be cancelled; an abort settles the SDK's promise now and the late answer is dropped.
    const response = await raceAbort(
      this.#send(param).catch((error: unknown) => {
        throw noAnswerError(error, `${param.method} ${request.hostname}`);
      }),
      signal,
    );
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) responseHeaders[name.toLowerCase()] = value;
    return {
      response: new HttpResponse({
        statusCode: response.status,
        headers: responseHeaders,
        // A Blob is a body every SDK stream helper (browser and Node) knows how to read.
        body: new Blob([response.arrayBuffer]),
      }),
    };
  }

  updateHttpClientConfig(): void {
    // requestUrl has no client-level settings to update.
  }

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {
    // Nothing pooled: every request is its own requestUrl call.
  }
}

function urlOf(request: HttpRequest): string {
  const port = request.port ? `:${request.port}` : '';
  const auth =
    request.username || request.password
      ? `${encodeURIComponent(request.username ?? '')}:${encodeURIComponent(request.password ?? '')}@`
      : '';
  const query = buildQueryString(request.query ?? {});
  const path = request.path.startsWith('/') ? request.path : `/${request.path}`;
  return `${request.protocol}//${auth}${request.hostname}${port}${path}${query ? `?${query}` : ''}${
    request.fragment ? `#${request.fragment}` : ''
  }`;
}

/** requestUrl takes a string or an ArrayBuffer; the SDK hands over strings, byte views, Blobs or streams. */
async function toRequestBody(body: unknown): Promise<string | ArrayBuffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof ArrayBuffer) return body;
  if (ArrayBuffer.isView(body)) {
    return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  }
  if (body instanceof Blob) return body.arrayBuffer();
  if (body instanceof ReadableStream) return new Response(body).arrayBuffer();
  if (typeof body === 'object' && Symbol.asyncIterator in body) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
      chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
    }
    return new Blob(chunks as BlobPart[]).arrayBuffer();
  }
  throw new TypeError(`cannot send a request body of type ${Object.prototype.toString.call(body)}`);
}

// Not core's `_abort.ts` helpers: theirs reject with a `BytedropError('ERR_ABORTED')` for callers of core. This is a
// smithy `HttpHandler` under the SDK, so like the SDK's own fetch and node handlers it rejects with an error named
// `AbortError`; core's `toBytedropError` turns that into ERR_ABORTED with every other aborted SDK call.
function abortError(): Error {
  const error = new Error('The request was aborted');
  error.name = 'AbortError';
  return error;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
