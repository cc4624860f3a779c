// Request quotas per clock minute, as the Management Activity API applies them: a request that carries
// PublisherIdentifier counts against the quota of the tenant in its URL; requests without it share one
// common quota (counted apart from the per-tenant ones). Over quota → AF429, answered with HTTP 403.

export const COMMON_PUBLISHER = '00000000-0000-0000-0000-000000000000';

export interface ThrottleOptions {
  /** Requests a minute per tenant when PublisherIdentifier is given (default 2,000). */
  perTenantPerMinute?: number;
  /** Requests a minute shared by every request without PublisherIdentifier (default: the per-tenant figure). */
  commonPerMinute?: number;
}

export class Throttle {
  private minute = -1;
  private readonly counts = new Map<string, number>();
  perTenant: number;
  common: number;
  /** Quotas of single tenants (lower-cased id → requests a minute), over perTenant: a large tenant, or one lowered mid-run. */
  readonly tenantQuotas = new Map<string, number>();

  constructor(options: ThrottleOptions = {}) {
    this.perTenant = options.perTenantPerMinute ?? 2000;
    this.common = options.commonPerMinute ?? this.perTenant;
  }

  /** Counts one request; false when it is over its quota for the current minute. */
  admit(tenantId: string, publisherId: string | undefined, now: number): boolean {
    const minute = Math.floor(now / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.counts.clear();
    }
    const key = publisherId ? `tenant:${tenantId.toLowerCase()}` : 'common';
    const limit = publisherId ? this.tenantQuotas.get(tenantId.toLowerCase()) ?? this.perTenant : this.common;
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return limit <= 0 || count <= limit;
  }
}
