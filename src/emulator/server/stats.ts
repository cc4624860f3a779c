// Request counters for the control surface: by endpoint, by status, by tenant (and the three crossed),
// throttled requests by quota, and faults injected by kind. O(1) per request.

export interface StatsSnapshot {
  since: string;
  total: number;
  byEndpoint: Record<string, number>;
  byStatus: Record<string, number>;
  byTenant: Record<string, number>;
  /** "tenant endpoint status" → count. */
  detail: Record<string, number>;
  /** "tenant:<id>" or "common" → requests refused with AF429. */
  throttled: Record<string, number>;
  faults: Record<string, number>;
  webhooks: { validations: number; notifications: number; failures: number };
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

export class Stats {
  private since = 0;
  private total = 0;
  private readonly byEndpoint = new Map<string, number>();
  private readonly byStatus = new Map<string, number>();
  private readonly byTenant = new Map<string, number>();
  private readonly detail = new Map<string, number>();
  private readonly throttled = new Map<string, number>();
  private readonly faults = new Map<string, number>();
  readonly webhooks = { validations: 0, notifications: 0, failures: 0 };

  constructor(now: number) {
    this.since = now;
  }

  request(endpoint: string, status: number | string, tenantId: string | null): void {
    this.total++;
    bump(this.byEndpoint, endpoint);
    bump(this.byStatus, String(status));
    const tenant = tenantId ?? '-';
    bump(this.byTenant, tenant);
    bump(this.detail, `${tenant} ${endpoint} ${status}`);
  }

  throttle(quota: string): void {
    bump(this.throttled, quota);
  }

  fault(kind: string): void {
    bump(this.faults, kind);
  }

  reset(now: number): void {
    this.since = now;
    this.total = 0;
    for (const m of [this.byEndpoint, this.byStatus, this.byTenant, this.detail, this.throttled, this.faults]) m.clear();
    this.webhooks.validations = 0;
    this.webhooks.notifications = 0;
    this.webhooks.failures = 0;
  }

  snapshot(): StatsSnapshot {
    return {
      since: new Date(this.since).toISOString(),
      total: this.total,
      byEndpoint: Object.fromEntries(this.byEndpoint),
      byStatus: Object.fromEntries(this.byStatus),
      byTenant: Object.fromEntries(this.byTenant),
      detail: Object.fromEntries(this.detail),
      throttled: Object.fromEntries(this.throttled),
      faults: Object.fromEntries(this.faults),
      webhooks: { ...this.webhooks },
    };
  }
}
