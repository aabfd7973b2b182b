/**
 * Endpoint and public-URL checks, shared by the config schema and the provider presets. No SDK import.
 */
import { BytedropError } from './errors';

/** The lower-case host of a URL, or `undefined` when it is no URL. */
export function hostOf(endpoint: string): string | undefined {
  try {
    return new URL(endpoint).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Says what is wrong with an endpoint or public base URL, or `undefined` when it is an absolute http(s) URL
 * without query or fragment. The message names the field, the value and the fix.
 *
 * @example
 * ```ts
 * urlProblem('endpoint', '127.0.0.1:9000');
 * // "endpoint '127.0.0.1:9000' has no scheme: write 'http://127.0.0.1:9000' or 'https://127.0.0.1:9000'"
 * urlProblem('endpoint', 'https://s3.example.com'); // undefined
 * ```
 */
export function urlProblem(field: string, value: string): string | undefined {
  const trimmed = value.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    return `${field} '${value}' has no scheme: write 'http://${trimmed}' or 'https://${trimmed}'`;
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return `${field} '${value}' is not a valid URL: write it like 'https://s3.example.com'`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `${field} '${value}' uses '${url.protocol}': only http:// and https:// work, e.g. 'https://${url.host}'`;
  }
  if (url.search !== '' || url.hash !== '') {
    return `${field} '${value}' has a query or fragment: remove everything from '?' or '#'`;
  }
  return undefined;
}

/**
 * Checks an endpoint (or public base URL) is an absolute http(s) URL and returns it trimmed, without trailing slashes.
 * Throws `ERR_CONFIG` naming the field, the value and the fix.
 *
 * @example
 * ```ts
 * checkHttpUrl('endpoint', 'http://127.0.0.1:9000/'); // 'http://127.0.0.1:9000'
 * checkHttpUrl('endpoint', '127.0.0.1:9000'); // throws ERR_CONFIG: endpoint '127.0.0.1:9000' has no scheme: …
 * ```
 */
export function checkHttpUrl(field: string, value: string): string {
  const problem = urlProblem(field, value);
  if (problem !== undefined) throw new BytedropError('ERR_CONFIG', problem);
  return value.trim().replace(/\/+$/, '');
}
