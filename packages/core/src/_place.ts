/**
 * Finding the key an upload may write: the first of the template's candidates that is free or already holds these
 * very bytes. A key that holds other bytes is never written: the upload moves on to the next candidate. This is
 * what makes a link, once given, always show the bytes that were pasted.
 */
import { throwIfAborted } from './_abort';
import { BytedropError, isBytedropError } from './errors';
import type { PutResult, StoredObject } from './types';

/** Candidates tried before giving up; each is another hash length or suffix, so 32 means something is badly off. */
export const MAX_KEY_ATTEMPTS = 32;

/** What the bytes are: an object is the same file only when its recorded full hash and its size both match. */
export interface Identity {
  /** `<algorithm>:<hex>`, as recorded in `ObjectMeta.hash`. */
  hash: string;
  size: number;
}

/** Where the upload landed. */
export type Placement =
  | { key: string; deduplicated: true; found: StoredObject }
  | { key: string; deduplicated: false; etag: string | undefined; exclusive: boolean };

/** True when `found` holds exactly the bytes `identity` names. Size alone never decides. */
export function holdsSameBytes(found: StoredObject, identity: Identity): boolean {
  return found.meta?.hash === identity.hash && found.size === identity.size;
}

/**
 * Tries the candidates in order and writes to the first free one (`write` must be create-only: it fails with
 * `ERR_CONFLICT` when the key was taken meanwhile, where the store can tell). A candidate holding the same bytes is
 * reused instead of written. `head` answers `undefined` for a free key.
 *
 * `writeFirst` skips the HEAD before each write: the write itself asks whether the key is free, and only its
 * `ERR_CONFLICT` leads to the HEAD that compares identities. Only for stores certain to refuse a create-only write
 * to a taken key (`ObjectStore.refusesExisting`): where a write might replace an object, the HEAD before it is the
 * guard.
 */
export async function place(options: {
  candidates: (attempt: number) => string;
  identity: Identity;
  head: (key: string) => Promise<StoredObject | undefined>;
  write: (key: string) => Promise<PutResult>;
  writeFirst: boolean;
  signal: AbortSignal | undefined;
  what: string;
}): Promise<Placement> {
  const { candidates, identity, head, write, writeFirst, signal, what } = options;
  const taken: string[] = [];
  for (let attempt = 0; attempt < MAX_KEY_ATTEMPTS; attempt++) {
    const key = candidates(attempt);
    // A template whose candidates stop changing (every hash already whole, no room for a suffix) has no more keys.
    if (taken.includes(key)) break;
    let found = writeFirst ? undefined : await head(key);
    throwIfAborted(signal, what);
    if (found === undefined) {
      try {
        const { etag, exclusive } = await write(key);
        return { key, deduplicated: false, etag, exclusive: exclusive === true };
      } catch (error) {
        if (!isBytedropError(error, 'ERR_CONFLICT')) throw error;
        // The key is taken (written first), or another writer created it between our HEAD and our write: same bytes
        // (a re-paste, a concurrent paste) or not.
        found = await head(key);
        throwIfAborted(signal, what);
        if (found === undefined) throw error;
      }
    }
    if (holdsSameBytes(found, identity)) return { key, deduplicated: true, found };
    taken.push(key);
  }
  throw new BytedropError(
    'ERR_CONFLICT',
    `${what} found no free key: ${taken.slice(0, 3).join(', ')}${taken.length > 3 ? ', …' : ''} all hold other files; add {hash} or {uuid} to the key template`,
  );
}
