import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/*
 * PGlite is a single-process database: two processes opening one data directory corrupt it. The
 * first process takes `vigil.lock` in the directory (created exclusively, holding its pid and,
 * for a server, the path of its control socket). A lock whose pid is gone is stale and taken over.
 */

export type LockHolder = { pid: number; role: string; socket?: string };

export type LockResult = { acquired: true; release: () => void } | { acquired: false; holder: LockHolder };

export const LOCK_FILE = 'vigil.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(lockPath: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(lockPath, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/**
 * Where a server's control socket lives: in a directory of its own under tmp, private to the user
 * (0700), never inside the data directory, whose files a backup copies (a socket cannot be copied).
 * Named after the data directory, within the ~100 bytes a Unix socket path may have.
 */
export function controlSocketPath(dataDir: string): string {
  const hash = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  const dir = path.join(tmpdir(), `vigil-${process.getuid?.() ?? 0}-${hash}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { uid, mode } = statSync(dir);
  // Someone else's directory, or one others may enter, could let them drive this process.
  if (uid !== (process.getuid?.() ?? uid) || (mode & 0o077) !== 0)
    throw new Error(`${dir} must be a directory of this user's that only they can use (mode 0700)`);
  return path.join(dir, 'vigil.sock');
}

export function lockDataDir(dataDir: string, holder: Omit<LockHolder, 'pid'>): LockResult {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, ...holder };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, JSON.stringify(mine));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        if (readHolder(lockPath)?.pid === process.pid) unlinkSync(lockPath);
      };
      process.once('exit', release);
      return { acquired: true, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = readHolder(lockPath);
    if (current && isAlive(current.pid) && current.pid !== process.pid)
      return { acquired: false, holder: current };
    // Stale (its process is gone) or unreadable (a writer died mid-write): take it over.
    try {
      unlinkSync(lockPath);
    } catch {
      // Someone else removed it first; try again.
    }
  }
  const current = readHolder(lockPath);
  return { acquired: false, holder: current ?? { pid: 0, role: 'unknown' } };
}
