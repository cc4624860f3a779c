// The Host-header check of every endpoint (/metrics and /healthz included): a request is answered only
// when its Host names this daemon — its listen address, a localhost name, an address of this machine
// when it listens on all of them, or a name in collect.allowedHosts. A web page whose DNS name was
// rebound to 127.0.0.1 sends its own name as Host and is refused, so it cannot read tenant ids,
// collection figures or anything else through the user's browser.

import { networkInterfaces } from 'node:os';
import type { MiddlewareHandler } from 'hono';
import { oneLine } from '../core/index.js';

export interface HostPolicy {
  /** The configured listen host (collect.listen). */
  listenHost: string;
  /** Further names (collect.allowedHosts). */
  allowed: readonly string[];
}

const LOCAL_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** The names a daemon listening on `policy.listenHost` answers to (lower case, IPv6 without brackets). */
export function allowedHostNames(policy: HostPolicy): Set<string> {
  const names = new Set<string>([...LOCAL_NAMES, normalise(policy.listenHost), ...policy.allowed.map(normalise)]);
  if (WILDCARDS.has(policy.listenHost)) {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(normalise(a.address));
  }
  return names;
}

/** The host part of a Host header (`name:port`, `[v6]:port`), lower case, or null when malformed. */
export function hostOf(header: string | undefined): string | null {
  if (!header) return null;
  const h = header.trim().toLowerCase();
  const m = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h) ?? /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  return m ? normalise(m[1]!) : null;
}

function normalise(name: string): string {
  return name.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

export function hostCheck(policy: HostPolicy): MiddlewareHandler {
  const names = allowedHostNames(policy);
  return async (c, next) => {
    const raw = c.req.header('host');
    const host = hostOf(raw);
    const ok = host !== null && (names.has(host) || host.endsWith('.localhost'));
    if (!ok) {
      return c.json(
        {
          error: {
            code: 'host_refused',
            message: `The Host header ${raw ? `"${oneLine(raw, 80)}"` : '(none)'} does not name this daemon; use its listen address (or localhost), or add the name to collect.allowedHosts.`,
          },
        },
        403,
      );
    }
    await next();
  };
}
