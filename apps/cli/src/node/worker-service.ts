import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Env, SYSTEM_WORKER_CONFIG, defaultWorkerConfigFile } from '@hivemind/config';

export const WORKER_UNIT = 'hivemind-worker.service';

/** Where `node join` puts what it writes, and `node leave` finds it. */
export interface WorkerPaths {
  /** A system service (root) or the user's own (systemctl --user). */
  scope: 'system' | 'user';
  /** The worker's configuration (0600: it holds the owner's password). */
  configFile: string;
  /** The pool's CA certificate, when the CLI trusts the pool through one. */
  caFile: string;
  unitFile: string;
  workDir: string;
  /** Paths under a --prefix are not the live system's: systemctl is not called for them. */
  prefixed: boolean;
}

/**
 * Root: /etc/hivemind/worker.env, /etc/systemd/system/hivemind-worker.service, work in
 * /var/lib/hivemind-worker (all under `prefix` when given). Anyone else: worker.env in the CLI's
 * config folder, a user unit in ~/.config/systemd/user, work in ~/.local/share/hivemind/worker.
 */
export function workerPaths(env: Env, isRoot: boolean, prefix?: string): WorkerPaths {
  if (isRoot || prefix) {
    const at = (path: string) => (prefix ? join(prefix, path) : path);
    return {
      scope: 'system',
      configFile: at(SYSTEM_WORKER_CONFIG),
      caFile: at('/etc/hivemind/pool-ca.pem'),
      unitFile: at(`/etc/systemd/system/${WORKER_UNIT}`),
      workDir: at('/var/lib/hivemind-worker'),
      prefixed: !!prefix,
    };
  }
  const configFile = defaultWorkerConfigFile(env, false);
  const home = env.HOME || homedir();
  return {
    scope: 'user',
    configFile,
    caFile: join(configFile, '..', 'pool-ca.pem'),
    unitFile: join(env.XDG_CONFIG_HOME || join(home, '.config'), 'systemd', 'user', WORKER_UNIT),
    workDir: join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'hivemind', 'worker'),
    prefixed: false,
  };
}

/** One word of a unit's command line, quoted as systemd reads it when it needs to be. */
function unitWord(word: string): string {
  return /^[A-Za-z0-9_./:@+=,-]+$/.test(word) ? word : `"${word.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The worker's unit. Hardened only with what keeps Docker and the storage quota working: no
 * ProtectSystem=, PrivateTmp=, PrivateDevices= or any other option that gives the service a mount
 * namespace of its own, because the loop file systems the worker mounts for task workspaces must be
 * seen by dockerd, which bind-mounts them into the containers; and no RestrictNamespaces=, as the
 * process executor (no Docker) isolates tasks with unshare.
 */
export function workerUnit(o: {
  scope: 'system' | 'user';
  /** The Node binary and the hivemind-worker launcher it runs. */
  node: string;
  launcher: string;
  configFile: string;
  workDir: string;
  pool: string;
}): string {
  const exec = [o.node, o.launcher, '--config', o.configFile].map(unitWord).join(' ');
  const system = o.scope === 'system';
  return [
    '# Written by `hivemind node join`; `hivemind node leave` removes it. See docs/worker.md.',
    '[Unit]',
    `Description=HiveMind worker node (tasks from the node pool at ${o.pool})`,
    'Wants=network-online.target',
    `After=network-online.target${system ? ' docker.service' : ''}`,
    '',
    '[Service]',
    'Type=exec',
    `ExecStart=${exec}`,
    `WorkingDirectory=${unitWord(o.workDir)}`,
    'Restart=on-failure',
    'RestartSec=5',
    '# 78: a bad configuration (the journal names it); restarting would not help',
    'RestartPreventExitStatus=78',
    // SIGTERM to the worker alone (it leaves its containers for the next start to take back),
    // then SIGKILL to what is left in the group (the process executor's tasks)
    'KillMode=mixed',
    'TimeoutStopSec=60',
    'UMask=0077',
    'LimitNOFILE=65536',
    'NoNewPrivileges=yes',
    'RestrictSUIDSGID=yes',
    'RestrictRealtime=yes',
    'LockPersonality=yes',
    'SystemCallArchitectures=native',
    ...(system ? ['ProtectHostname=yes'] : []),
    '',
    '[Install]',
    `WantedBy=${system ? 'multi-user.target' : 'default.target'}`,
    '',
  ].join('\n');
}

/**
 * The worker's gRPC address from the pool's HTTP address and the gRPC port of the replica that
 * answered; the host is the one the user gave (a replica knows its port, not its public name).
 */
export function grpcAddressOf(server: string, grpcPort: number): string {
  const host = new URL(server).hostname;
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${grpcPort}`;
}
