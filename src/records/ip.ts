// Client IP normalisation (ual-schema.md §5.3): the audit log writes addresses with ports, brackets,
// the IPv4-mapped prefix, or not as addresses at all. One canonical text form per address, or null.

import { isIP } from 'node:net';

const MAPPED_DOTTED = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;
const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;
const PORT = /^\d{1,5}$/;

/**
 * The address in `raw` in canonical form: no port, no brackets, IPv4-mapped IPv6 unwrapped to IPv4,
 * IPv6 lower-case and compressed. Null when the value is absent, empty or not an IP (a hostname).
 */
export function normalizeIp(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  let host = raw.trim();
  if (host.length === 0 || host.length > 100) return null;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) return null;
    const rest = host.slice(close + 1);
    if (rest !== '' && !(rest.startsWith(':') && PORT.test(rest.slice(1)))) return null;
    host = host.slice(1, close);
  } else {
    const first = host.indexOf(':');
    // Exactly one colon: IPv4 (or a name) with a port. IPv6 always has at least two.
    if (first >= 0 && host.indexOf(':', first + 1) < 0) {
      if (!PORT.test(host.slice(first + 1))) return null;
      host = host.slice(0, first);
    }
  }
  const family = isIP(host);
  if (family === 4) return host;
  if (family !== 6) return null;
  return canonicalV6(host);
}

function canonicalV6(address: string): string {
  const zone = address.indexOf('%');
  const bare = zone >= 0 ? address.slice(0, zone) : address;
  const dotted = MAPPED_DOTTED.exec(bare);
  if (dotted && isIP(dotted[1]!) === 4) return dotted[1]!;
  const canonical = urlCanonicalV6(bare);
  if (canonical === null) return bare.toLowerCase();
  const hex = MAPPED_HEX.exec(canonical);
  if (hex) {
    const hi = Number.parseInt(hex[1]!, 16);
    const lo = Number.parseInt(hex[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return canonical;
}

/** The WHATWG URL parser's canonical (RFC 5952) spelling of an IPv6 address, or null. */
function urlCanonicalV6(address: string): string | null {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

/** The 32 lower-case hex digits of an IPv6 address in any spelling (no zone), or null when it is not one. */
export function ipv6ToHex(text: string): string | null {
  if (isIP(text) !== 6) return null;
  const canonical = urlCanonicalV6(text);
  if (canonical === null) return null;
  // The URL parser writes an embedded IPv4 part in hex, so only hex groups remain.
  const [head = '', tail] = canonical.split('::');
  const a = head === '' ? [] : head.split(':');
  const b = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? a : [...a, ...Array<string>(8 - a.length - b.length).fill('0'), ...b];
  return groups.map((g) => g.padStart(4, '0')).join('');
}
