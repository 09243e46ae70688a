import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Reads a user from /etc/passwd (no shell-out, no native module). */
export function findSystemUser(name: string): SystemUser | undefined {
  let passwd: string;
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) {
      return { name, uid: Number(uid), gid: Number(gid) };
    }
  }
  return undefined;
}

/**
 * The unprivileged account PostgreSQL runs as when we are root (initdb refuses root):
 * Debian's `postgres` user when the package created it, else a system user we create.
 */
export function ensureServiceUser(preferred = 'postgres', fallback = 'hivemind'): SystemUser {
  const existing = findSystemUser(preferred) ?? findSystemUser(fallback);
  if (existing) return existing;
  const created = spawnSync(
    'useradd',
    ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', fallback],
    {
      encoding: 'utf8',
    },
  );
  const user = findSystemUser(fallback);
  if (created.status !== 0 || !user) {
    throw new Error(
      `cannot create the system user "${fallback}" to run PostgreSQL: ${created.stderr?.trim() ?? ''}`,
    );
  }
  return user;
}

/** True when `user` can enter `dir`: checked as that user, so every parent directory counts too. */
export function canEnterAs(user: SystemUser, dir: string): boolean {
  return spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid }).status === 0;
}
