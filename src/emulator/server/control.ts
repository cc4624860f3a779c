// The control surface under /_emulator/ (no authentication: it is a local test and demo tool):
// ground truth, request stats, tenants' credentials, faults, throttling, scenario injection, the clock
// (when it is a ManualClock) and access tokens minted to order. The same operations are offered
// in-process as `EmulatorControl`.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, errorMessage, ManualClock, parseDuration, type Clock } from '../../core/index.js';
import type { ContentSource, GroundTruth, GroundTruthOptions, GroundTruthScenario } from '../model.js';
import type { Faults, FaultOptions } from './faults.js';
import { BodyTooLarge, readBody, sendJson, sendText } from './http.js';
import type { Stats, StatsSnapshot } from './stats.js';
import type { Subscriptions } from './subscriptions.js';
import type { Throttle } from './throttle.js';
import type { MintOptions, TokenService } from './tokens.js';

export interface TenantCredentials {
  tenantId: string;
  domain: string;
  displayName: string;
  clientId: string;
  clientSecret: string;
  roles: string[];
  certificatePem: string;
  privateKeyPem: string;
  /** SHA-1 of the certificate's DER, upper-case hex (as the Entra portal shows it). */
  thumbprint: string;
  /** The same SHA-1, base64url: the `x5t` header of a client_assertion. */
  x5t: string;
}

export interface EmulatorControl {
  stats(): StatsSnapshot;
  resetStats(): void;
  faults(): Required<FaultOptions>;
  /** Merges new fault rates over the current ones (throws AppError on a bad value). */
  setFaults(faults: FaultOptions): Required<FaultOptions>;
  /** Quotas in requests a minute (0 = unlimited); `tenants` sets single tenants' quotas (null = back to perTenantPerMinute). */
  setThrottle(limits: ThrottleLimits): ThrottleLimits;
  /**
   * The ground truth now (or `at`, any time); with a `created` range, counting only blobs with
   * from <= contentCreated < to; with `times`, when each record is or will be published.
   */
  groundTruth(created?: { from: number; to: number }, options?: GroundTruthOptions & { at?: number }): GroundTruth;
  scenarioNames(): string[];
  inject(name: string, params?: Record<string, unknown>, at?: number): GroundTruthScenario;
  /** An access token signed by the emulator with the claims asked for (for tests of expiry, audience, roles). */
  mintToken(options: MintOptions): Promise<string>;
  setTokenLifetime(seconds: number): void;
  /** Sends webhook notifications for blobs that became available, now, and waits for them. */
  deliverNotifications(): Promise<void>;
}

export interface ThrottleLimits {
  perTenantPerMinute?: number;
  commonPerMinute?: number;
  tenants?: Record<string, number | null>;
}

export interface ControlDeps {
  clock: Clock;
  source: ContentSource;
  stats: Stats;
  faults: Faults;
  throttle: Throttle;
  tokens: TokenService;
  subs: Subscriptions;
  tenants: TenantCredentials[];
  caPem: string | null;
}

export function createControl(d: ControlDeps): EmulatorControl {
  return {
    stats: () => d.stats.snapshot(),
    resetStats: () => d.stats.reset(d.clock.now()),
    faults: () => d.faults.current,
    setFaults: (f) => {
      d.faults.update(f);
      return d.faults.current;
    },
    setThrottle: (limits) => {
      const check = (k: string, v: unknown) => {
        if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
          throw new AppError('bad_throttle', `${k.slice(0, 60)} must be a whole number of requests a minute (0 = unlimited).`);
        }
      };
      check('perTenantPerMinute', limits.perTenantPerMinute);
      check('commonPerMinute', limits.commonPerMinute);
      const tenants = limits.tenants ?? {};
      if (typeof tenants !== 'object' || tenants === null || Array.isArray(tenants)) throw new AppError('bad_throttle', 'tenants must be an object of tenant id → requests a minute.');
      for (const [id, v] of Object.entries(tenants)) {
        if (!d.tenants.some((t) => t.tenantId.toLowerCase() === id.toLowerCase())) throw new AppError('bad_throttle', `No simulated tenant ${id.slice(0, 60)}; give a tenant id the emulator printed.`);
        if (v !== null) check(`tenants.${id}`, v);
      }
      if (limits.perTenantPerMinute !== undefined) d.throttle.perTenant = limits.perTenantPerMinute;
      if (limits.commonPerMinute !== undefined) d.throttle.common = limits.commonPerMinute;
      for (const [id, v] of Object.entries(tenants)) {
        if (v === null) d.throttle.tenantQuotas.delete(id.toLowerCase());
        else d.throttle.tenantQuotas.set(id.toLowerCase(), v);
      }
      return { perTenantPerMinute: d.throttle.perTenant, commonPerMinute: d.throttle.common, tenants: Object.fromEntries(d.throttle.tenantQuotas) };
    },
    groundTruth: (created, options = {}) => d.source.groundTruth(options.at ?? d.clock.now(), created, { times: options.times === true }),
    scenarioNames: () => d.source.scenarioNames(),
    inject: (name, params = {}, at) => d.source.inject(name, params, at ?? d.clock.now()),
    mintToken: (options) => d.tokens.mint(options),
    setTokenLifetime: (seconds) => {
      if (!Number.isInteger(seconds) || seconds < 2) throw new AppError('bad_lifetime', 'The token lifetime must be a whole number of seconds, at least 2.');
      d.tokens.lifetimeSeconds = seconds;
    },
    deliverNotifications: () => d.subs.deliver(),
  };
}

/** Handles /_emulator/{op}. */
export async function handleControl(
  d: ControlDeps,
  control: EmulatorControl,
  req: IncomingMessage,
  res: ServerResponse,
  op: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  const bad = (message: string, status = 400) => sendJson(res, status, { error: { code: 'bad_request', message } });
  let body: Record<string, unknown> = {};
  if (method === 'POST') {
    try {
      const text = await readBody(req, 1_000_000);
      const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return bad('The body must be a JSON object.');
      body = parsed as Record<string, unknown>;
    } catch (err) {
      return bad(err instanceof BodyTooLarge ? 'The body is too large.' : 'The body is not valid JSON.');
    }
  }
  const key = `${method} ${op}`;
  try {
    switch (key) {
      case 'GET ground-truth': {
        // ?createdFrom=&createdTo= (ISO times): only blobs created in [from, to) count as available.
        const q = new URL(req.url ?? '/', 'http://emulator.invalid').searchParams;
        const from = q.get('createdFrom');
        const to = q.get('createdTo');
        // ?at= (ISO or ms): as of that time instead of now; ?times=1: when each record is or will be published.
        const created = from === null && to === null ? undefined : { from: from === null ? -Infinity : toTime(from), to: to === null ? Infinity : toTime(to) };
        const at = q.get('at');
        const times = q.get('times');
        return sendJson(res, 200, control.groundTruth(created, { ...(at === null ? {} : { at: toTime(/^\d+$/.test(at) ? Number(at) : at) }), times: times === '1' || times === 'true' }));
      }
      case 'GET stats':
        return sendJson(res, 200, control.stats());
      case 'POST reset-stats':
        control.resetStats();
        return sendJson(res, 200, { ok: true });
      case 'GET tenants':
        return sendJson(res, 200, d.tenants);
      case 'GET faults':
        return sendJson(res, 200, control.faults());
      case 'POST faults':
        return sendJson(res, 200, control.setFaults(body as FaultOptions));
      case 'POST throttle':
        return sendJson(res, 200, control.setThrottle(body as ThrottleLimits));
      case 'GET scenarios':
        return sendJson(res, 200, control.scenarioNames());
      case 'POST scenarios': {
        if (typeof body.name !== 'string') return bad('Give the scenario as {"name": "...", "params": {...}}.');
        const params = body.params ?? {};
        if (typeof params !== 'object' || params === null || Array.isArray(params)) return bad('params must be a JSON object.');
        const at = body.at === undefined ? undefined : toTime(body.at);
        return sendJson(res, 200, control.inject(body.name, params as Record<string, unknown>, at));
      }
      case 'GET clock':
        return sendJson(res, 200, { now: new Date(d.clock.now()).toISOString(), manual: d.clock instanceof ManualClock });
      case 'POST clock': {
        if (!(d.clock instanceof ManualClock)) return bad('The emulator runs on real time; only a simulated (manual) clock can be moved.', 409);
        if (body.set !== undefined) d.clock.set(toTime(body.set));
        if (body.advance !== undefined) {
          const by = typeof body.advance === 'number' ? body.advance : parseDuration(String(body.advance), 'clock advance');
          if (!(by >= 0)) return bad('advance must be a positive duration such as "2h" or a number of ms.');
          d.clock.advance(by);
        }
        return sendJson(res, 200, { now: new Date(d.clock.now()).toISOString(), manual: true });
      }
      case 'POST token': {
        if (typeof body.tenantId !== 'string') return bad('Give at least {"tenantId": "..."}; optional aud, roles, appId, lifetimeSeconds.');
        const options: MintOptions = { tenantId: body.tenantId };
        if (typeof body.aud === 'string') options.aud = body.aud;
        if (typeof body.appId === 'string') options.appId = body.appId;
        if (Array.isArray(body.roles)) options.roles = body.roles.map(String);
        if (typeof body.lifetimeSeconds === 'number') options.lifetimeSeconds = body.lifetimeSeconds;
        return sendJson(res, 200, { token_type: 'Bearer', access_token: await control.mintToken(options) });
      }
      case 'POST notify':
        await control.deliverNotifications();
        return sendJson(res, 200, { ok: true });
      case 'GET ca':
        if (!d.caPem) return bad('The emulator is not running with TLS.', 404);
        return sendText(res, 200, d.caPem, { 'Content-Type': 'application/x-pem-file' });
      default:
        return sendJson(res, 404, {
          error: {
            code: 'not_found',
            message: 'Unknown control operation; use GET ground-truth|stats|tenants|faults|scenarios|clock|ca or POST faults|throttle|scenarios|clock|token|notify|reset-stats.',
          },
        });
    }
  } catch (err) {
    return bad(errorMessage(err));
  }
}

function toTime(value: unknown): number {
  const t = typeof value === 'number' ? value : Date.parse(String(value));
  if (!Number.isFinite(t)) throw new AppError('bad_time', 'A time must be epoch milliseconds or an ISO 8601 date-time.');
  return t;
}
