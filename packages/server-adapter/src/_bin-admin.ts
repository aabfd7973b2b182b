/**
 * The `bytedrop-server` commands besides serving: `keys show` prints the access keys, `unban <address>` lifts a
 * ban. With REDIS_URL the ban goes straight out of Redis (every instance shares it, running or not); in-memory bans
 * live in the server process, so `unban` asks the running server (`DELETE /bans/:address`) with the admin token
 * derived from the delete-link secret, which only the server's own data directory or environment holds.
 */
import { isIP } from 'node:net';
import { BytedropError } from '@bytedrop/core';
import { deleteSecret, keysFileOf, readKeys, type Setup } from './_bin-setup';
import { adminToken } from './_operator';
import { banKey } from './client-address';
import { createRedisBans } from './redis-bans';

/** `bytedrop-server keys show`: `name<TAB>key` lines on stdout, where they come from on stderr. */
export async function showKeys(setup: Setup): Promise<void> {
  const found = await readKeys(setup);
  if (!found) {
    throw new BytedropError(
      'ERR_CONFIG',
      `no access key yet (none at ${keysFileOf(setup)}): start bytedrop-server once to generate one, or set AUTH_KEY`,
    );
  }
  process.stderr.write(`Access keys from ${found.source}:\n`);
  for (const entry of found.keys) process.stdout.write(`${entry.name}\t${entry.key}\n`);
}

/** Where the running server listens, as seen from this machine. */
function localUrl(setup: Setup): string {
  const host = setup.settings.host;
  const reachable = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${setup.settings.port}`;
}

/** `bytedrop-server unban <address> [--url http://127.0.0.1:8000]`. */
export async function unban(setup: Setup, address: string | undefined, url?: string): Promise<void> {
  if (!address || isIP(address) === 0) {
    throw new BytedropError(
      'ERR_INPUT',
      `'${address ?? ''}' is not an IP address: run \`bytedrop-server unban 203.0.113.7\` with the address the ban answer or the log named`,
    );
  }
  const key = banKey(address);
  if (setup.settings.redisUrl) {
    const bans = createRedisBans({
      url: setup.settings.redisUrl,
      commandTimeoutMs: setup.settings.redisTimeoutMs,
    });
    try {
      await bans.ready().catch((error: Error) => {
        throw new BytedropError('ERR_NETWORK', `${error.message}: check REDIS_URL, or start Redis`, {
          cause: error,
        });
      });
      const lifted = await bans.lift(key);
      process.stdout.write(
        lifted ? `${key} may send keys again (Redis)\n` : `${key} had no wrong keys on record (Redis)\n`,
      );
    } finally {
      await bans.close();
    }
    return;
  }
  const secret = await deleteSecret(setup, false);
  if (!secret) {
    throw new BytedropError(
      'ERR_CONFIG',
      `no delete-link secret in ${setup.dataDir}: run unban with the server's BYTEDROP_DATA_DIR (or its BYTEDROP_SECRET)`,
    );
  }
  const base = (url ?? localUrl(setup)).replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(`${base}/bans/${encodeURIComponent(address)}`, {
      method: 'DELETE',
      headers: { 'x-bytedrop-admin': await adminToken(secret) },
    });
  } catch (error) {
    throw new BytedropError(
      'ERR_NETWORK',
      `no server answers at ${base} (${(error as Error).cause ?? (error as Error).message}): in-memory bans live in the running server, so start it, pass --url, or set PORT/HOST as the server has them`,
      { cause: error },
    );
  }
  const body = (await response.json().catch(() => ({}))) as { msg?: string; code?: string };
  if (!response.ok) {
    throw new BytedropError(
      response.status === 403 ? 'ERR_FORBIDDEN' : 'ERR_NETWORK',
      `the server at ${base} refused (${response.status}): ${body.msg ?? 'no reason given'}`,
    );
  }
  process.stdout.write(`${body.msg}\n`);
}
