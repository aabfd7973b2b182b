/**
 * SHA-256 and HMAC-SHA-256 of short strings (access keys, delete tokens), once or twice per request.
 * node:crypto when the runtime has it (Node, Bun, Deno, workerd with nodejs_compat): it hashes synchronously on
 * the calling thread, where WebCrypto schedules a thread-pool job and a promise per call (an HMAC of a key name:
 * about 13 µs of CPU against 4 µs on Node 20). WebCrypto everywhere else, so the handler still runs on any
 * runtime. Both give the same bytes.
 */
import type * as NodeCrypto from 'node:crypto';

type NodeCryptoModule = Pick<typeof NodeCrypto, 'createHash' | 'createHmac' | 'timingSafeEqual'>;

/** Short-string hashing, synchronous where it can be. */
export interface Hashing {
  sha256(text: string): Promise<Uint8Array>;
  /** A keyed signer: `sign(data)` is HMAC-SHA-256 of `data` under the key given here. */
  hmacSha256(key: Uint8Array): { sign(data: string): Promise<Uint8Array> };
  /** Compares in constant time for equal lengths (the lengths themselves are not secret here). */
  equal(a: Uint8Array, b: Uint8Array): boolean;
  /** Which implementation was picked (the tests check both are reachable). */
  readonly kind: 'node:crypto' | 'webcrypto';
}

const encoder = new TextEncoder();

/** node:crypto through `process.getBuiltinModule` (Node ≥ 20.16): no static import, so bundles for the web stay clean. */
function findNodeCrypto(): NodeCryptoModule | undefined {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  const module = typeof get === 'function' ? (get('node:crypto') as NodeCryptoModule | undefined) : undefined;
  return typeof module?.createHmac === 'function' ? module : undefined;
}

function nodeHashing(crypto: NodeCryptoModule): Hashing {
  return {
    kind: 'node:crypto',
    sha256: async (text) => crypto.createHash('sha256').update(text).digest(),
    hmacSha256: (key) => ({
      sign: async (data) => crypto.createHmac('sha256', key).update(data).digest(),
    }),
    equal: (a, b) => a.length === b.length && crypto.timingSafeEqual(a, b),
  };
}

function webHashing(): Hashing {
  return {
    kind: 'webcrypto',
    sha256: async (text) => new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text))),
    hmacSha256(key) {
      const cryptoKey = crypto.subtle.importKey(
        'raw',
        new Uint8Array(key),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      );
      return {
        sign: async (data) =>
          new Uint8Array(await crypto.subtle.sign('HMAC', await cryptoKey, encoder.encode(data))),
      };
    },
    equal(a, b) {
      if (a.length !== b.length) return false;
      // Every byte is looked at, so the time does not tell how much matched.
      let diff = 0;
      for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
      return diff === 0;
    },
  };
}

/**
 * The hashing this runtime does best; looked up per call (cheap, at startup) so a test can take node:crypto away.
 *
 * @example
 * ```ts
 * const hashing = createHashing();
 * const digest = await hashing.sha256('an-access-key'); // 32 bytes
 * ```
 */
export function createHashing(): Hashing {
  const node = findNodeCrypto();
  return node ? nodeHashing(node) : webHashing();
}
