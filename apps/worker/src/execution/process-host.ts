import { Logger } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, chmod, lchown, lstat, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { TASK_PATH, TOOL_DIRS, type Tools } from './process-sandbox';

// What the process executor asks of the host before a task starts: which tools it has and which
// namespaces work, which of its folders the private /tmp covers, the task's default command, and
// the workspace handed to the task's user.

/** Folders anyone may write to, which the task gets its own TASK_TMP over (when they exist). */
const SHARED_TMP_DIRS = ['/tmp', '/var/tmp', '/dev/shm', '/run/lock', '/run/shm'];

const logger = new Logger('ProcessExecutor');

export function ownIds(): { uid: number; gid: number } {
  if (!process.getuid || !process.getgid) throw new Error('the process executor needs a POSIX system');
  return { uid: process.getuid(), gid: process.getgid() };
}

export async function findTools(asRoot: boolean): Promise<Partial<Tools>> {
  const [prlimit, setpriv, unshare, sh, mount, mkdirTool, env] = await Promise.all(
    ['prlimit', 'setpriv', 'unshare', 'sh', 'mount', 'mkdir', 'env'].map(findTool),
  );
  const canIsolate = asRoot && unshare !== undefined && (await namespaceWorks(unshare, '--net'));
  if (!canIsolate) {
    logger.warn('no network isolation (needs root and a working `unshare --net`): tasks can use the network');
  }
  const privateTmp =
    sh !== undefined && mount !== undefined && mkdirTool !== undefined
      ? { sh, mount, mkdir: mkdirTool }
      : undefined;
  const canHideTmp =
    asRoot && unshare !== undefined && privateTmp !== undefined && (await namespaceWorks(unshare, '--mount'));
  if (!canHideTmp) {
    logger.warn(
      "no private /tmp (needs root and a working `unshare --mount`): what a task writes to the host's /tmp is not counted in its storage quota",
    );
  }
  if (!asRoot) logger.warn(`the worker is not root: tasks run as its own user (uid ${ownIds().uid})`);
  return {
    prlimit,
    setpriv,
    env,
    ...(canIsolate || canHideTmp ? { unshare } : {}),
    ...(canHideTmp ? { privateTmp } : {}),
  };
}

async function findTool(name: string): Promise<string | undefined> {
  for (const dir of TOOL_DIRS) {
    const path = join(dir, name);
    if (await exists(path, fsConstants.X_OK)) return path;
  }
  return undefined;
}

async function namespaceWorks(unshare: string, kind: '--net' | '--mount'): Promise<boolean> {
  try {
    await promisify(execFile)(unshare, [kind, 'true'], { env: { PATH: TASK_PATH } });
    return true;
  } catch (error) {
    logger.warn(`\`unshare ${kind}\` fails here: ${(error as Error).message.split('\n')[0]}`);
    return false;
  }
}

/** The SHARED_TMP_DIRS of this host that are real folders anyone may write to. */
export async function sharedTmpDirs(): Promise<string[]> {
  const found = await Promise.all(
    SHARED_TMP_DIRS.map(async (dir) => {
      const info = await lstat(dir).catch(() => undefined);
      return info?.isDirectory() && (info.mode & 0o002) !== 0 ? dir : undefined;
    }),
  );
  return found.filter((dir) => dir !== undefined);
}

export async function defaultCommand(inputDir: string): Promise<string[]> {
  if (await exists(join(inputDir, 'run.sh'))) return ['sh', 'run.sh'];
  if (await exists(join(inputDir, 'main.py'))) return ['python3', '-u', 'main.py'];
  throw new Error('neither run.sh nor main.py in the input; give the task a command or add one of them');
}

/** chown -R without following symlinks: the input is the task's, its links may point anywhere. */
export async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  const info = await lstat(path);
  // a hard link to a file outside the workspace would hand that file to the task
  if (info.isFile() && info.nlink > 1) return;
  await lchown(path, uid, gid);
  if (!info.isDirectory()) return;
  for (const name of await readdir(path)) await chownTree(join(path, name), uid, gid);
}

/** The task's user must be able to reach its workspace: o+x on every ancestor that lacks it. */
export async function makeTraversable(dir: string): Promise<void> {
  for (let current = dir; ; current = dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) await chmod(current, (mode & 0o7777) | 0o001);
    if (dirname(current) === current) return;
  }
}

async function exists(path: string, mode = fsConstants.F_OK): Promise<boolean> {
  return access(path, mode).then(
    () => true,
    () => false,
  );
}
