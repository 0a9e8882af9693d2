import { isIPv4, isIPv6 } from 'node:net';

/**
 * What an address-based limit counts: an IPv4 address as is (an IPv4-mapped IPv6 address
 * `::ffff:192.0.2.1` is that IPv4 address), an IPv6 address by its /64 network. One IPv6 host
 * usually controls a whole /64 (RFC 4291 §2.5.4 interface identifiers, RFC 8981 temporary
 * addresses), so counting single addresses would hand an attacker 2^64 fresh counters.
 * Anything else (no address known) is counted as given.
 *
 * @example ipSubject('2001:db8:1:2:a::1') // '2001:db8:1:2::/64'
 */
export function ipSubject(ip: string): string {
  const address = ip.trim().replace(/%.*$/, '').toLowerCase(); // drop an IPv6 zone (fe80::1%eth0)
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return ip;
  const groups = ipv6Groups(address);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (node:net validated it). */
function ipv6Groups(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').flatMap(group));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const zeros = Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

/** One group, or the two groups of an embedded IPv4 address (`::ffff:192.0.2.1`). */
function group(text: string): number[] {
  if (!text.includes('.')) return [Number.parseInt(text, 16)];
  const [a = 0, b = 0, c = 0, d = 0] = text.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d];
}
