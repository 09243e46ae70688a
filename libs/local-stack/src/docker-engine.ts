import Docker from 'dockerode';
import {
  type Exit,
  type RunningProcess,
  readyOrStopped,
  runningChild,
  spawnLogged,
  tailOf,
  waitUntil,
} from './child-process';
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
  const cannot = whyDockerdCannotStart();
  if (cannot) return { kind: 'unavailable', reason: `no Docker engine answers and ${cannot}` };
  return { kind: 'started', daemon: await DockerDaemon.start(logFile, detached) };
}

/** Why we cannot start a dockerd of our own here; undefined when we can. */
export function whyDockerdCannotStart(): string | undefined {
  if (!onPath('dockerd')) return 'dockerd is not installed';
  if (!isRoot()) return 'starting dockerd needs root';
  return undefined;
}

/** A dockerd we started, as our child. */
export class DockerDaemon implements RunningProcess {
  private constructor(private readonly handle: RunningProcess) {}

  get pid(): number {
    return this.handle.pid;
  }

  get exited(): Promise<Exit> {
    return this.handle.exited;
  }

  static async start(logFile: string, detached = false, signal?: AbortSignal): Promise<DockerDaemon> {
    const child = spawnLogged(
      'dockerd',
      ['--iptables=false', '--ip6tables=false', '--bridge=none'],
      logFile,
      { detached },
    );
    return readyOrStopped(new DockerDaemon(runningChild(child, 'SIGTERM', 20000)), () =>
      waitUntil(() => dockerAnswers(), {
        timeoutMs: 60000,
        child,
        signal,
        describe: () => `dockerd did not start; its log says:\n${tailOf(logFile)}`,
      }),
    );
  }

  stop(): Promise<void> {
    return this.handle.stop();
  }
}
