/**
 * The Node bin's start-time check of webhook receivers named by host: each name is resolved, and one that resolves
 * to a private address is refused like a private IP written in the URL (`WEBHOOK_ALLOW_PRIVATE` allows both).
 */
import { lookup } from 'node:dns/promises';
import { BytedropError } from '@bytedrop/core';
import ipaddr from 'ipaddr.js';
import { privateHostProblem } from './_private-hosts';

/**
 * Resolves each receiver's host; throws `ERR_CONFIG` naming the URL when one resolves to a private address. A name
 * that does not resolve yet is let through (deliveries retry), since a receiver may start after the server.
 */
export async function checkWebhookHosts(urls: readonly string[], allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  for (const raw of urls) {
    const host = new URL(raw).hostname;
    if (ipaddr.isValid(host.replace(/^\[|\]$/g, ''))) continue;
    const addresses = await lookup(host, { all: true }).catch(() => []);
    for (const { address } of addresses) {
      const problem = privateHostProblem(address);
      if (problem) {
        throw new BytedropError(
          'ERR_CONFIG',
          `webhook URL '${raw}' resolves to ${problem}: use a public receiver, or set WEBHOOK_ALLOW_PRIVATE=true if it is yours`,
        );
      }
    }
  }
}
