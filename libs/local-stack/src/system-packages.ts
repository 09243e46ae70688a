import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A program the local stack needs and the Debian package that provides it. */
export interface Requirement {
  binary: string;
  pkg: string;
  /** Found by something other than PATH lookup (e.g. PostgreSQL's versioned bin directory). */
  present?: () => boolean;
}

export const REQUIREMENTS = {
  postgres: { binary: 'postgres', pkg: 'postgresql' },
  redis: { binary: 'redis-server', pkg: 'redis-server' },
  docker: { binary: 'dockerd', pkg: 'docker.io' },
  debootstrap: { binary: 'debootstrap', pkg: 'debootstrap' },
  busybox: { binary: 'busybox', pkg: 'busybox-static' },
  wireguard: { binary: 'wg', pkg: 'wireguard-tools' },
  /** Userspace WireGuard, where the kernel has no module (the VPN tunnel test, VPN_AUTO_JOIN). */
  wireguardGo: { binary: 'wireguard-go', pkg: 'wireguard-go' },
  /** ip (namespaces, links) and ss. */
  iproute2: { binary: 'ip', pkg: 'iproute2' },
  nss: { binary: 'certutil', pkg: 'libnss3-tools' },
  // the seed's Python examples run as written in a test (python3-grpc-tools brings python3-grpcio)
  pythonGrpc: {
    binary: 'python3',
    pkg: 'python3-grpc-tools',
    present: () =>
      spawnSync('/usr/bin/python3', ['-c', 'import grpc, grpc_tools'], { stdio: 'ignore' }).status === 0,
  },
} satisfies Record<string, Requirement>;

export function onPath(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

export type InstallPlan =
  | { kind: 'nothing' }
  | { kind: 'apt'; packages: string[] }
  | { kind: 'manual'; packages: string[]; message: string };

/** Pure: what to do about the missing requirements on this machine. */
export function planInstall(
  missing: Requirement[],
  machine: { root: boolean; debian: boolean },
): InstallPlan {
  const packages = [...new Set(missing.map((r) => r.pkg))];
  if (packages.length === 0) return { kind: 'nothing' };
  if (machine.root && machine.debian) return { kind: 'apt', packages };
  const how = machine.debian
    ? `sudo apt-get install -y ${packages.join(' ')}`
    : `install ${packages.join(', ')} with your system's package manager`;
  return {
    kind: 'manual',
    packages,
    message: `HiveMind needs ${missing.map((r) => r.binary).join(', ')}, which this machine lacks: ${how}`,
  };
}

export function isDebianLike(): boolean {
  return existsSync('/etc/debian_version') && onPath('apt-get');
}

/** Installs what is missing through apt when we may (root on Debian/Ubuntu); otherwise throws one clear line. */
export function ensureSystemPackages(required: Requirement[], log: (line: string) => void): void {
  const missing = required.filter((r) => !(r.present?.() ?? onPath(r.binary)));
  const plan = planInstall(missing, { root: process.getuid?.() === 0, debian: isDebianLike() });
  if (plan.kind === 'nothing') return;
  if (plan.kind === 'manual') throw new Error(plan.message);
  log(`installing ${plan.packages.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = spawnSync(
    'apt-get',
    ['install', '-y', '-qq', '--no-install-recommends', ...plan.packages],
    {
      stdio: 'inherit',
      env,
    },
  );
  if (update.status !== 0 || install.status !== 0) {
    throw new Error(
      `apt-get could not install ${plan.packages.join(' ')}; run it by hand: apt-get install -y ${plan.packages.join(' ')}`,
    );
  }
}
