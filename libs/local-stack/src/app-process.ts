import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type RunningProcess, readyOrStopped, runningChild } from './child-process';

/**
 * Starts one of our Node apps (the node pool, the worker) with its output prefixed by `name` and
 * `nodeFlags` for Node itself, and resolves once `ready` does; stops it when it never gets ready.
 */
export async function startApp(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  ready: (child: ChildProcess) => Promise<void>,
  nodeFlags: readonly string[] = [],
): Promise<RunningProcess> {
  const child = spawn(process.execPath, [...nodeFlags, script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // Ctrl-C reaches only the launcher, which stops the apps in order
  });
  child.once('error', () => undefined); // a failed spawn leaves no pid: runningChild says so
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
  }
  // Nest finishes its shutdown hooks (closing streams, leaving the replica list) within this
  return readyOrStopped(runningChild(child, 'SIGTERM', 15000), () => ready(child));
}
