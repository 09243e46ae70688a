import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';

/** Whether systemd runs this machine (as sd_booted() checks): systemctl can be used. */
export function systemdRunning(): boolean {
  return existsSync('/run/systemd/system');
}

/** `systemctl [--user] <args>`; its output when it fails. */
export function systemctl(scope: 'system' | 'user', args: string[]): { ok: boolean; output: string } {
  const result = spawnSync('systemctl', [...(scope === 'user' ? ['--user'] : []), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim() || (result.error?.message ?? '');
  return { ok: result.status === 0, output };
}

/**
 * Whether a Docker engine answers where the worker will look (DOCKER_HOST, else the local socket),
 * and if not, why, in words a volunteer can act on.
 */
export function checkDocker(
  env: Record<string, string | undefined>,
): Promise<{ usable: boolean; why: string }> {
  const host = env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  const socketPath = host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
  if (!socketPath) return Promise.resolve({ usable: true, why: `DOCKER_HOST=${host} (not checked)` });
  if (!existsSync(socketPath))
    return Promise.resolve({
      usable: false,
      why: `no Docker engine (no socket at ${socketPath}): install it (apt-get install docker.io)`,
    });
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 3000 }, (res) => {
      res.resume();
      resolve(
        res.statusCode === 200
          ? { usable: true, why: `the engine at ${socketPath} answers` }
          : { usable: false, why: `the engine at ${socketPath} answered ${res.statusCode}` },
      );
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 3 s')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({
        usable: false,
        why:
          error.code === 'EACCES'
            ? `this user may not use ${socketPath}: add it to the docker group, or join as root`
            : `the engine at ${socketPath} does not answer (${error.code ?? error.message}): is dockerd running?`,
      }),
    );
    req.end();
  });
}

/**
 * The hivemind-worker launcher next to this CLI: bin/hivemind-worker.js of the npm package (the
 * CLI is its lib/bundle/cli.js) or of the repository (the CLI is built under dist/).
 */
export function workerLauncher(from = __dirname): string | undefined {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const launcher = join(dir, 'bin', 'hivemind-worker.js');
    if (existsSync(launcher)) return launcher;
  }
  return undefined;
}
