// The rules of an attempt's storage quota (storage_gb), as plain functions: the repository that
// makes file systems and walks folders (workspace-quota.repository.ts) and the attempt runner
// decide with these. See docs/worker.md "Storage quota".
//
// Two modes. `loop`: the workspace is a file system of its own, a sparse ext4 image of exactly the
// quota loop-mounted at the workspace, so the task cannot put more on the host's disk than the
// quota whatever it does (it gets ENOSPC). `accounting`: where the worker cannot mount (not root,
// no loop device, no mkfs.ext4), the workspace is walked periodically and the task is stopped as
// soon as a walk finds it over; it can pass the quota by what it writes between two walks.
import { TASK_LIMITS } from '@hivemind/contracts';

export type QuotaMode = 'loop' | 'accounting';
/** STORAGE_QUOTA_MODE: auto picks loop when the start-up probe succeeds, accounting otherwise. */
export type QuotaSetting = 'auto' | QuotaMode;

const MIB = 1024 * 1024;

/**
 * The quota of a task that gives no storage (storage_mb 0: tasks submitted before storage_gb had a
 * minimum): the pool's default storage_gb (1 GB, the seed's), never "no limit".
 */
export const DEFAULT_QUOTA_MB = TASK_LIMITS.storage_gb.default * 1024;

/**
 * Bytes of quota per inode: the ext4 image gets one inode per 8 KiB (3 % of it for inode tables),
 * and accounting allows as many files and folders. A workspace of small files (a Python virtualenv,
 * the 10,000 files an input may unpack to within 100 MB) runs out of space before inodes.
 */
export const BYTES_PER_INODE = 8192;

/** A loop file system with less than this free has been filled (ENOSPC leaves it at 0). */
export const FULL_MARGIN_BYTES = MIB;

/** Accounting walks: at most one per this many ms, and at least 10 × the last walk's duration apart. */
export const MIN_SCAN_INTERVAL_MS = 250;
const MAX_SCAN_INTERVAL_MS = 10_000;
const SCAN_COST_FACTOR = 10;

/** mount(8) arguments of a workspace image: no devices or set-uid files, no atime writes. */
export function mountArgs(image: string, mountPoint: string): string[] {
  return ['-t', 'ext4', '-o', 'loop,nosuid,nodev,noatime,noinit_itable', image, mountPoint];
}

/** The quota of an attempt, in MB (MiB). */
export function quotaMb(storageMb: number): number {
  return storageMb > 0 ? Math.ceil(storageMb) : DEFAULT_QUOTA_MB;
}

export function quotaBytes(storageMb: number): number {
  return quotaMb(storageMb) * MIB;
}

/** How many files and folders the quota allows (the ext4 image's inode count, roughly). */
export function inodeBudget(storageMb: number): number {
  return Math.floor(quotaBytes(storageMb) / BYTES_PER_INODE);
}

/** The attempt's error when the quota is why it failed (the task's fault: it would do it again). */
export function quotaMessage(storageMb: number): string {
  return `storage quota reached: the task wrote more than its storage_gb allows (${quotaMb(storageMb)} MB)`;
}

function inodeMessage(storageMb: number): string {
  return `storage quota reached: the task made more than ${inodeBudget(storageMb)} files and folders, the most its storage_gb (${quotaMb(storageMb)} MB) allows`;
}

/**
 * mkfs.ext4 arguments for a workspace image, chosen to be cheap for the sparse file and to give the
 * task as much of it as possible: no journal (a workspace does not outlive a crash of the machine;
 * the journal would be written in full at mkfs: 4-32 MB per attempt), no reserved blocks (-m 0),
 * no room to grow (^resize_inode), 4 KiB blocks, one inode per BYTES_PER_INODE, inode tables left
 * uninitialised (they read as zeros from the sparse file; `noinit_itable` at mount keeps the kernel
 * from zeroing them later, which would allocate them on the host), no discard pass over the file.
 */
export function mkfsArgs(image: string): string[] {
  return [
    '-q',
    '-F',
    '-t',
    'ext4',
    '-m',
    '0',
    '-O',
    '^has_journal,^resize_inode',
    '-b',
    '4096',
    '-I',
    '256',
    '-i',
    String(BYTES_PER_INODE),
    '-E',
    'lazy_itable_init=1,nodiscard',
    image,
  ];
}

/**
 * The mode a worker uses. `auto` takes loop when the probe (root, the tools, a real mkfs + mount of
 * a small image) worked; `loop` without a working probe is a start-up error rather than a silent
 * downgrade; `accounting` is always possible.
 */
export function chooseQuotaMode(
  setting: QuotaSetting,
  probeFailure: string | undefined,
): { mode: QuotaMode; why: string } {
  if (setting === 'accounting') return { mode: 'accounting', why: 'STORAGE_QUOTA_MODE=accounting' };
  if (probeFailure === undefined) return { mode: 'loop', why: 'a loop-mounted ext4 image per attempt' };
  if (setting === 'loop') {
    throw new Error(
      `STORAGE_QUOTA_MODE=loop but workspaces cannot be loop-mounted here: ${probeFailure}; ` +
        'run the worker as root with mkfs.ext4 (e2fsprogs) and loop devices, or set STORAGE_QUOTA_MODE=auto or accounting',
    );
  }
  return { mode: 'accounting', why: `cannot loop-mount workspaces (${probeFailure})` };
}

/** What one accounting walk found. */
export interface WorkspaceUsage {
  /** Bytes allocated on the host (st_blocks × 512, each inode once: hard links count once). */
  bytes: number;
  /** Files, folders and other entries. */
  entries: number;
}

/** Why the task must be stopped, or undefined while it is within its quota. */
export function overQuota(usage: WorkspaceUsage, storageMb: number): string | undefined {
  if (usage.bytes > quotaBytes(storageMb)) return quotaMessage(storageMb);
  if (usage.entries > inodeBudget(storageMb)) return inodeMessage(storageMb);
  return undefined;
}

/**
 * Delay before the next accounting walk: MIN_SCAN_INTERVAL_MS, stretched so that walking never
 * takes more than a tenth of the time (a workspace of 100,000 files takes ~1 s to walk), capped.
 */
export function nextScanDelayMs(lastWalkMs: number): number {
  return Math.min(
    MAX_SCAN_INTERVAL_MS,
    Math.max(MIN_SCAN_INTERVAL_MS, Math.ceil(lastWalkMs * SCAN_COST_FACTOR)),
  );
}

/** A loop file system is full when (almost) no block or no inode is left. */
export function isFull(stats: { availBytes: number; freeInodes: number }): boolean {
  return stats.availBytes < FULL_MARGIN_BYTES || stats.freeInodes === 0;
}

/**
 * The quota's verdict on a run that ended by itself: in loop mode the task met ENOSPC and either
 * coped (it exited 0: its business) or failed; a failure with a full workspace is blamed on the
 * quota so that the user reads why, not only the task's own "No space left on device".
 */
export function quotaFailure(
  run: { exitCode: number; full: boolean },
  storageMb: number,
): string | undefined {
  return run.full && run.exitCode !== 0 ? quotaMessage(storageMb) : undefined;
}
