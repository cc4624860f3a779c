// A minimal MaxMind DB (.mmdb) writer for tests: IPv4 or IPv6 trees, 24-bit records, data made of maps,
// strings, unsigned integers, doubles and arrays. Enough to build GeoIP2-City- and GeoLite2-ASN-shaped
// files so the enricher is tested against real files in the real format (spec: MaxMind DB File Format 2.0).

import { isIP } from 'node:net';

type Value = string | number | boolean | Value[] | { [key: string]: Value } | { double: number };

function control(type: number, size: number): Buffer {
  const head: number[] = [];
  let sizeBytes: number[] = [];
  let sizeBits = size;
  if (size >= 65821) {
    sizeBits = 31;
    const s = size - 65821;
    sizeBytes = [(s >> 16) & 255, (s >> 8) & 255, s & 255];
  } else if (size >= 285) {
    sizeBits = 30;
    const s = size - 285;
    sizeBytes = [(s >> 8) & 255, s & 255];
  } else if (size >= 29) {
    sizeBits = 29;
    sizeBytes = [size - 29];
  }
  if (type <= 7) head.push((type << 5) | sizeBits);
  else head.push(sizeBits, type - 7);
  return Buffer.from([...head, ...sizeBytes]);
}

function uintBytes(value: number | bigint): Buffer {
  const bytes: number[] = [];
  let v = BigInt(value);
  while (v > 0n) {
    bytes.unshift(Number(v & 255n));
    v >>= 8n;
  }
  return Buffer.from(bytes);
}

export function encode(value: Value): Buffer {
  if (typeof value === 'string') {
    const b = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, b.length), b]);
  }
  if (typeof value === 'boolean') return control(14, value ? 1 : 0);
  if (typeof value === 'number') {
    const b = uintBytes(value);
    return Buffer.concat([control(value > 0xffffffff ? 9 : 6, b.length), b]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  if ('double' in value && typeof value.double === 'number' && Object.keys(value).length === 1) {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(value.double);
    return Buffer.concat([control(3, 8), b]);
  }
  const entries = Object.entries(value as Record<string, Value>);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
}

interface TrieNode {
  children: [TrieNode | number | null, TrieNode | number | null];
}

function addressBits(ip: string, ipVersion: 4 | 6): number[] {
  const family = isIP(ip);
  let bytes: number[];
  if (family === 4) bytes = ip.split('.').map(Number);
  else {
    const [head = '', tail = ''] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    bytes = groups.flatMap((g: string) => {
      const n = Number.parseInt(g, 16);
      return [n >> 8, n & 255];
    });
  }
  if (ipVersion === 6 && family === 4) bytes = [...Array(12).fill(0), ...bytes];
  return bytes.flatMap((b) => [7, 6, 5, 4, 3, 2, 1, 0].map((i) => (b >> i) & 1));
}

/** Builds an .mmdb: `networks` are CIDR → data record. */
export function buildMmdb(options: { ipVersion: 4 | 6; databaseType: string; networks: Array<[string, Value]> }): Buffer {
  const dataParts: Buffer[] = [];
  let dataSize = 0;
  const root: TrieNode = { children: [null, null] };
  for (const [cidr, value] of options.networks) {
    const [ip, prefixText] = cidr.split('/');
    let prefix = Number(prefixText);
    if (options.ipVersion === 6 && isIP(ip!) === 4) prefix += 96;
    const bits = addressBits(ip!, options.ipVersion).slice(0, prefix);
    const encoded = encode(value);
    const offset = dataSize;
    dataParts.push(encoded);
    dataSize += encoded.length;
    let node = root;
    for (let i = 0; i < bits.length - 1; i++) {
      const bit = bits[i]!;
      let next = node.children[bit];
      if (typeof next !== 'object' || next === null) {
        next = { children: [null, null] };
        node.children[bit] = next;
      }
      node = next;
    }
    node.children[bits[bits.length - 1]!] = offset;
  }
  const nodes: TrieNode[] = [];
  const index = new Map<TrieNode, number>();
  const queue: TrieNode[] = [root];
  while (queue.length > 0) {
    const n = queue.shift()!;
    index.set(n, nodes.length);
    nodes.push(n);
    for (const c of n.children) if (typeof c === 'object' && c !== null) queue.push(c);
  }
  const nodeCount = nodes.length;
  const tree = Buffer.alloc(nodeCount * 6);
  nodes.forEach((n, i) => {
    n.children.forEach((c, side) => {
      const value = c === null ? nodeCount : typeof c === 'number' ? nodeCount + 16 + c : index.get(c)!;
      tree.writeUIntBE(value, i * 6 + side * 3, 3);
    });
  });
  const metadata = encode({
    node_count: nodeCount,
    record_size: 24,
    ip_version: options.ipVersion,
    database_type: options.databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_700_000_000,
    description: { en: 'auditwatch test database' },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...dataParts, Buffer.from('\xAB\xCD\xEFMaxMind.com', 'latin1'), metadata]);
}
