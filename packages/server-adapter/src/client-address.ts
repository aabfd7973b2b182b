/**
 * Which client sent a request, for bans. The socket address is the truth; `X-Forwarded-For` is read only through
 * proxies the operator named, right to left, because any client can write that header.
 */

/** Which hops in front of the server may be believed: a hop count, or proxy addresses (`loopback`, IPs, IPv4 CIDRs). */
export type TrustProxy = { hops: number } | { addresses: readonly string[] };

/**
 * Parses `TRUST_PROXY`: empty/`false`/`0` → not trusted; a number → that many hops; `true` → one hop;
 * otherwise a comma-separated list of proxy addresses.
 *
 * @example
 * ```ts
 * parseTrustProxy('1'); // { hops: 1 }
 * parseTrustProxy('loopback, 10.0.0.0/8'); // { addresses: ['loopback', '10.0.0.0/8'] }
 * ```
 */
export function parseTrustProxy(value: string | undefined): TrustProxy | undefined {
  const text = value?.trim().toLowerCase() ?? '';
  if (text === '' || text === 'false' || text === '0') return undefined;
  if (text === 'true') return { hops: 1 };
  if (/^\d+$/.test(text)) return { hops: Number(text) };
  return {
    addresses: text
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  };
}

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

function stripMapped(ip: string): string {
  const lower = ip.toLowerCase().replace(/%.*$/, '');
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}

/**
 * An `X-Forwarded-For` entry without the port some proxies append (`203.0.113.7:51234`, `[2001:db8::7]:443`):
 * with it, every connection of one client would be a ban bucket of its own.
 */
function withoutPort(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  if (bracketed) return bracketed[1]!;
  const ipv4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
  return ipv4 ? ipv4[1]! : entry;
}

/**
 * Whether `ip` is a loopback address (127.0.0.0/8, ::1, or either IPv4-mapped).
 *
 * @example
 * ```ts
 * isLoopbackAddress('::ffff:127.0.0.1'); // true
 * isLoopbackAddress('203.0.113.7'); // false
 * ```
 */
export function isLoopbackAddress(ip: string): boolean {
  const address = stripMapped(ip);
  return address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address);
}

function matches(ip: string, rule: string): boolean {
  const address = stripMapped(ip);
  if (rule === 'loopback') return isLoopbackAddress(address);
  const [base, bits] = rule.split('/');
  if (bits === undefined) return address === stripMapped(base!);
  const ipNumber = ipv4ToNumber(address);
  const baseNumber = ipv4ToNumber(base!);
  const length = Number(bits);
  if (ipNumber === undefined || baseNumber === undefined || !(length >= 0 && length <= 32)) return false;
  const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  return (ipNumber & mask) >>> 0 === (baseNumber & mask) >>> 0;
}

/**
 * The client's address: `socketAddress` unless `trust` names the hops in front, in which case `X-Forwarded-For`
 * is walked right to left past the trusted ones. `'unknown'` when the runtime gave no address.
 *
 * @example
 * ```ts
 * clientAddress('10.0.0.2', '203.0.113.7, 10.0.0.1', undefined); // '10.0.0.2' (header ignored)
 * clientAddress('10.0.0.2', '203.0.113.7', { hops: 1 }); // '203.0.113.7'
 * ```
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | null | undefined,
  trust: TrustProxy | undefined,
): string {
  if (!socketAddress) return 'unknown';
  if (!trust) return stripMapped(socketAddress);
  const chain = [
    ...(forwardedFor ?? '')
      .split(',')
      .map((part) => withoutPort(part.trim()))
      .filter(Boolean),
    socketAddress,
  ];
  if ('hops' in trust) return stripMapped(chain[Math.max(0, chain.length - 1 - trust.hops)]!);
  for (let index = chain.length - 1; index > 0; index--) {
    const hop = chain[index]!;
    if (!trust.addresses.some((rule) => matches(hop, rule))) return stripMapped(hop);
  }
  return stripMapped(chain[0]!);
}

function expandIpv6(ip: string): string[] | undefined {
  const [head, tail, extra] = ip.split('::');
  if (extra !== undefined) return undefined;
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? left.length !== 8 : missing < 0) return undefined;
  return [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
}

/**
 * The key bans are counted under: the IPv4 address, or the /64 network of an IPv6 address (one host usually owns
 * a whole /64, so banning single IPv6 addresses would be useless).
 *
 * @example
 * ```ts
 * banKey('2001:db8:1:2:aaaa::1'); // '2001:db8:1:2::/64'
 * banKey('::ffff:192.0.2.1'); // '192.0.2.1'
 * ```
 */
export function banKey(address: string): string {
  const ip = stripMapped(address);
  if (!ip.includes(':')) return ip;
  const groups = expandIpv6(ip);
  if (!groups) return ip;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
