// Turns configured tenants into what the collector needs: an API client per tenant (cloud, host
// overrides, PublisherIdentifier, credential as Secret) and its content types.

import { createApiClient } from '../api/index.js';
import type { Clock, Logger } from '../core/index.js';
import type { Config } from './config.js';
import type { TenantRuntime } from '../collect/index.js';

export function tenantRuntimes(config: Config, clock: Clock, logger: Logger, only?: string[]): TenantRuntime[] {
  const chosen = only && only.length > 0 ? config.tenants.filter((t) => only.includes(t.name) || only.includes(t.tenantId)) : config.tenants;
  return chosen.map((t) => ({
    tenantId: t.tenantId,
    name: t.name,
    contentTypes: t.contentTypes,
    requestsPerMinute: config.collect.requestsPerMinute,
    api: createApiClient({
      tenantId: t.tenantId,
      clientId: t.clientId,
      credential:
        t.credential.kind === 'secret'
          ? { kind: 'secret', secret: t.credential.secret }
          : { kind: 'certificate', certificatePem: t.credential.certificatePem, privateKeyPem: t.credential.privateKeyPem },
      cloud: t.cloud,
      apiHost: t.apiUrl,
      loginHost: t.loginUrl,
      publisherId: t.publisherId,
      clock,
      logger: logger.child({ tenant: t.name }),
    }),
  }));
}
