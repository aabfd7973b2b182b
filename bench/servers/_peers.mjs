/**
 * Which bench pipeline a request belongs to, by its key's first segment: the peers write under prefixes of their
 * own, so a server can count their requests apart from Bytedrop's (`<prefix> <METHOD>`, e.g. `sdk PUT`).
 *   - unchecked/: core without issue 10's checks (clients/unchecked.mjs);
 *   - sdk/: a bare SDK PutObject or HeadObject (clients/bare-sdk.mjs);
 *   - sdk-floor/: a bare SDK HeadObject then PutObject, what a paste against a store that ignores If-None-Match
 *     cannot go below.
 */
export const PEER_PREFIXES = ['unchecked', 'sdk', 'sdk-floor'];

/** `METHOD`, or `<prefix> METHOD` for a key under a peer's prefix. */
export function countedAs(method, key) {
  const slash = key.indexOf('/');
  const first = slash < 0 ? '' : key.slice(0, slash);
  return PEER_PREFIXES.includes(first) ? `${first} ${method}` : method;
}
