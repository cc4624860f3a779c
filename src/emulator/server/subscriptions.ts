// Subscriptions per (tenant, content type): /start (AF20024 when nothing changes, the 15-minute rule
// between starts, webhook validation → AF20021), /stop (content of the stopped period is lost for good),
// /list, and webhook notifications of blobs that became available, with their history for
// /subscriptions/notifications.

import { Rng, type Clock, type Logger } from '../../core/index.js';
import type { ContentType } from '../../records/index.js';
import type { BlobMeta, ContentSource } from '../model.js';
import { apiError, type ApiError } from './http.js';
import type { Stats } from './stats.js';
import { postJson, validateWebhook, type WebhookOptions } from './webhooks.js';

const START_INTERVAL_MS = 15 * 60_000;
const SEVEN_DAYS = 7 * 86_400_000;
/** Consecutive failed notification rounds after which the service disables a webhook. */
const MAX_WEBHOOK_FAILURES = 5;
const NOTIFICATION_BATCH = 100;

export interface Webhook {
  status: 'enabled' | 'disabled' | 'expired';
  address: string;
  authId: string | null;
  expiration: string | null;
  expirationMs: number | null;
}

interface Subscription {
  contentType: ContentType;
  status: 'enabled' | 'disabled';
  webhook: Webhook | null;
  lastStart: number;
  disabledSince: number | null;
  /** [from, to) spans during which the subscription was stopped: their content is never listed. */
  stopped: [number, number][];
  /** Blobs with contentCreated >= this have not been notified yet. */
  notifiedFrom: number;
  failures: number;
}

export interface NotificationEntry {
  contentType: ContentType;
  contentId: string;
  contentUri: string;
  contentCreated: string;
  contentExpiration: string;
  notificationSent: string;
  notificationStatus: 'Succeeded' | 'Failed';
  created: number;
}

export interface SubscriptionDeps {
  clock: Clock;
  source: ContentSource;
  stats: Stats;
  logger: Logger;
  webhookOptions: WebhookOptions;
  seed: string | number;
  contentUri(tenantId: string, contentId: string): string;
  clientIdOf(tenantId: string): string;
}

export function subscriptionJson(s: { contentType: string; status: string; webhook: Webhook | null }) {
  return {
    contentType: s.contentType,
    status: s.status,
    webhook: s.webhook
      ? { status: s.webhook.status, address: s.webhook.address, authId: s.webhook.authId, expiration: s.webhook.expiration }
      : null,
  };
}

export class Subscriptions {
  private readonly subs = new Map<string, Subscription>();
  private readonly history = new Map<string, NotificationEntry[]>();
  private readonly rng: Rng;
  private notifying: Promise<void> | null = null;

  constructor(private readonly deps: SubscriptionDeps) {
    this.rng = new Rng('webhook-validation', deps.seed);
  }

  private key(tenantId: string, contentType: string): string {
    return `${tenantId.toLowerCase()}|${contentType}`;
  }

  get(tenantId: string, contentType: string): Subscription | undefined {
    return this.subs.get(this.key(tenantId, contentType));
  }

  list(tenantId: string): ReturnType<typeof subscriptionJson>[] {
    const prefix = `${tenantId.toLowerCase()}|`;
    const now = this.deps.clock.now();
    const out = [];
    for (const [k, s] of this.subs) {
      if (!k.startsWith(prefix)) continue;
      this.expireWebhook(s, now);
      out.push(subscriptionJson(s));
    }
    return out;
  }

  private expireWebhook(s: Subscription, now: number): void {
    if (s.webhook && s.webhook.status === 'enabled' && s.webhook.expirationMs !== null && now >= s.webhook.expirationMs) {
      s.webhook.status = 'expired';
    }
  }

  /** POST /subscriptions/start. `webhookInput` is the parsed body's `webhook` (undefined when absent). */
  async start(tenantId: string, contentType: ContentType, webhookInput: unknown): Promise<ApiError | ReturnType<typeof subscriptionJson>> {
    const now = this.deps.clock.now();
    const parsed = parseWebhook(webhookInput, now);
    if ('code' in parsed) return parsed;
    const existing = this.get(tenantId, contentType);
    if (existing && now - existing.lastStart < START_INTERVAL_MS) {
      const wait = Math.ceil((existing.lastStart + START_INTERVAL_MS - now) / 1000);
      return apiError(429, 'AF429', `Too many frequent subscription start requests. Please retry again after ${Math.floor(wait / 60)}m ${wait % 60}s`);
    }
    if (existing) {
      this.expireWebhook(existing, now);
      const same =
        existing.status === 'enabled' &&
        (parsed.webhook === null
          ? existing.webhook === null
          : existing.webhook !== null &&
            existing.webhook.status === 'enabled' &&
            existing.webhook.address === parsed.webhook.address &&
            existing.webhook.authId === parsed.webhook.authId &&
            existing.webhook.expiration === parsed.webhook.expiration);
      if (same) {
        existing.lastStart = now;
        return apiError(400, 'AF20024', 'The subscription is already enabled. No property change.');
      }
    }
    if (parsed.webhook) {
      const code = this.rng.guid();
      const reason = await validateWebhook(parsed.webhook.address, parsed.webhook.authId, code, this.deps.webhookOptions);
      this.deps.stats.webhooks.validations++;
      if (reason) {
        this.deps.stats.webhooks.failures++;
        return apiError(400, 'AF20021', `The webhook endpoint {${parsed.webhook.address.slice(0, 500)}} could not be validated. ${reason}`);
      }
    }
    const sub: Subscription = existing ?? {
      contentType,
      status: 'enabled',
      webhook: null,
      lastStart: now,
      disabledSince: null,
      stopped: [],
      notifiedFrom: now,
      failures: 0,
    };
    if (sub.status === 'disabled' && sub.disabledSince !== null) sub.stopped.push([sub.disabledSince, now]);
    sub.status = 'enabled';
    sub.disabledSince = null;
    sub.lastStart = now;
    if (parsed.webhook && (!sub.webhook || sub.webhook.address !== parsed.webhook.address || sub.webhook.status !== 'enabled')) {
      sub.notifiedFrom = now;
    }
    sub.webhook = parsed.webhook;
    sub.failures = 0;
    this.subs.set(this.key(tenantId, contentType), sub);
    return subscriptionJson(sub);
  }

  /** POST /subscriptions/stop. */
  stop(tenantId: string, contentType: ContentType): ApiError | null {
    const sub = this.get(tenantId, contentType);
    if (!sub) return apiError(400, 'AF20022', 'No subscription found for the specified content type.');
    if (sub.status === 'enabled') {
      sub.status = 'disabled';
      sub.disabledSince = this.deps.clock.now();
    }
    return null;
  }

  /** Whether a blob was created while its subscription was stopped (such content is lost for good). */
  isLost(sub: Subscription, contentCreated: number): boolean {
    for (const [from, to] of sub.stopped) if (contentCreated >= from && contentCreated < to) return true;
    return false;
  }

  notifications(tenantId: string, contentType: string, start: number, end: number): Omit<NotificationEntry, 'created'>[] {
    const entries = this.history.get(this.key(tenantId, contentType)) ?? [];
    return entries
      .filter((e) => e.created >= start && e.created < end)
      .map(({ created: _created, ...rest }) => rest);
  }

  /** Sends notifications for every blob that became available since the last round (one round at a time). */
  deliver(): Promise<void> {
    if (!this.notifying) {
      this.notifying = this.deliverRound().finally(() => {
        this.notifying = null;
      });
    }
    return this.notifying;
  }

  /** Resolves when no notification round is running. */
  idle(): Promise<void> {
    return this.notifying ?? Promise.resolve();
  }

  private async deliverRound(): Promise<void> {
    const now = this.deps.clock.now();
    for (const [key, sub] of this.subs) {
      this.expireWebhook(sub, now);
      if (sub.status !== 'enabled' || !sub.webhook || sub.webhook.status !== 'enabled') continue;
      const tenantId = key.slice(0, key.indexOf('|'));
      const blobs = this.deps.source
        .listBlobs(tenantId, sub.contentType, sub.notifiedFrom, now + 1, now)
        .filter((b) => !this.isLost(sub, b.contentCreated));
      if (blobs.length === 0) {
        sub.notifiedFrom = now + 1;
        continue;
      }
      const ok = await this.post(tenantId, sub, blobs, now);
      if (ok) {
        sub.notifiedFrom = now + 1;
        sub.failures = 0;
      } else if (++sub.failures >= MAX_WEBHOOK_FAILURES) {
        sub.webhook.status = 'disabled';
        this.deps.logger.warn('The emulator disabled a webhook that kept failing.', { tenantId, contentType: sub.contentType });
      }
    }
  }

  private async post(tenantId: string, sub: Subscription, blobs: BlobMeta[], now: number): Promise<boolean> {
    const clientId = this.deps.clientIdOf(tenantId);
    const webhook = sub.webhook!;
    let allOk = true;
    for (let i = 0; i < blobs.length; i += NOTIFICATION_BATCH) {
      const batch = blobs.slice(i, i + NOTIFICATION_BATCH).map((b) => ({
        tenantId: b.tenantId,
        clientId,
        contentType: b.contentType,
        contentId: b.contentId,
        contentUri: this.deps.contentUri(b.tenantId, b.contentId),
        contentCreated: new Date(b.contentCreated).toISOString(),
        contentExpiration: new Date(b.contentExpiration).toISOString(),
      }));
      const headers: Record<string, string> = {};
      if (webhook.authId) headers['Webhook-AuthID'] = webhook.authId;
      const result = await postJson(webhook.address, headers, batch, this.deps.webhookOptions);
      this.deps.stats.webhooks.notifications++;
      if (!result.ok) {
        this.deps.stats.webhooks.failures++;
        allOk = false;
      }
      this.record(tenantId, sub.contentType, batch, now, result.ok);
      if (!result.ok) break;
    }
    return allOk;
  }

  private record(tenantId: string, contentType: ContentType, batch: { contentId: string; contentUri: string; contentCreated: string; contentExpiration: string }[], now: number, ok: boolean): void {
    const key = this.key(tenantId, contentType);
    let entries = this.history.get(key) ?? [];
    if (entries.length > 0 && entries[0]!.created < now - SEVEN_DAYS) entries = entries.filter((e) => e.created >= now - SEVEN_DAYS);
    const sent = new Date(now).toISOString();
    for (const b of batch) {
      entries.push({ contentType, ...b, notificationSent: sent, notificationStatus: ok ? 'Succeeded' : 'Failed', created: Date.parse(b.contentCreated) });
    }
    this.history.set(key, entries);
  }
}

function parseWebhook(input: unknown, now: number): { webhook: Webhook | null } | ApiError {
  if (input === undefined || input === null) return { webhook: null };
  if (typeof input !== 'object' || Array.isArray(input)) {
    return apiError(400, 'AF20002', 'Invalid parameter type: webhook. Expected type: Webhook');
  }
  const w = input as Record<string, unknown>;
  const address = w.address ?? w.Address;
  if (typeof address !== 'string' || address === '') return apiError(400, 'AF20001', 'Missing parameter: webhook.address.');
  const authIdRaw = w.authId ?? w.AuthId;
  const expirationRaw = w.expiration ?? w.Expiration;
  if (authIdRaw !== undefined && authIdRaw !== null && typeof authIdRaw !== 'string') {
    return apiError(400, 'AF20002', 'Invalid parameter type: webhook.authId. Expected type: String');
  }
  let expirationMs: number | null = null;
  let expiration: string | null = null;
  if (typeof expirationRaw === 'string' && expirationRaw !== '') {
    expirationMs = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(expirationRaw) ? expirationRaw : `${expirationRaw}Z`);
    if (Number.isNaN(expirationMs)) return apiError(400, 'AF20002', 'Invalid parameter type: webhook.expiration. Expected type: DateTime');
    if (expirationMs <= now) return apiError(400, 'AF20003', `Expiration ${expirationRaw.slice(0, 60)} provided is set to past date and time.`);
    expiration = expirationRaw;
  } else if (expirationRaw !== undefined && expirationRaw !== null && expirationRaw !== '') {
    return apiError(400, 'AF20002', 'Invalid parameter type: webhook.expiration. Expected type: DateTime');
  } else if (expirationRaw === '') {
    expiration = '';
  }
  return {
    webhook: { status: 'enabled', address, authId: typeof authIdRaw === 'string' && authIdRaw !== '' ? authIdRaw : null, expiration, expirationMs },
  };
}
