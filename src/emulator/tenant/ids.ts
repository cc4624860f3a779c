// Fast seeded randomness and identifiers for the simulated tenants, which make millions of them: a
// mulberry32 generator whose state can be set directly (same algorithm and draws as core's Rng, without
// hashing seed strings per event), a version-4-shaped GUID, and the Id of a baseline event — unique by
// construction within a tenant (its first and last groups are bijections of the hour and of the event's
// index in the hour), so a 10-million-record history never repeats an Id.

import { hashSeed } from '../../core/index.js';

/** What record builders draw from: core's Rng and FastRng both fit. */
export interface Random {
  next(): number;
  int(minInclusive: number, maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32, as core's Rng, with a state that can be set (reused per event, no allocation). */
export class FastRng implements Random {
  state: number;
  constructor(state = 0x9e3779b9) {
    this.state = state >>> 0;
  }
  reset(state: number): this {
    this.state = state >>> 0;
    return this;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** A uniform 32-bit word (the same value as `(next() * 2**32) >>> 0`). */
  word(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  int(minInclusive: number, maxExclusive: number): number {
    return minInclusive + Math.floor(this.next() * (maxExclusive - minInclusive));
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Char codes of the two hex digits of a byte (lower case). */
const HI = Uint8Array.from(HEX, (h) => h.charCodeAt(0));
const LO = Uint8Array.from(HEX, (h) => h.charCodeAt(1));
const chars = String.fromCharCode;

function word(rng: Random): number {
  return (rng.next() * 4294967296) >>> 0;
}

/**
 * Formats four 32-bit words as a version-4 GUID (bits 12–15 of b and the top two of c are replaced). Made
 * in one String.fromCharCode call, so the string is flat: concatenating 20 pieces would leave a rope
 * that every later join has to walk.
 */
export function guidOf(a: number, b: number, c: number, d: number): string {
  const a0 = a >>> 24, a1 = (a >>> 16) & 255, a2 = (a >>> 8) & 255, a3 = a & 255;
  const b0 = b >>> 24, b1 = (b >>> 16) & 255, b3 = b & 255;
  const c0 = 0x80 | ((c >>> 24) & 0x3f), c1 = (c >>> 16) & 255, c2 = (c >>> 8) & 255, c3 = c & 255;
  const d0 = d >>> 24, d1 = (d >>> 16) & 255, d2 = (d >>> 8) & 255, d3 = d & 255;
  return chars(
    HI[a0]!, LO[a0]!, HI[a1]!, LO[a1]!, HI[a2]!, LO[a2]!, HI[a3]!, LO[a3]!, 45,
    HI[b0]!, LO[b0]!, HI[b1]!, LO[b1]!, 45, 52, LO[(b >>> 8) & 15]!, HI[b3]!, LO[b3]!, 45,
    HI[c0]!, LO[c0]!, HI[c1]!, LO[c1]!, 45, HI[c2]!, LO[c2]!, HI[c3]!, LO[c3]!,
    HI[d0]!, LO[d0]!, HI[d1]!, LO[d1]!, HI[d2]!, LO[d2]!, HI[d3]!, LO[d3]!,
  );
}

/** A GUID from four draws of a seeded generator. Same generator state in → same GUID out. */
export function fastGuid(rng: Random): string {
  const a = word(rng);
  const b = word(rng);
  const c = word(rng);
  return guidOf(a, b, c, word(rng));
}

/** murmur3's finaliser: a bijection of 32-bit words that mixes every bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Per (seed, tenant) salt of baseline event Ids and generators. */
export function eventSalt(seed: string | number, tenantIndex: number): number {
  return hashSeed(seed, 'event', tenantIndex);
}

/** First Id word of the events of an hour: a bijection of the hour for a given salt. */
export function hourWord(salt: number, hour: number): number {
  return fmix32((Math.imul(hour, 0x9e3779b1) + salt) >>> 0);
}

/** The generator state of one baseline event (hour word from `hourWord`). */
export function eventState(hw: number, seq: number): number {
  return fmix32((hw ^ Math.imul(seq + 1, 0x27d4eb2d)) >>> 0) || 0x9e3779b9;
}

/**
 * The Id of a baseline event: two draws of its generator in the middle, the hour word first and a
 * bijection of its index last, so (hour, seq) → Id is injective. The generator is left after its two draws.
 */
export function eventId(rng: FastRng, hw: number, seq: number): string {
  const b = rng.word();
  const c = rng.word();
  return guidOf(hw, b, c, fmix32((seq + hw) >>> 0));
}
