// The one way auditwatch creates its files and folders: private to the user who runs it. Folders it
// creates are 0700, files 0600, created exclusively (O_EXCL | O_NOFOLLOW: a file or symlink planted at
// the name makes the creation fail instead of being written through), and replaced atomically (a new
// private file renamed over the old one, so a pre-existing file keeps neither its owner nor its mode).
//
// Why this sits in core although core does no I/O: the store (DuckDB file, WAL, spill folder), the
// reports, the daemon's endpoint file and the CLI's secret files all need the same rule, and core is the
// only part every one of them may import. It is the single exception, and it only creates files.

import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;
const EXCLUSIVE = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

/** Creates `dir` and its missing parents; each folder created here is 0700 (existing ones are left as they are). */
export function ensurePrivateDir(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      statSync(d);
      break;
    } catch {
      missing.push(d);
      if (dirname(d) === d) break;
    }
  }
  mkdirSync(resolve(dir), { recursive: true, mode: PRIVATE_DIR_MODE });
  // mkdir's mode is narrowed by the umask, never widened; chmod makes it exactly 0700.
  for (const d of missing) chmodSync(d, PRIVATE_DIR_MODE);
}

/** Creates a new file with `data`, 0600; fails with EEXIST when anything (a file, a symlink) has that name. */
export function createPrivateFile(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, EXCLUSIVE, PRIVATE_FILE_MODE);
  try {
    if (process.platform !== 'win32') chmodSync(path, PRIVATE_FILE_MODE);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(path);
    throw err;
  }
  closeSync(fd);
}

/**
 * Writes `data` to `path` as a new private file (0600), atomically: a reader sees the old content or
 * the new, never half; a file that was there (whoever owned it, whatever its mode) is replaced, and a
 * symlink at `path` is replaced rather than followed. Creates missing folders 0700.
 */
export function writePrivateFile(path: string, data: string | Uint8Array): void {
  ensurePrivateDir(dirname(resolve(path)));
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  createPrivateFile(tmp, data);
  try {
    renameSync(tmp, path);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
}

/**
 * Files that another program creates for us (DuckDB's store file, its WAL, re-created after each
 * checkpoint, and its spill files) take their mode from the process umask: this narrows it so they are
 * created 0600 / 0700. Process-wide by nature; auditwatch never means to create a file others can read.
 */
export function restrictUmask(): void {
  try {
    process.umask(process.umask() | 0o077);
  } catch {
    // Worker threads cannot change the umask; the main thread has done it.
  }
}

/** Takes group and other permissions away from a file or folder this user owns (e.g. a store made by an older release). */
export function makePrivate(path: string): void {
  try {
    const st = statSync(path);
    if ((st.mode & 0o077) === 0 || (typeof process.getuid === 'function' && st.uid !== process.getuid())) return;
    chmodSync(path, st.mode & (st.isDirectory() ? 0o700 : 0o600));
  } catch {
    // Missing: nothing to tighten.
  }
}
