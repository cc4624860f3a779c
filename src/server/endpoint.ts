// Where a running daemon can be reached: a file next to the store (`<store>.daemon.json`, mode 0600)
// with the API's URL and bearer token, written while the daemon serves and removed when it stops. Only
// the user who runs the daemon can read it, so only that user can use the API.

import { readFileSync, rmSync } from 'node:fs';
import { writePrivateFile } from '../core/index.js';

export interface DaemonEndpoint {
  pid: number;
  url: string;
  token: string;
  startedAt: string;
}

export function endpointFile(storePath: string): string {
  return `${storePath}.daemon.json`;
}

export function writeEndpoint(storePath: string, endpoint: DaemonEndpoint): void {
  writePrivateFile(endpointFile(storePath), JSON.stringify(endpoint)); // replaces a planted file, never writes through it
}

export function removeEndpoint(storePath: string, pid = process.pid): void {
  const current = readEndpoint(storePath);
  if (current && current.pid === pid) rmSync(endpointFile(storePath), { force: true });
}

export function readEndpoint(storePath: string): DaemonEndpoint | null {
  try {
    const v = JSON.parse(readFileSync(endpointFile(storePath), 'utf8')) as Partial<DaemonEndpoint>;
    if (typeof v.url === 'string' && typeof v.token === 'string' && typeof v.pid === 'number') return v as DaemonEndpoint;
    return null;
  } catch {
    return null;
  }
}
