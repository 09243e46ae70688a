import type { RunSpec } from './executor';
import {
  BIND_TMP_SCRIPT,
  type Tools,
  requireTools,
  rlimitArgs,
  splitLoaderEnv,
  taskEnv,
  wrapperArgv,
} from './process-sandbox';

const MIB = 1024 * 1024;

function spec(overrides: Partial<RunSpec> = {}): RunSpec {
  return {
    attemptId: 'a-1',
    taskId: 't-1',
    image: '',
    command: [],
    env: {},
    workspace: '/work/ws',
    hasInput: true,
    cpuMillicores: 1000,
    memoryMb: 0,
    pidsLimit: 0,
    storageMb: 0,
    networkAllowed: false,
    gpu: false,
    labels: {},
    ...overrides,
  };
}

const BASE_TOOLS: Tools = { prlimit: '/usr/bin/prlimit', setpriv: '/usr/bin/setpriv', env: '/usr/bin/env' };
const ROOT_TOOLS: Tools = {
  ...BASE_TOOLS,
  unshare: '/usr/bin/unshare',
  privateTmp: { sh: '/bin/sh', mount: '/bin/mount', mkdir: '/bin/mkdir' },
};
const NO_LIMITS = ['--nofile=1024', '--core=0'];
const CONTEXT = { tasksOwned: 0, loaderEnv: [], sharedTmpDirs: ['/tmp', '/dev/shm'] };
const PRIVATE_TMP = [
  ...['/bin/sh', '-c', BIND_TMP_SCRIPT, 'hivemind-tmp', '/work/ws/.tmp', '/work/ws'],
  ...['/bin/mount', '/bin/mkdir', '/tmp', '/dev/shm', '--'],
];
/** A root worker with every tool: `unshare` with these options, then the private /tmp, limits, nobody. */
const asRootWith = (unshare: string[]) => [
  ...['/usr/bin/unshare', ...unshare, '--'],
  ...PRIVATE_TMP,
  ...['/usr/bin/prlimit', ...NO_LIMITS, '--'],
  ...['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--no-new-privs', '--'],
];

describe(wrapperArgv.name, () => {
  it.each<[string, Partial<RunSpec>, Tools, Partial<Parameters<typeof wrapperArgv>[2]>, string[]]>([
    [
      'not root: limits and no new privileges only',
      {},
      BASE_TOOLS,
      {},
      ['/usr/bin/prlimit', ...NO_LIMITS, '--', '/usr/bin/setpriv', '--no-new-privs', '--'],
    ],
    [
      'root, no network: new mount and network namespaces, private /tmp, the task user',
      {},
      ROOT_TOOLS,
      { user: { uid: 65534, gid: 65534 } },
      asRootWith(['--mount', '--propagation', 'private', '--net']),
    ],
    [
      'root, network allowed: a mount namespace only',
      { networkAllowed: true },
      ROOT_TOOLS,
      { user: { uid: 65534, gid: 65534 } },
      asRootWith(['--mount', '--propagation', 'private']),
    ],
    [
      'root without mount namespaces, network allowed: no unshare at all',
      { networkAllowed: true },
      { ...BASE_TOOLS, unshare: '/usr/bin/unshare' },
      { user: { uid: 1000, gid: 1000 } },
      [
        ...['/usr/bin/prlimit', ...NO_LIMITS, '--'],
        ...['/usr/bin/setpriv', '--reuid=1000', '--regid=1000', '--clear-groups', '--no-new-privs', '--'],
      ],
    ],
    [
      "loader variables: given by env after the user change, with the uid's running tasks in nproc",
      { pidsLimit: 10 },
      BASE_TOOLS,
      { loaderEnv: ['LD_PRELOAD=./x.so'], tasksOwned: 5 },
      [
        ...['/usr/bin/prlimit', ...NO_LIMITS, '--nproc=15', '--'],
        ...['/usr/bin/setpriv', '--no-new-privs', '--'],
        ...['/usr/bin/env', 'LD_PRELOAD=./x.so'],
      ],
    ],
  ])('%s', (_case, overrides, tools, context, expected) => {
    expect(wrapperArgv(spec(overrides), tools, { ...CONTEXT, ...context })).toEqual(expected);
  });

  it('refuses loader variables when env is missing, naming the variable', () => {
    const tools = { prlimit: '/usr/bin/prlimit', setpriv: '/usr/bin/setpriv' };
    expect(() => wrapperArgv(spec(), tools, { ...CONTEXT, loaderEnv: ['GCONV_PATH=/x'] })).toThrow(
      'env not found in /usr/bin, /bin, /usr/sbin, /sbin: cannot give the task GCONV_PATH',
    );
  });
});

describe(requireTools.name, () => {
  it.each([
    [{ setpriv: '/usr/bin/setpriv' }, /^prlimit not found in \/usr\/bin, .*install util-linux/],
    [{ prlimit: '/usr/bin/prlimit' }, /^setpriv not found in \/usr\/bin, .*install util-linux/],
  ])('refuses %p', (tools, message) => {
    expect(() => requireTools(tools)).toThrow(message);
  });

  it('passes the tools found through', () => {
    expect(requireTools(ROOT_TOOLS)).toEqual(ROOT_TOOLS);
  });
});

describe(splitLoaderEnv.name, () => {
  it.each([
    ['LD_PRELOAD', true],
    ['LD_LIBRARY_PATH', true],
    ['MALLOC_CHECK_', true],
    ['GCONV_PATH', true],
    ['GLIBC_TUNABLES', true],
    ['TZDIR', true],
    ['PATH', false],
    ['HOME', false],
    ['OLD_PRELOAD', false],
    ['TZ', false],
  ])('%s is a loader variable: %p', (name, loader) => {
    const { env, loaderEnv } = splitLoaderEnv({ [name]: 'v' });
    expect(loaderEnv).toEqual(loader ? [`${name}=v`] : []);
    expect(env).toEqual(loader ? {} : { [name]: 'v' });
  });
});

describe(taskEnv.name, () => {
  it("starts clean, takes the task's variables and keeps the HIVEMIND_ folders its own", () => {
    const env = taskEnv(spec({ env: { A: '1', PATH: '/opt/bin', HIVEMIND_WORKSPACE: '/elsewhere' } }));

    expect(env).toEqual({
      PATH: '/opt/bin',
      HOME: '/work/ws',
      LANG: 'C.UTF-8',
      PYTHONUNBUFFERED: '1',
      TMPDIR: '/work/ws/.tmp',
      A: '1',
      HIVEMIND_WORKSPACE: '/work/ws',
      HIVEMIND_TASK_DIR: '/work/ws/input',
      HIVEMIND_OUTPUT_DIR: '/work/ws/output',
    });
  });
});

describe(rlimitArgs.name, () => {
  it.each<[Partial<RunSpec>, number, string[]]>([
    [{}, 3, NO_LIMITS],
    [{ memoryMb: 100 }, 0, [...NO_LIMITS, `--as=${512 * MIB}`]], // runtimes reserve more than they use
    [{ memoryMb: 1024 }, 0, [...NO_LIMITS, `--as=${2048 * MIB}`]],
    [{ pidsLimit: 64 }, 7, [...NO_LIMITS, '--nproc=71']],
    [{ storageMb: 10 }, 0, [...NO_LIMITS, `--fsize=${10 * MIB}`]],
  ])('%p with %p tasks of the uid running → %p', (overrides, owned, expected) => {
    expect(rlimitArgs(spec(overrides), owned)).toEqual(expected);
  });
});
