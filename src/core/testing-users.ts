// Test support: checks as another local user (`nobody`) whether a file or folder is readable, for the
// tests that show auditwatch's files are private. Needs root (tests here run as root); else skipped.

import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';

/** The uid and gid of `nobody` when this process is root and can run commands as it; else null. */
export const otherUser: { uid: number; gid: number } | null = (() => {
  if (process.getuid?.() !== 0) return null;
  const uid = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'nobody'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0 || spawnSync('runuser', ['-u', 'nobody', '--', 'true']).status !== 0) return null;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
})();

export const SKIP_OTHER_USER = otherUser ? false : 'needs root and the user nobody (runuser)';

/** Whether `nobody` can read the file (cat) or list the folder (ls). */
export function readableByOtherUser(path: string): boolean {
  const command = statSync(path).isDirectory() ? 'ls' : 'cat';
  return spawnSync('runuser', ['-u', 'nobody', '--', command, path], { stdio: 'ignore' }).status === 0;
}
