/**
 * The Node bin's checks of webhook receivers named by host, at start and at every delivery. A name is resolved, and
 * one that resolves to a private address is refused like a private IP written in the URL (`WEBHOOK_ALLOW_PRIVATE`
 * allows both). The start check says so at once; the delivery check is the one that holds, since a name can resolve
 * to a public address at start and to 127.0.0.1 a minute later (DNS rebinding).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { BytedropError } from '@bytedrop/core';
import ipaddr from 'ipaddr.js';
import { privateHostProblem } from './_private-hosts';

/** The first private address among `addresses`, said as `privateHostProblem` says it. */
const privateAmong = (addresses: readonly LookupAddress[]) =>
  addresses.map(({ address }) => privateHostProblem(address)).find((problem) => problem !== undefined);

/**
 * Resolves each receiver's host; throws `ERR_CONFIG` naming the URL when one resolves to a private address. A name
 * that does not resolve yet is let through (deliveries retry, and check again), since a receiver may start after the
 * server.
 */
export async function checkWebhookHosts(urls: readonly string[], allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  for (const raw of urls) {
    const host = new URL(raw).hostname;
    if (ipaddr.isValid(host.replace(/^\[|\]$/g, ''))) continue;
    const problem = privateAmong(await lookup(host, { all: true }).catch(() => []));
    if (problem) {
      throw new BytedropError(
        'ERR_CONFIG',
        `webhook URL '${raw}' resolves to ${problem}: use a public receiver, or set WEBHOOK_ALLOW_PRIVATE=true if it is yours`,
      );
    }
  }
}

/** How a name is resolved (node:dns's `lookup` with `all: true`); tests give names their own answers. */
export type Resolve = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** The callback net passes when it asks for every address. */
type LookupAll = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

/**
 * A socket `lookup` that resolves with `resolve` and fails the connection when any answer is private.
 *
 * @example
 * ```ts
 * new Agent({ connect: { lookup: guardedLookup(dns.lookup as Resolve) } });
 * ```
 */
export function guardedLookup(resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const problem = privateAmong(addresses);
      if (problem) {
        const refused = new BytedropError(
          'ERR_FORBIDDEN',
          `webhook receiver '${hostname}' now resolves to ${problem}: not sent; set WEBHOOK_ALLOW_PRIVATE=true if it is yours`,
        );
        return callback(Object.assign(refused, { errno: 0, syscall: 'lookup' }), '', 4);
      }
      // Net asks for every address when it races IPv4 and IPv6 (autoSelectFamily), else for one.
      if (options.all) return (callback as unknown as LookupAll)(null, addresses);
      const first = addresses[0];
      if (!first)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 4);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * A `fetch` for webhook deliveries that connects only to public addresses, checked on the address each connection
 * is made to (undici's `connect.lookup`). Loaded only when webhooks are on.
 *
 * @example
 * ```ts
 * const webhooks = createWebhooks({ urls, secret, fetch: await publicOnlyFetch() });
 * ```
 */
export async function publicOnlyFetch(resolve: Resolve = dnsLookup as Resolve): Promise<typeof fetch> {
  const { Agent, fetch: undiciFetch } = await import('undici');
  const dispatcher = new Agent({ connect: { lookup: guardedLookup(resolve) } });
  return ((input: RequestInfo | URL, init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    })) as unknown as typeof fetch;
}
