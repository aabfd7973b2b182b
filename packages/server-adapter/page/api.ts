/** The page's calls to the JSON API under /api/, with the kept key; a failure throws an `ApiError` that says why. */
import { explain } from './dom';
import { authHeaders } from './key';

/** A refused or failed API call: `status` (0 offline), the server's `code`, and a sentence for the page. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** `fetch` of `/api/<path>` with the key; answers the Response when it is 2xx. */
export async function apiFetch(path: string, init: RequestInit = {}, failed = 'Failed'): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(`/api/${path}`, {
      ...init,
      headers: { ...authHeaders(), ...(init.body ? { 'content-type': 'application/json' } : {}) },
    });
  } catch {
    throw new ApiError(0, undefined, explain(0, null, failed));
  }
  if (response.ok) return response;
  const body = await response.json().catch(() => null);
  throw new ApiError(response.status, body?.code, explain(response.status, body, failed));
}

/** The JSON answer of `/api/<path>`. */
export async function api<T>(path: string, init: RequestInit = {}, failed = 'Failed'): Promise<T> {
  return (await (await apiFetch(path, init, failed)).json()) as T;
}
