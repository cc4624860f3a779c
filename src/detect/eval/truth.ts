// The emulator's ground truth as eval reads it over HTTP (GET /_emulator/ground-truth, /_emulator/tenants,
// /_emulator/clock), validated, so a wrong URL or another server gives a clear error instead of a
// wrong measurement. Only the fields eval uses are read; the emulator is not imported (it is a product
// of its own, spoken to over its control surface).

import { z } from 'zod';
import { AppError, errorMessage, safeLine } from '../../core/index.js';

const scenarioSchema = z.object({
  name: z.string(),
  label: z.enum(['attack', 'benign']),
  tenantId: z.string(),
  actors: z.array(z.string()).default([]),
  victims: z.array(z.string()).default([]),
  start: z.string(),
  end: z.string(),
  recordIds: z.array(z.string()),
});

const truthSchema = z.object({
  scenarios: z.array(scenarioSchema),
  available: z.record(z.string(), z.record(z.string(), z.array(z.string()))).default({}),
});

const tenantSchema = z.object({
  tenantId: z.string(),
  domain: z.string().optional(),
  clientId: z.string(),
  clientSecret: z.string(),
});

const clockSchema = z.object({ now: z.string(), manual: z.boolean().default(false) });
const throttleSchema = z.object({ perTenantPerMinute: z.number(), commonPerMinute: z.number() });

export type TruthScenario = z.output<typeof scenarioSchema>;
export type GroundTruth = z.output<typeof truthSchema>;
export type EmulatorTenant = z.output<typeof tenantSchema>;

/** The emulator's base URL without a trailing slash; an AppError naming the fix when it is not http(s). */
export function emulatorBase(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AppError('usage', `--emulator "${safeLine(url, 80)}" is not a URL; give the emulator's address, e.g. http://127.0.0.1:8443.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new AppError('usage', `--emulator must be an http:// or https:// URL, not ${safeLine(u.protocol, 20)}.`);
  return u.toString().replace(/\/+$/, '');
}

async function getJson<T>(base: string, path: string, schema: z.ZodType<T>, fetcher: typeof fetch): Promise<T> {
  const url = `${base}/_emulator/${path}`;
  let res: Response;
  try {
    res = await fetcher(url, { headers: { accept: 'application/json' } });
  } catch (err) {
    throw new AppError('emulator_unreachable', `Cannot reach the emulator at ${safeLine(base, 100)} (${safeLine(errorMessage(err), 120)}); start it with "auditwatch emulator" and give its URL.`, { cause: err });
  }
  const text = await res.text();
  if (!res.ok) throw new AppError('emulator_error', `The emulator answered ${res.status} to /_emulator/${path}; is ${safeLine(base, 100)} an auditwatch emulator?`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError('emulator_error', `The emulator's /_emulator/${path} is not JSON; is ${safeLine(base, 100)} an auditwatch emulator?`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AppError('emulator_error', `The emulator's /_emulator/${path} has an unexpected shape (${safeLine(parsed.error.issues[0]?.message ?? '', 80)}); update auditwatch or the emulator.`);
  return parsed.data;
}

/** The ground truth; with a `created` range, `available` counts only blobs with from <= contentCreated < to. */
export function fetchGroundTruth(base: string, fetcher: typeof fetch = fetch, created?: { from: number; to: number }): Promise<GroundTruth> {
  const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
  return getJson(base, created === undefined ? 'ground-truth' : `ground-truth?createdFrom=${iso(created.from)}&createdTo=${iso(created.to)}`, truthSchema, fetcher);
}

export function fetchTenants(base: string, fetcher: typeof fetch = fetch): Promise<EmulatorTenant[]> {
  return getJson(base, 'tenants', z.array(tenantSchema), fetcher);
}

/** The emulator's clock (epoch ms). */
export async function fetchEmulatorNow(base: string, fetcher: typeof fetch = fetch): Promise<number> {
  return (await fetchEmulatorClock(base, fetcher)).now;
}

/** The emulator's clock: its time (epoch ms) and whether it is simulated (moves only when told to). */
export async function fetchEmulatorClock(base: string, fetcher: typeof fetch = fetch): Promise<{ now: number; manual: boolean }> {
  const c = await getJson(base, 'clock', clockSchema, fetcher);
  const ms = Date.parse(c.now);
  if (!Number.isFinite(ms)) throw new AppError('emulator_error', 'The emulator\'s clock is not a time; update auditwatch or the emulator.');
  return { now: ms, manual: c.manual };
}

export type ThrottleLimits = z.output<typeof throttleSchema>;

/**
 * Sets the emulator's request quotas (0 = unlimited) and returns the previous ones. An empty object only
 * reads them. eval lifts the quota while it fills its temporary store: it measures detection, not how
 * the collector copes with throttling (the collector's own tests do that).
 */
export async function setEmulatorThrottle(base: string, limits: Partial<ThrottleLimits>, fetcher: typeof fetch = fetch): Promise<ThrottleLimits> {
  const before = await postJson(base, 'throttle', {}, throttleSchema, fetcher);
  if (Object.keys(limits).length) await postJson(base, 'throttle', limits, throttleSchema, fetcher);
  return before;
}

async function postJson<T>(base: string, path: string, body: unknown, schema: z.ZodType<T>, fetcher: typeof fetch): Promise<T> {
  let res: Response;
  try {
    res = await fetcher(`${base}/_emulator/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
  } catch (err) {
    throw new AppError('emulator_unreachable', `Cannot reach the emulator at ${safeLine(base, 100)} (${safeLine(errorMessage(err), 120)}); start it with "auditwatch emulator" and give its URL.`, { cause: err });
  }
  const text = await res.text();
  if (!res.ok) throw new AppError('emulator_error', `The emulator answered ${res.status} to POST /_emulator/${path}; is ${safeLine(base, 100)} an auditwatch emulator?`);
  const parsed = schema.safeParse((() => { try { return JSON.parse(text) as unknown; } catch { return null; } })());
  if (!parsed.success) throw new AppError('emulator_error', `The emulator's POST /_emulator/${path} has an unexpected answer; update auditwatch or the emulator.`);
  return parsed.data;
}
