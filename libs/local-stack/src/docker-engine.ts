import { type ChildProcess } from 'node:child_process';
import Docker from 'dockerode';
import { spawnLogged, stopChild, tailOf, waitUntil } from './child-process';
import { onPath } from './system-packages';
import { isRoot } from './system-user';

export async function dockerAnswers(docker: Docker = new Docker(), timeoutMs = 2000): Promise<boolean> {
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}

export type EngineState =
  { kind: 'running' } | { kind: 'started'; daemon: DockerDaemon } | { kind: 'unavailable'; reason: string };

/**
 * Makes sure a Docker engine answers: uses the running one, or starts `dockerd` ourselves when it is
 * installed and we are root (no bridge and no iptables: task containers run with NetworkMode none).
 */
export async function ensureDockerEngine(logFile: string, { detached = false } = {}): Promise<EngineState> {
  if (await dockerAnswers()) return { kind: 'running' };
  if (!onPath('dockerd'))
    return { kind: 'unavailable', reason: 'no Docker engine answers and dockerd is not installed' };
  if (!isRoot())
    return { kind: 'unavailable', reason: 'no Docker engine answers and starting dockerd needs root' };
  return { kind: 'started', daemon: await DockerDaemon.start(logFile, detached) };
}

/** A dockerd we started, as our child. */
export class DockerDaemon {
  private constructor(private readonly child: ChildProcess) {}

  static async start(logFile: string, detached = false): Promise<DockerDaemon> {
    const child = spawnLogged(
      'dockerd',
      ['--iptables=false', '--ip6tables=false', '--bridge=none'],
      logFile,
      { detached },
    );
    await waitUntil(() => dockerAnswers(), {
      timeoutMs: 60000,
      child,
      describe: () => `dockerd did not start; its log says:\n${tailOf(logFile)}`,
    });
    return new DockerDaemon(child);
  }

  async stop(): Promise<void> {
    await stopChild(this.child, 'SIGTERM', 20000);
  }
}
