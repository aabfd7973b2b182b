/**
 * A request that got no answer, in the terms the AWS SDK and core know. Desktop Obsidian's `requestUrl` (Electron's
 * net) rejects with a bare `Error('net::ERR_CONNECTION_REFUSED')`: no `code`, so the SDK did not retry it and core
 * called it an "unexpected storage failure". Given the Node code that means the same, the SDK retries it as it
 * does on Node (riding out a restart) and core reports `ERR_NETWORK` or `ERR_TIMEOUT`.
 */

// Chromium's net error names (net/base/net_error_list.h) and the Node code for the same failure.
const NODE_CODES: readonly [RegExp, string][] = [
  [/CONNECTION_REFUSED/, 'ECONNREFUSED'],
  [/NAME_NOT_RESOLVED|NAME_RESOLUTION_FAILED/, 'ENOTFOUND'],
  [/TIMED_OUT/, 'ETIMEDOUT'],
  [/ADDRESS_UNREACHABLE/, 'EHOSTUNREACH'],
  [/INTERNET_DISCONNECTED|NETWORK_CHANGED|NETWORK_ACCESS_DENIED/, 'ENETUNREACH'],
];

/**
 * The error to give the SDK for a `requestUrl` that rejected without an answer. Any such rejection is a failed
 * connection (with `throw: false`, every HTTP answer resolves); one Chromium does not name otherwise (a reset, a
 * closed connection, a phone's own wording) is a reset.
 */
export function noAnswerError(error: unknown, what: string): Error & { code: string } {
  const message = error instanceof Error ? error.message : String(error);
  const code = NODE_CODES.find(([pattern]) => pattern.test(message))?.[1] ?? 'ECONNRESET';
  return Object.assign(new Error(`${message} (${what})`, { cause: error }), { code });
}
