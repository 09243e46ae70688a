import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, createWriteStream, existsSync, writeFileSync } from 'node:fs';
import { type Server, connect, createServer } from 'node:net';
import { join } from 'node:path';

// Network namespaces for tests that need a real network between the pool and a worker without
// touching the machine's own: each test makes its namespaces (named PREFIX-<pid>-…), joins them with
// a veth pair, and removes them afterwards — also those a crashed earlier run left (their pid is
// gone). Services on the host (PostgreSQL, Redis, Docker) are reached through unix sockets, which
// no namespace separates: the only link between namespaces is the test's veth.

export const NETNS_PREFIX = 'hmvpn';

/**
 * Why this machine cannot run such a test, or undefined. The test fails with this reason rather
 * than passing unseen (there is no skip convention for kernel features in this project: Docker is
 * the one documented skip).
 */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  try {
    accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
  } catch {
    return '/dev/net/tun is missing (wireguard-go needs it): run on a machine or container that has it';
  }
  for (const tool of ['ip', 'wg', 'wg-quick', 'ss'])
    if (!onPath(tool)) return `${tool} is not installed (apt-get install iproute2 wireguard-tools)`;
  if (!existsSync('/sys/module/wireguard') && !onPath('wireguard-go'))
    return 'no WireGuard kernel module and no wireguard-go (apt-get install wireguard-go)';
  return undefined;
}

function onPath(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', timeout: 15_000 });
}

/** Removes the namespaces of earlier runs whose process is gone (a crash, a killed jest). */
export function removeStaleNamespaces(): void {
  for (const line of ip('netns', 'list').split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const pid = new RegExp(`^${NETNS_PREFIX}-(\\d+)-`).exec(name)?.[1];
    if (!pid || Number(pid) === process.pid || alive(Number(pid))) continue;
    new NetNs(name).destroy();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class NetNs {
  constructor(readonly name: string) {}

  static create(suffix: string): NetNs {
    const ns = new NetNs(`${NETNS_PREFIX}-${process.pid}-${suffix}`);
    ip('netns', 'add', ns.name);
    ip('-n', ns.name, 'link', 'set', 'lo', 'up');
    return ns;
  }

  /** Runs a program inside the namespace to completion; answers its stdout. */
  run(program: string, ...args: string[]): string {
    return execFileSync('ip', ['netns', 'exec', this.name, program, ...args], {
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'pipe'], // wireguard-go's banner stays out of the test's output
      env: { PATH: process.env.PATH },
    });
  }

  /** Starts a long-running program inside the namespace; its output goes to `logFile`. */
  spawn(program: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.name, program, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    return child;
  }

  /** Ends every process still in the namespace (wireguard-go daemons), then removes it. */
  destroy(): void {
    try {
      for (const pid of ip('netns', 'pids', this.name).split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      ip('netns', 'del', this.name);
    } catch {
      // already removed
    }
  }
}

/** A veth pair between two namespaces, `a` and `b` given addresses of one /30. */
export function link(a: NetNs, aAddress: string, b: NetNs, bAddress: string, prefix = 30): void {
  const [ea, eb] = [`${NETNS_PREFIX}${process.pid % 10000}a`, `${NETNS_PREFIX}${process.pid % 10000}b`];
  ip('link', 'add', ea, 'netns', a.name, 'type', 'veth', 'peer', 'name', eb, 'netns', b.name);
  ip('-n', a.name, 'addr', 'add', `${aAddress}/${prefix}`, 'dev', ea);
  ip('-n', b.name, 'addr', 'add', `${bAddress}/${prefix}`, 'dev', eb);
  ip('-n', a.name, 'link', 'set', ea, 'up');
  ip('-n', b.name, 'link', 'set', eb, 'up');
}

/** On the host: a unix socket whose connections are piped to 127.0.0.1:`port`. */
export function unixToHostPort(path: string, port: number): Promise<Server> {
  const server = createServer((c) => {
    const s = connect(port, '127.0.0.1');
    c.pipe(s).pipe(c);
    const end = () => {
      c.destroy();
      s.destroy();
    };
    c.on('error', end);
    s.on('error', end);
  });
  return new Promise((resolve) => server.listen(path, () => resolve(server)));
}

/**
 * A relay process inside `ns`: each mapping `listen=target`, where each side is `tcp:host:port` or
 * `unix:path`, accepts on the first and pipes to the second.
 */
export function startRelay(ns: NetNs, scratch: string, mappings: string[]): ChildProcess {
  const script = join(scratch, 'relay.js');
  writeFileSync(
    script,
    `const net = require('node:net');
const fs = require('node:fs');
const side = (s) => s.startsWith('unix:') ? { path: s.slice(5) } : { host: s.split(':')[1], port: Number(s.split(':')[2]) };
for (const mapping of process.argv.slice(2)) {
  const [from, to] = mapping.split('=').map(side);
  if (from.path) fs.rmSync(from.path, { force: true });
  net.createServer((c) => {
    const s = net.connect(to);
    c.pipe(s).pipe(c);
    const end = () => { c.destroy(); s.destroy(); };
    c.on('error', end); s.on('error', end);
  }).listen(from, () => process.stdout.write('listening ' + mapping + '\\n'));
}
`,
  );
  return ns.spawn(
    process.execPath,
    [script, ...mappings],
    { PATH: process.env.PATH },
    join(scratch, `relay-${ns.name}.log`),
  );
}
