/**
 * Whether a host is one a server-side request must not reach unless the operator allows it: loopback, private,
 * link-local and other non-public ranges (ipaddr.js names the range), and `localhost` names.
 */
import ipaddr from 'ipaddr.js';

/** What the host is when it is not public (`the loopback address 127.0.0.1`), or undefined for a public one. */
export function privateHostProblem(hostname: string): string | undefined {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return `'${host}', this machine`;
  if (!ipaddr.isValid(host)) return undefined;
  let address = ipaddr.parse(host);
  // ::ffff:127.0.0.1 is 127.0.0.1.
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address();
  }
  const range = address.range();
  return range === 'unicast' ? undefined : `the ${range} address ${host}`;
}
