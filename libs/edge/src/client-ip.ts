import { isIP } from 'node:net';

/**
 * The client's IP address as the gateway should believe it.
 *
 * With `trustedProxies` = 0 it is the peer address of the connection; X-Forwarded-For is ignored,
 * whatever it says. With N > 0, N proxies that each append the address they received from stand
 * in front of the gateway: the peer is the last of them, and the client is the Nth entry from the
 * right of X-Forwarded-For (all X-Forwarded-For headers read as one comma-separated list). Entries
 * left of it were written by the client and cannot change the answer, so a spoofed header does
 * not move a client to another rate-limit key.
 *
 * Edge cases: no X-Forwarded-For at all -> the peer (the request did not pass the proxies, e.g.
 * a health check from inside); fewer entries than N -> the left-most entry (the request passed
 * fewer proxies than configured: configure N exactly); a chosen entry that is not an IP address
 * (`unknown`, a host name) -> the peer, so garbage never becomes a fresh key of its own. An
 * `ip:port` or `[v6]:port` entry counts as its IP. IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is
 * reported as IPv4.
 */
export function clientIp(
  peerAddress: string | undefined,
  forwardedFor: string | readonly string[] | undefined,
  trustedProxies: number,
): string {
  const peer = normalizeIp(peerAddress ?? '') ?? 'unknown';
  if (trustedProxies <= 0 || forwardedFor === undefined) return peer;
  const entries = (typeof forwardedFor === 'string' ? [forwardedFor] : forwardedFor)
    .flatMap((header) => header.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return peer;
  const chosen = entries[Math.max(0, entries.length - trustedProxies)] ?? '';
  return normalizeIp(stripPort(chosen)) ?? peer;
}

/**
 * The rate-limit key part for an IP: IPv4 as is, IPv6 by its /64 prefix (`2001:db8:1:2::/64`).
 * One IPv6 host usually holds a whole /64 and could otherwise rotate addresses to get a fresh
 * allowance with every request.
 */
export function ipRateLimitKey(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const groups = expandIpv6(ip);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : ip;
}

function normalizeIp(value: string): string | undefined {
  const ip = value.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped?.[1]) return mapped[1];
  return isIP(ip) ? ip : undefined;
}

function stripPort(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  if (bracketed?.[1]) return bracketed[1];
  const v4WithPort = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(entry);
  return v4WithPort?.[1] ?? entry;
}

/** The eight 16-bit groups of an IPv6 address, without leading zeros; undefined if malformed. */
function expandIpv6(ip: string): string[] | undefined {
  let text = ip.split('%')[0] ?? '';
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  return groups.map((group) => Number.parseInt(group, 16).toString(16));
}
