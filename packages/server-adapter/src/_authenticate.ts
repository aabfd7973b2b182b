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
import { banKey } from './client-address';
import type { Logger } from './handler';
import { fail } from './response';

/** `60 minutes`, `1 minute`: a ban rounded up to whole minutes. */
function minutes(ms: number, more = ''): string {
  const count = Math.max(1, Math.ceil(ms / 60000));
  return `${count} ${more}minute${count === 1 ? '' : 's'}`;
}

function banError(ms: number): BytedropError {
  return new BytedropError(
    'ERR_FORBIDDEN',
    `too many wrong access keys from your address: banned for ${minutes(ms, 'more ')}`,
  );
}

function banStoreDown(): BytedropError {
  return new BytedropError(
    'ERR_NETWORK',
    'the server cannot check bans right now (ban store unreachable): try again later',
  );
}

/** Returns `(request, clientAddress) => AccessKey`, throwing 401 (`ERR_AUTH`), 403 (`ERR_FORBIDDEN`) or 503. */
export function createAuthenticator(context: { keyring: Keyring; bans: BanStore; logger: Logger }) {
  const { keyring, bans, logger } = context;
  return async (request: Request, client: string): Promise<AccessKey> => {
    const presented = presentedKey(request.headers);
    if (presented === undefined) {
      // Not counted: a missing key is a client that was not set up yet, not a guess.
      throw fail('ERR_AUTH', 'access key missing: send it as `Authorization: Bearer <key>` (or X-API-Key)');
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
    if (!guess) throw banError(reservation.bannedMs);

    let match: AccessKey | undefined;
    try {
      match = await keyring.verify(presented);
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
      return match;
    }
    let banMs: number;
    try {
      banMs = await guess.spend();
    } catch (error) {
      logger.error({ err: error, client }, 'ban store unreachable: wrong key not counted, request refused');
      throw banStoreDown();
    }
    logger.warn({ client, banned: banMs > 0 }, 'wrong access key');
    if (banMs > 0) {
      throw fail(
        'ERR_AUTH',
        `wrong access key, and that was the last try: your address is banned for ${minutes(banMs)}; check the key you were given`,
      );
    }
    throw fail('ERR_AUTH', 'wrong access key: check the key you were given');
  };
}
