// Password hashes for local accounts: scrypt (memory-hard, Node's built-in crypto) with a random
// 16-byte salt, stored self-describing as `scrypt$N$r$p$salt$hash` (salt and hash base64url), so the
// parameters can be raised later and old hashes still verify. Verification compares in constant time.

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** N = 2^15, r = 8, p = 1: 32 MiB of memory per hash. */
export const SCRYPT_DEFAULTS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Accepted from stored hashes: no more than N = 2^20 and 1 GiB, so a tampered row cannot exhaust memory. */
const MAX_N = 2 ** 20;
const MAX_MEM = 1024 * 1024 * 1024;

const derive = (password: string, salt: Buffer, p: ScryptParams): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const options: ScryptOptions = { N: p.N, r: p.r, p: p.p, maxmem: Math.min(MAX_MEM, 256 * p.N * p.r + 1024 * 1024) };
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });

/** A new self-describing hash of `password`; two hashes of one password differ (the salt). */
export async function hashPassword(password: string, params: ScryptParams = SCRYPT_DEFAULTS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

const POSITIVE = /^[1-9][0-9]{0,9}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

/** The parameters, salt and key of a stored hash, or null when it is not a well-formed scrypt hash. */
function parse(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, n, r, p, salt, key] = parts as [string, string, string, string, string, string];
  if (![n, r, p].every((x) => POSITIVE.test(x)) || !B64URL.test(salt) || !B64URL.test(key)) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (params.N < 2 || params.N > MAX_N || (params.N & (params.N - 1)) !== 0 || params.r > 64 || params.p > 16 || 128 * params.N * params.r > MAX_MEM) return null;
  const s = Buffer.from(salt, 'base64url');
  const k = Buffer.from(key, 'base64url');
  // Canonical encodings only (no ignored trailing bits), and a key no shorter than ours (a cut key is a prefix).
  if (s.toString('base64url') !== salt || k.toString('base64url') !== key) return null;
  if (s.length < SALT_BYTES || k.length < KEY_BYTES || k.length > 128) return null;
  return { params, salt: s, key: k };
}

/** True when `password` matches the stored hash; false for a wrong password or a malformed or tampered hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await new Promise<Buffer>((resolve, reject) => {
    const o: ScryptOptions = { N: parsed.params.N, r: parsed.params.r, p: parsed.params.p, maxmem: MAX_MEM };
    scrypt(password.normalize('NFC'), parsed.salt, parsed.key.length, o, (err, k) => (err ? reject(err) : resolve(k)));
  }).catch(() => null);
  return key !== null && key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** Whether a stored hash uses weaker parameters than `params` (to rehash at the next sign-in). */
export function needsRehash(stored: string, params: ScryptParams = SCRYPT_DEFAULTS): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.params.N < params.N || parsed.params.r < params.r || parsed.params.p < params.p;
}
