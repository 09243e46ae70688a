// The Docker executor learns of every container's end even when the engine's wait never tells it:
// real containers on the real engine, with the executor's wait answers taken away (the way a
// `next-exit` wait that reached the engine after a quick container had exited never answered).
// Also what its start does when the engine refuses the create (a leftover container, no image).
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { BUSYBOX_IMAGE, TASK_UID, buildBusyboxImage, imageExists } from '@hivemind/local-stack';
import { removeTree, stackInfo, waitFor } from '@hivemind/testing';
import { DockerExecutor, LABELS } from '../src/docker/docker-executor';
import type { LogSink, LogStream, RunSpec } from '../src/execution/executor';

const NODE = 'wt-exit-watch';
const docker = new Docker();
const describeDocker = stackInfo().docker ? describe : describe.skip;

/** The engine, except that every container's wait is lost: it never answers, or it fails. */
function losingWaits(engine: Docker, how: 'never' | 'fails'): Docker {
  const lose = (container: Docker.Container): Docker.Container => {
    const lost = (): Promise<never> =>
      how === 'never' ? new Promise<never>(() => undefined) : Promise.reject(new Error('socket hang up'));
    Object.assign(container, { wait: lost });
    return container;
  };
  return new Proxy(engine, {
    get(target, name) {
      if (name === 'createContainer')
        return async (options: Docker.ContainerCreateOptions) => lose(await target.createContainer(options));
      if (name === 'getContainer') return (id: string) => lose(target.getContainer(id));
      const value = Reflect.get(target, name, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

class Collect implements LogSink {
  text = '';
  saturated = false;
  write(_stream: LogStream, data: Buffer): void {
    this.text += data.toString();
  }
  waitDrain(): Promise<void> {
    return Promise.resolve();
  }
}

describeDocker('DockerExecutor: a container whose end the engine never reports', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'hivemind-exit-watch-'));
  let n = 0;

  const spec = (command: string[]): RunSpec => {
    const id = `exit-watch-${process.pid}-${++n}`;
    const workspace = join(scratch, id);
    mkdirSync(join(workspace, 'output'), { recursive: true });
    chmodSync(workspace, 0o777);
    chmodSync(join(workspace, 'output'), 0o777);
    return {
      attemptId: id,
      taskId: 'task',
      image: BUSYBOX_IMAGE,
      command,
      env: {},
      workspace,
      hasInput: false,
      cpuMillicores: 250,
      memoryMb: 128,
      pidsLimit: 64,
      storageMb: 0,
      networkAllowed: false,
      gpu: false,
      labels: { [LABELS.node]: NODE, [LABELS.attempt]: id },
    };
  };
  const executor = (engine: Docker, exitPollMs?: number) =>
    new DockerExecutor(engine, {
      user: `${TASK_UID}:${TASK_UID}`,
      network: 'none',
      pullTimeoutS: 5,
      exitPollMs,
    });

  beforeAll(async () => {
    if (!(await imageExists(docker, BUSYBOX_IMAGE))) await buildBusyboxImage(docker);
  }, 300_000);

  afterAll(async () => {
    for (const c of await docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.node}=${NODE}`] },
    }))
      await docker.getContainer(c.Id).remove({ force: true });
    removeTree(scratch);
  });

  it.each(['never', 'fails'] as const)(
    'reports the exit code and output of a quick command whose wait %s',
    async (how) => {
      const sink = new Collect();
      const handle = await executor(losingWaits(docker, how)).start(
        spec(['sh', '-c', 'echo out; exit 3']),
        sink,
      );
      const result = await handle.done;
      expect(result).toMatchObject({ exitCode: 3, oomKilled: false });
      expect(result.lost).toBeUndefined();
      expect(sink.text).toBe('out\n');
      await handle.remove();
      expect(await docker.listContainers({ all: true, filters: { id: [handle.id] } })).toEqual([]);
    },
  );

  it('notices the end of a run that writes for a while, by inspecting it', async () => {
    const handle = await executor(losingWaits(docker, 'never'), 300).start(
      spec(['sh', '-c', 'for i in 1 2 3; do echo $i; sleep 0.3; done; exit 5']),
      new Collect(),
    );
    await expect(handle.done).resolves.toMatchObject({ exitCode: 5 });
    await handle.remove();
  });

  it('ends a run whose container had already exited unseen when it is stopped', async () => {
    // no periodic inspection to speak of: the end of the log stream and the stop lead to it
    const handle = await executor(losingWaits(docker, 'never'), 3_600_000).start(
      spec(['sh', '-c', 'exec sleep 600']),
      new Collect(),
    );
    await docker.getContainer(handle.id).kill();
    await waitFor('the container to have exited', async () => {
      const info = await docker.getContainer(handle.id).inspect();
      return !info.State.Running;
    });
    await handle.stop(2);
    await expect(handle.done).resolves.toMatchObject({ exitCode: 137 });
    await handle.remove();
  });

  it('ends the run of a container removed behind its back', async () => {
    const handle = await executor(losingWaits(docker, 'never'), 500).start(
      spec(['sh', '-c', 'exec sleep 600']),
      new Collect(),
    );
    await docker.getContainer(handle.id).remove({ force: true });
    const result = await handle.done;
    // the engine kills it before removing it: seen as killed (137), or, once gone, as lost — with
    // the 137 when the watch saw the kill before the removal (a slow engine), else -1
    if (result.lost) expect([-1, 137]).toContain(result.exitCode);
    else expect(result.exitCode).toBe(137);
    await handle.remove(); // already gone: nothing to do, no error
  });

  // the start is one create call unless the engine refuses it: then the refusal is dealt with
  it('starts over a container of the same attempt left by an earlier try (a crash between create and start)', async () => {
    const s = spec(['sh', '-c', 'echo second; exit 4']);
    const stale = await docker.createContainer({
      name: `hivemind-${s.attemptId}`,
      Image: BUSYBOX_IMAGE,
      Cmd: ['sh', '-c', 'echo first'],
      Labels: s.labels,
    });
    const sink = new Collect();
    const handle = await executor(docker).start(s, sink);
    await expect(handle.done).resolves.toMatchObject({ exitCode: 4 });
    expect(sink.text).toBe('second\n');
    expect(handle.id).not.toBe(stale.id);
    expect(await docker.listContainers({ all: true, filters: { id: [stale.id] } })).toEqual([]);
    await handle.remove();
  });

  it('refuses a missing image that cannot be pulled with a clear message', async () => {
    const s = { ...spec(['true']), image: 'hivemind/not-there:1' };
    await expect(executor(docker).start(s, new Collect())).rejects.toThrow(
      /image hivemind\/not-there:1 is not on this node and pulling it failed/,
    );
  });
});
