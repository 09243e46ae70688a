import { join } from 'node:path';
import type { RunSpec } from './executor';

// What a container gives for free, rebuilt from util-linux tools around the task's command: the
// command line of wrappers, the task's environment and its resource limits. Pure decisions; the
// host is probed for the tools by process-host.ts.

export const TASK_PATH = '/usr/local/bin:/usr/bin:/bin';
/** The task's temporary folder in its workspace: TMPDIR, and /tmp & co. in its mount namespace. */
export const TASK_TMP = '.tmp';
/** Where the tools are looked for, in this order. */
export const TOOL_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];
const MIB = 1024 * 1024;

/**
 * Run by sh in the task's new mount namespace, as root, before the limits and the user change:
 * `$1` the workspace's TASK_TMP, `$2` the workspace, `$3` mount, `$4` mkdir, then the folders to
 * cover, `--`, the command. A workspace inside a covered folder (WORK_DIR under /tmp) is bound back
 * at its own path inside TASK_TMP first, so that the task still finds it where its variables say.
 * Every program is named by its absolute path: the task's environment (its PATH) is in force here.
 */
export const BIND_TMP_SCRIPT = [
  'tmp=$1 ws=$2 mount=$3 mkdir=$4; shift 4',
  'for d in "$@"; do [ "$d" = -- ] && break',
  '  case "$ws/" in "$d"/*) rel=${ws#"$d"/}; "$mkdir" -p "$tmp/$rel" && "$mount" --bind "$ws" "$tmp/$rel" || exit 126;; esac',
  'done',
  'while [ "$1" != -- ]; do "$mount" --rbind "$tmp" "$1" || exit 126; shift; done',
  'shift; exec "$@"',
].join('\n');

export interface Tools {
  prlimit: string;
  setpriv: string;
  /** Only when the worker is root and network (or mount) namespaces can be made here. */
  unshare?: string;
  /** Only when the worker is root and mount namespaces can be made: the task gets a private /tmp. */
  privateTmp?: { sh: string; mount: string; mkdir: string };
  /** Gives the task the loader's variables once it runs as its own user (splitLoaderEnv). */
  env?: string;
}

/** Without rlimits or no-new-privs a task could take the machine down; refuse instead. */
export function requireTools(tools: Partial<Tools>): Tools {
  const { prlimit, setpriv } = tools;
  if (prlimit === undefined || setpriv === undefined) {
    throw new Error(
      `${prlimit === undefined ? 'prlimit' : 'setpriv'} not found in ${TOOL_DIRS.join(', ')}: ` +
        'install util-linux to run tasks without Docker',
    );
  }
  return { ...tools, prlimit, setpriv };
}

export interface WrapperContext {
  /** The user the task runs as when the worker is root (setpriv changes to it); else undefined. */
  user?: { uid: number; gid: number };
  /** Threads its uid already runs on the machine (RLIMIT_NPROC counts them). */
  tasksOwned: number;
  /** `NAME=value` of the loader's variables (splitLoaderEnv), given after the user change. */
  loaderEnv: string[];
  /** The host's world-writable folders the private /tmp covers (used with tools.privateTmp). */
  sharedTmpDirs: string[];
}

/**
 * The programs before the task's command:
 *   unshare --mount [--net] (root only; --net unless the task may use the network)
 *   → sh binding the workspace's .tmp over the host's world-writable folders (/tmp, /var/tmp,
 *     /dev/shm, …) in that private mount namespace, so what the task writes there counts towards
 *     its storage quota instead of filling the host's disk or memory
 *   → prlimit (address space, processes, file size, open files, no core dumps)
 *   → setpriv (root: the task's uid/gid without supplementary groups; always: no new privileges)
 *   → env with the loader's variables, when there are any.
 * Each tool execs the next, so the spawned pid is the task's main process and leads its own group.
 */
export function wrapperArgv(spec: RunSpec, tools: Tools, context: WrapperContext): string[] {
  const argv: string[] = [];
  const net = tools.unshare !== undefined && !spec.networkAllowed;
  const privateTmp = tools.privateTmp !== undefined;
  if (tools.unshare && (net || privateTmp)) {
    argv.push(tools.unshare, ...(privateTmp ? ['--mount', '--propagation', 'private'] : []));
    argv.push(...(net ? ['--net'] : []), '--');
  }
  if (tools.privateTmp) {
    const { sh, mount, mkdir } = tools.privateTmp;
    argv.push(sh, '-c', BIND_TMP_SCRIPT, 'hivemind-tmp', join(spec.workspace, TASK_TMP), spec.workspace);
    argv.push(mount, mkdir, ...context.sharedTmpDirs, '--');
  }
  argv.push(tools.prlimit, ...rlimitArgs(spec, context.tasksOwned), '--');
  argv.push(tools.setpriv);
  const { user } = context;
  if (user) argv.push(`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups');
  argv.push('--no-new-privs', '--');
  if (context.loaderEnv.length > 0) {
    if (!tools.env)
      throw new Error(
        `env not found in ${TOOL_DIRS.join(', ')}: cannot give the task ${context.loaderEnv[0].split('=')[0]}`,
      );
    argv.push(tools.env, ...context.loaderEnv);
  }
  return argv;
}

/**
 * Variables that make the dynamic loader, libc or the C library's helpers load or read files of
 * the caller's choosing (what glibc drops for set-uid programs): LD_PRELOAD=./evil.so from the
 * input would otherwise run code as root in unshare, sh, prlimit and setpriv, which run before the
 * task's user is taken. They reach the task through `env`, after setpriv.
 */
const LOADER_PREFIXES = ['LD_', 'MALLOC_'];
const LOADER_VARIABLES = new Set([
  'GCONV_PATH',
  'GETCONF_DIR',
  'GLIBC_TUNABLES',
  'HOSTALIASES',
  'LOCALDOMAIN',
  'LOCPATH',
  'NIS_PATH',
  'NLSPATH',
  'RESOLV_HOST_CONF',
  'RES_OPTIONS',
  'TZDIR',
]);

export function splitLoaderEnv(all: Record<string, string>): {
  env: Record<string, string>;
  loaderEnv: string[];
} {
  const env: Record<string, string> = {};
  const loaderEnv: string[] = [];
  for (const [name, value] of Object.entries(all)) {
    if (LOADER_VARIABLES.has(name) || LOADER_PREFIXES.some((p) => name.startsWith(p))) {
      loaderEnv.push(`${name}=${value}`);
    } else env[name] = value;
  }
  return { env, loaderEnv };
}

/** A clean environment: the worker's own holds secrets. Folders are host paths here. */
export function taskEnv(spec: RunSpec): Record<string, string> {
  return {
    PATH: TASK_PATH,
    HOME: spec.workspace,
    LANG: 'C.UTF-8',
    PYTHONUNBUFFERED: '1',
    TMPDIR: join(spec.workspace, TASK_TMP),
    ...spec.env,
    HIVEMIND_WORKSPACE: spec.workspace,
    HIVEMIND_TASK_DIR: join(spec.workspace, 'input'),
    HIVEMIND_OUTPUT_DIR: join(spec.workspace, 'output'),
  };
}

/**
 * prlimit options. --as bounds each process's address space, which runtimes reserve far beyond
 * what they touch (thread stacks, malloc arenas), so it gets twice the memory and at least 512 MiB.
 * RLIMIT_NPROC counts every task of the uid on the machine, so the uid's current count is added.
 */
export function rlimitArgs(spec: RunSpec, tasksAlreadyOwned: number): string[] {
  const args = ['--nofile=1024', '--core=0'];
  if (spec.memoryMb > 0) args.push(`--as=${Math.max(spec.memoryMb * 2, 512) * MIB}`);
  if (spec.pidsLimit > 0) args.push(`--nproc=${spec.pidsLimit + tasksAlreadyOwned}`);
  if (spec.storageMb > 0) args.push(`--fsize=${spec.storageMb * MIB}`);
  return args;
}
