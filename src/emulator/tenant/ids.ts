// A fast version-4-shaped GUID from a seeded generator (the emulator makes millions; core's Rng.guid
// formats digit by digit and dominated the profile). Same generator state in → same GUID out.

import type { Rng } from '../../core/index.js';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function word(rng: Rng): number {
  return (rng.next() * 4294967296) >>> 0;
}

export function fastGuid(rng: Rng): string {
  const a = word(rng);
  const b = word(rng);
  const c = word(rng);
  const d = word(rng);
  const h = (x: number, shift: number) => HEX[(x >>> shift) & 0xff]!;
  return (
    h(a, 24) + h(a, 16) + h(a, 8) + h(a, 0) + '-' +
    h(b, 24) + h(b, 16) + '-4' + HEX[(b >>> 8) & 0x0f]!.charAt(1) + h(b, 0) + '-' +
    HEX[0x80 | ((c >>> 24) & 0x3f)]! + h(c, 16) + '-' + h(c, 8) + h(c, 0) +
    h(d, 24) + h(d, 16) + h(d, 8) + h(d, 0)
  );
}
