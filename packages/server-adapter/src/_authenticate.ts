/**
 * The access check of every upload: ban first (a banned client is refused even with the right key), then the key,
 * counting wrong ones. The ban store failing is answered with 503: fail closed, so a banned client cannot guess on.
 */
import { BytedropError } from '@bytedrop/core';
import type { AccessKey, Keyring } from './auth';
import { presentedKey } from './auth';
import type { BanStore } from './bans';
import { banKey } from './client-address';
import type { Logger } from './handler';
import { fail } from './response';

function banError(ms: number): BytedropError {
  const minutes = Math.max(1, Math.ceil(ms / 60000));
  return new BytedropError(
    'ERR_FORBIDDEN',
    `too many wrong access keys from your address: banned for ${minutes} more minute${minutes === 1 ? '' : 's'}`,
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
    const subject = banKey(client);
    let banned: number;
    try {
      banned = await bans.bannedFor(subject);
    } catch (error) {
      logger.error({ err: error, client }, 'ban store unreachable: refusing requests that need a key');
      throw banStoreDown();
    }
    if (banned > 0) throw banError(banned);

    const presented = presentedKey(request.headers);
    if (presented === undefined) {
      // Not counted: a missing key is a client that was not set up yet, not a guess.
      throw fail('ERR_AUTH', 'access key missing: send it as `Authorization: Bearer <key>` (or X-API-Key)');
    }
    const match = await keyring.verify(presented);
    if (match) return match;

    let banMs: number;
    try {
      banMs = await bans.recordFailure(subject);
    } catch (error) {
      logger.error({ err: error, client }, 'ban store unreachable: wrong key not counted, request refused');
      throw banStoreDown();
    }
    logger.warn({ client, banned: banMs > 0 }, 'wrong access key');
    if (banMs > 0) throw banError(banMs);
    throw fail('ERR_AUTH', 'wrong access key: check the key you were given');
  };
}
