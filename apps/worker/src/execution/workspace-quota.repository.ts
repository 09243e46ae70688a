import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import {
  access,
  lstat,
  mkdir,
  open,
  opendir,
  readFile,
  realpath,
  rm,
  rmdir,
  stat,
  statfs,
} from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { Logger } from '@nestjs/common';
import {
  chooseQuotaMode,
  inodeBudget,
  isFull,
  mkfsArgs,
  mountArgs,
  nextScanDelayMs,
  overQuota,
  quotaBytes,
  type QuotaMode,
  type QuotaSetting,
  type WorkspaceUsage,
} from './storage-quota';

// The disk side of the storage quota (rules in storage-quota.ts): makes, mounts and removes each
// attempt's workspace file system (loop mode), or walks the workspace (accounting mode), and finds
// what a crashed worker left mounted.

const run = promisify(execFile);
const TOOL_DIRS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];
const TOOL_ENV = { PATH: TOOL_DIRS.join(':'), LC_ALL: 'C' };
const TOOL_TIMEOUT_MS = 60_000;
const PROBE_MB = 16;
const LOOP_SAMPLE_MS = 1000;
/** Folders read at once by an accounting walk. */
const WALK_BATCH = 64;

interface LoopTools {
  mkfs: string;
  mount: string;
  umount: string;
}

/** Watches one running attempt's workspace; `stop()` says whether the quota was reached. */
export interface QuotaWatch {
  stop(): Promise<boolean>;
}

export class WorkspaceQuota {
  private readonly logger = new Logger('StorageQuota');

  private constructor(
    readonly mode: QuotaMode,
    /** Why this mode, for the start-up log and the status API. */
    readonly why: string,
    private readonly tools?: LoopTools,
  ) {}

  /**
   * Picks the mode (see chooseQuotaMode): for loop, a real 16 MB image is made, mounted and removed
   * in `workDir` first, so that a missing loop device or a refused mount shows at start-up.
   */
  static async create(setting: QuotaSetting, workDir: string): Promise<WorkspaceQuota> {
    let tools: LoopTools | undefined;
    let failure: string | undefined;
    if (setting !== 'accounting') {
      try {
        tools = await findLoopTools();
        await probe(tools, workDir);
      } catch (error) {
        failure = (error as Error).message;
      }
    }
    const { mode, why } = chooseQuotaMode(setting, failure);
    const quota = new WorkspaceQuota(mode, why, mode === 'loop' ? tools : undefined);
    if (mode === 'loop') quota.logger.log(`storage quota: ${why}`);
    else
      quota.logger.warn(
        `storage quota: accounting (${why}): workspaces are walked and a task is stopped once it is over its storage_gb; it can pass it by what it writes between two walks`,
      );
    return quota;
  }

  /**
   * Makes the attempt's workspace at `ws` (absent or empty): loop mode makes `<ws>.img` (sparse,
   * exactly the quota), formats it and mounts it at `ws`.
   */
  async prepare(ws: string, storageMb: number): Promise<void> {
    await mkdir(ws, { recursive: true });
    if (!this.tools) return;
    await this.release(ws); // an earlier try of this attempt (a crash during preparation)
    await mkdir(ws, { recursive: true });
    const image = imageOf(ws);
    // O_NOFOLLOW: nothing of the task's is in the attempt folder yet, but be strict anyway
    const file = await open(
      image,
      constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
      0o600,
    );
    try {
      await file.truncate(quotaBytes(storageMb));
    } finally {
      await file.close();
    }
    await tool(this.tools.mkfs, mkfsArgs(image), 'format the workspace');
    await tool(this.tools.mount, mountArgs(image, ws), 'mount the workspace');
    // mkfs's lost+found would show in /workspace; e2fsck makes it again when it needs one
    await rmdir(join(ws, 'lost+found')).catch(() => undefined);
  }

  /** Mounts the workspace again when its image is there but not mounted (after a reboot). */
  async reattach(ws: string): Promise<void> {
    if (!this.tools || (await isMountpoint(ws))) return;
    if (!(await exists(imageOf(ws)))) return; // made in accounting mode, or by an older worker
    await mkdir(ws, { recursive: true });
    await tool(this.tools.mount, mountArgs(imageOf(ws), ws), 'mount the workspace again');
    this.logger.log(`mounted ${ws} again`);
  }

  /**
   * Unmounts the workspace (lazily when something still holds it: the file system goes once the
   * last holder does) and removes its image. Never throws: a clean-up must not fail an attempt;
   * the next start sweeps what is left.
   */
  async release(ws: string): Promise<void> {
    try {
      if (await isMountpoint(ws)) await this.unmount(ws);
      await rm(imageOf(ws), { force: true });
    } catch (error) {
      this.logger.warn(`release ${ws}: ${(error as Error).message}`);
    }
  }

  /**
   * At start-up: unmounts what is mounted under `attemptsDir` other than the workspaces in `keep`
   * (attempts taken back), whichever mode made it. Returns the mount points released.
   */
  async sweep(attemptsDir: string, keep: Set<string>): Promise<string[]> {
    // mountinfo has real paths: WORK_DIR may go through a link
    const real = await realpath(attemptsDir).catch(() => resolve(attemptsDir));
    const kept = new Set([...keep].map((ws) => relative(resolve(attemptsDir), ws)));
    const stray = (await mountPoints())
      .filter((m) => m.startsWith(real + sep) && !kept.has(relative(real, m)))
      .sort((a, b) => b.length - a.length);
    for (const mount of stray) await this.release(mount);
    return stray;
  }

  /**
   * While the attempt runs. Loop: notes whether the file system filled up (sampled each second and
   * at the end). Accounting: walks the workspace (see nextScanDelayMs) and calls `exceeded` with the
   * reason once, as soon as a walk finds it over.
   */
  watch(ws: string, storageMb: number, exceeded: (reason: string) => void): QuotaWatch {
    return this.mode === 'loop' ? watchLoop(ws) : watchAccounting(ws, storageMb, exceeded, this.logger);
  }

  private async unmount(ws: string): Promise<void> {
    // a mount left by a loop-mode run is released in accounting mode too
    const umount = this.tools?.umount ?? (await findTool('umount')) ?? 'umount';
    try {
      await tool(umount, [ws], 'unmount the workspace');
    } catch (error) {
      this.logger.warn(`${(error as Error).message}; detaching it lazily`);
      await tool(umount, ['-l', ws], 'detach the workspace');
    }
  }
}

function watchLoop(ws: string): QuotaWatch {
  let full = false;
  const sample = async () => {
    full ||= await fileSystemFull(ws);
  };
  const timer = setInterval(() => void sample(), LOOP_SAMPLE_MS);
  return {
    async stop() {
      clearInterval(timer);
      await sample();
      return full;
    },
  };
}

function watchAccounting(
  ws: string,
  storageMb: number,
  exceeded: (reason: string) => void,
  logger: Logger,
): QuotaWatch {
  let over = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let walking: Promise<void> | undefined;
  const scan = async () => {
    const started = Date.now();
    try {
      const reason = overQuota(await measureWorkspace(ws, inodeBudget(storageMb)), storageMb);
      if (reason && !over) {
        over = true;
        exceeded(reason);
      }
    } catch (error) {
      logger.warn(`measuring ${ws}: ${(error as Error).message}`);
    }
    if (!stopped && !over) schedule(nextScanDelayMs(Date.now() - started));
  };
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      walking = scan();
    }, ms);
  };
  walking = scan();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await walking;
      return over;
    },
  };
}

/**
 * What a folder takes on its file system: allocated bytes (st_blocks, so a sparse file counts what
 * it really holds) of every entry, each inode once, without following links or crossing into
 * other file systems. Stops counting once `maxEntries` is passed (the verdict is known by then).
 */
export async function measureWorkspace(root: string, maxEntries = Infinity): Promise<WorkspaceUsage> {
  const top = await lstat(root);
  const seen = new Set<number>();
  let bytes = 0;
  let entries = 0;
  let folders = [root];
  while (folders.length > 0 && entries <= maxEntries) {
    const batch = folders.splice(0, WALK_BATCH);
    const found = await Promise.all(batch.map((folder) => listFolder(folder)));
    const next: string[] = [];
    for (const paths of found) {
      const stats = await Promise.all(paths.map((p) => lstat(p).catch(() => undefined)));
      stats.forEach((s, i) => {
        if (!s) return; // deleted since the listing
        entries++;
        if (s.dev !== top.dev) return; // a mount inside: not this file system's
        if (s.nlink > 1 || s.isDirectory()) {
          if (seen.has(s.ino)) return;
          seen.add(s.ino);
        }
        bytes += s.blocks * 512;
        if (s.isDirectory()) next.push(paths[i]);
      });
    }
    folders = next.concat(folders);
  }
  return { bytes, entries };
}

async function listFolder(folder: string): Promise<string[]> {
  try {
    const dir = await opendir(folder);
    const names: string[] = [];
    for await (const entry of dir) names.push(join(folder, entry.name));
    return names;
  } catch {
    return []; // removed meanwhile, or unreadable (the task chmodded it): its size is not seen
  }
}

async function fileSystemFull(ws: string): Promise<boolean> {
  try {
    const s = await statfs(ws);
    return isFull({ availBytes: s.bavail * s.bsize, freeInodes: s.ffree });
  } catch {
    return false;
  }
}

/** `<ws>.img`: the workspace's image sits beside it in the attempt folder, out of the task's reach. */
function imageOf(ws: string): string {
  return `${ws.replace(/[/\\]+$/, '')}.img`;
}

async function isMountpoint(path: string): Promise<boolean> {
  try {
    const [inner, outer] = await Promise.all([stat(path), stat(dirname(path))]);
    return inner.dev !== outer.dev;
  } catch {
    return false;
  }
}

/** Mount points of this mount namespace (/proc/self/mountinfo field 5, octal escapes undone). */
async function mountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) =>
      line.split(' ')[4].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))),
    );
}

async function findLoopTools(): Promise<LoopTools> {
  const [mkfs, mount, umount] = await Promise.all(['mkfs.ext4', 'mount', 'umount'].map(findTool));
  if (mkfs === undefined) throw new Error('mkfs.ext4 not found (install e2fsprogs)');
  if (mount === undefined || umount === undefined)
    throw new Error('mount/umount not found (install util-linux)');
  return { mkfs, mount, umount };
}

/** Root, the tools, and a real image made, mounted, written and removed in `workDir`. */
async function probe(tools: LoopTools, workDir: string): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the worker is not root');
  const dir = join(workDir, 'quota-probe');
  const ws = join(dir, 'ws');
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  await mkdir(ws, { recursive: true });
  let mounted = false;
  try {
    const image = imageOf(ws);
    const file = await open(image, 'w', 0o600);
    await file.truncate(PROBE_MB * 1024 * 1024).finally(() => file.close());
    await tool(tools.mkfs, mkfsArgs(image), 'format a test image');
    await tool(tools.mount, mountArgs(image, ws), 'mount a test image');
    mounted = true;
    await mkdir(join(ws, 'written'));
  } finally {
    if (mounted)
      await tool(tools.umount, [ws], 'unmount a test image').catch(() => run(tools.umount, ['-l', ws]));
    await rm(dir, { recursive: true, force: true });
  }
}

async function tool(file: string, args: string[], what: string): Promise<void> {
  try {
    await run(file, args, { env: TOOL_ENV, timeout: TOOL_TIMEOUT_MS });
  } catch (error) {
    const e = error as Error & { stderr?: string };
    const detail = (e.stderr?.trim() || e.message).split('\n')[0];
    throw new Error(`cannot ${what}: ${detail}`, { cause: error });
  }
}

async function findTool(name: string): Promise<string | undefined> {
  for (const dir of TOOL_DIRS) {
    const path = join(dir, name);
    if (await exists(path, constants.X_OK)) return path;
  }
  return undefined;
}

async function exists(path: string, mode = constants.F_OK): Promise<boolean> {
  return access(path, mode).then(
    () => true,
    () => false,
  );
}
