/**
 * The access check of every keyed request: take a guess from the client's allowance, then check the key, then give
 * the guess back (right key) or spend it (wrong key). Taking it first is what makes bans hold against a burst: a
 * key is never checked without a guess, so parallel guesses get no more tries than sequential ones. A banned client
 * is refused even with the right key. The ban store failing is answered with 503: fail closed.
 */
import { BytedropError } from '@bytedrop/core';
import type { AccessKey, Keyring } from './auth';
import { presentedKey } from './auth';
import type { BanStore, Reservation } from './bans';
import { banKey, isLoopbackAddress } from './client-address';
import { type JwtVerifier, looksLikeJwt } from './jwt';
import type { ServerMetrics } from './metrics';
import { fail } from './response';
import type { Logger } from './types';

/** `60 minutes`, `1 minute`: a ban rounded up to whole minutes. */
function minutes(ms: number, more = ''): string {
  const count = Math.max(1, Math.ceil(ms / 60000));
  return `${count} ${more}minute${count === 1 ? '' : 's'}`;
}

/** When a ban of `ms` from now ends, to the second (UTC, ISO 8601). */
function until(ms: number): string {
  return new Date(Date.now() + ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** An error whose answer carries `Retry-After` (whole seconds, rounded up): `errorResponse` adds the header. */
function retryingAfter(error: BytedropError, ms: number): BytedropError {
  return Object.assign(error, { retryAfterS: Math.max(1, Math.ceil(ms / 1000)) });
}

const UNBAN_HINT = 'its owner can lift it with `bytedrop-server unban <address>`';

function banError(ms: number, client: string): BytedropError {
  return retryingAfter(
    new BytedropError(
      'ERR_FORBIDDEN',
      `too many wrong access keys from your address (${client}): banned until ${until(ms)} (${minutes(ms, 'more ')}); ${UNBAN_HINT}`,
    ),
    ms,
  );
}

function banStoreDown(): BytedropError {
  return new BytedropError(
    'ERR_NETWORK',
    'the server cannot check bans right now (ban store unreachable): try again later',
  );
}

/** What the authenticator needs besides the keys and the ban store. */
export interface AuthenticatorContext {
  keyring: Keyring;
  bans: BanStore;
  logger: Logger;
  metrics: ServerMetrics;
  /** Whether `client` is exempt from bans (a loopback client without `BAN_LOOPBACK`). */
  exempt: (request: Request, client: string) => boolean;
  onKeyUsed?: ((key: AccessKey) => void) | undefined;
  /** Checks bearers shaped like a JWT (`createJwtVerifier`); without it they are compared as access keys. */
  jwt?: JwtVerifier | undefined;
}

/** Returns `(request, clientAddress, log?) => AccessKey`, throwing 401 (`ERR_AUTH`), 403 (`ERR_FORBIDDEN`) or 503. */
export function createAuthenticator(context: AuthenticatorContext) {
  const { keyring, bans, metrics, exempt, onKeyUsed } = context;
  const proven = (match: AccessKey) => {
    onKeyUsed?.(match);
    return match;
  };
  /** The access key `presented` proves, or why it proves none (a JWT says what is wrong with it). */
  const check = async (presented: string): Promise<{ key?: AccessKey; problem?: string }> => {
    if (context.jwt && looksLikeJwt(presented)) return context.jwt(presented);
    if (keyring.lookup) return keyring.lookup(presented);
    const key = await keyring.verify(presented);
    return key ? { key } : {};
  };
  const wrong = (problem: string | undefined) => problem ?? 'wrong access key: check the key you were given';
  return async (request: Request, client: string, logger: Logger = context.logger): Promise<AccessKey> => {
    const presented = presentedKey(request.headers);
    if (presented === undefined) {
      // Not counted: a missing key is a client that was not set up yet, not a guess.
      throw fail('ERR_AUTH', 'access key missing: send it as `Authorization: Bearer <key>` (or X-API-Key)');
    }
    if (exempt(request, client)) {
      const { key, problem } = await check(presented);
      if (key) return proven(key);
      logger.warn(
        { client, banned: false, problem },
        'wrong access key (loopback: not counted, BAN_LOOPBACK is off)',
      );
      throw fail('ERR_AUTH', wrong(problem));
    }
    let reservation: Reservation;
    try {
      reservation = await bans.reserve(banKey(client), request.signal);
    } catch (error) {
      if (request.signal.aborted) throw fail('ERR_ABORTED', 'the client disconnected; nothing was stored');
      logger.error({ err: error, client }, 'ban store unreachable: refusing requests that need a key');
      throw banStoreDown();
    }
    const { guess } = reservation;
    if (!guess) {
      metrics.refusedBanned();
      throw banError(reservation.bannedMs, client);
    }

    let match: AccessKey | undefined;
    let problem: string | undefined;
    try {
      ({ key: match, problem } = await check(presented));
    } catch (error) {
      // Nothing was learnt about the key, so the guess goes back rather than stay taken for good.
      await guess.refund().catch(() => undefined);
      throw error;
    }
    if (match) {
      try {
        await guess.refund();
      } catch (error) {
        // The key is proven; the guess comes back by itself when its lease runs out.
        logger.warn({ err: error, client }, 'ban store unreachable: a right key is let through');
      }
      return proven(match);
    }
    let banMs: number;
    try {
      banMs = await guess.spend();
    } catch (error) {
      logger.error({ err: error, client }, 'ban store unreachable: wrong key not counted, request refused');
      throw banStoreDown();
    }
    logger.warn({ client, banned: banMs > 0, problem }, 'wrong access key');
    if (banMs > 0) {
      metrics.banned();
      throw retryingAfter(
        fail(
          'ERR_AUTH',
          `${problem ?? 'wrong access key'}, and that was the last try: your address (${client}) is banned until ${until(banMs)} (${minutes(banMs)}); check the key you were given; ${UNBAN_HINT}`,
        ),
        banMs,
      );
    }
    throw fail('ERR_AUTH', wrong(problem));
  };
}

/**
 * Whether a request's client is exempt from bans: its address is loopback and `BAN_LOOPBACK` is off. Without
 * `trustProxy`, a loopback request that carries `X-Forwarded-For` came through a proxy whose clients are anybody,
 * so it is counted (under the proxy's address) rather than let through unbanned; with `trustProxy` the address is
 * already the forwarded client's.
 */
export function loopbackExempt(banLoopback: boolean | undefined, trustsProxy: boolean) {
  return (request: Request, client: string): boolean =>
    !banLoopback && isLoopbackAddress(client) && (trustsProxy || !request.headers.has('x-forwarded-for'));
}
