// The Host-header check of every endpoint of the daemon (/metrics and /healthz included): a request is
// answered only when its Host names this daemon — its listen address, a localhost name, an address of
// this machine when it listens on all of them, or a name in collect.allowedHosts (a reverse proxy's).
// A web page whose DNS name was rebound to 127.0.0.1 sends its own name as Host and is refused, so it
// cannot read tenant ids, collection figures or anything else through the user's browser.

import { networkInterfaces } from 'node:os';

const LOCAL_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARDS = new Set(['0.0.0.0', '::', '']);

function normalise(name: string): string {
  return name.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

/** The names a daemon listening on `listenHost` answers to (lower case, IPv6 without brackets). */
export function allowedHostNames(listenHost: string, allowed: readonly string[] = []): Set<string> {
  const names = new Set<string>([...LOCAL_NAMES, normalise(listenHost), ...allowed.map(normalise)]);
  if (WILDCARDS.has(listenHost)) {
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

/** Whether a request's Host header names this daemon (`*.localhost` always resolves to loopback). */
export function hostAllowed(header: string | undefined, names: ReadonlySet<string>): boolean {
  const host = hostOf(header);
  return host !== null && (names.has(host) || host.endsWith('.localhost'));
}
