import type { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import type Docker from 'dockerode';
import type {
  CreatedRun,
  Executor,
  LeftoverRun,
  LogSink,
  RunHandle,
  RunResult,
  RunSpec,
} from '../execution/executor';
import { ExitWatch } from './exit-watch';
import { LogFrames, sinceOf } from './log-frames';

export const LABELS = {
  node: 'hivemind.node',
  attempt: 'hivemind.attempt',
  task: 'hivemind.task',
  shard: 'hivemind.shard',
  fencingToken: 'hivemind.fencing_token',
} as const;

export interface DockerExecutorOptions {
  /** uid:gid tasks run as. */
  user: string;
  /** Network of tasks allowed network (NetworkMode none for all others). */
  network: string;
  pullTimeoutS: number;
  /** Size of the task's writable /tmp (the root filesystem is read-only). */
  tmpfsMb?: number;
  /** Between two inspections of a running container (the fallback when the engine's wait misses the exit). */
  exitPollMs?: number;
}

/** See ExitWatch: the inspection that notices an exit the engine's wait missed. */
const EXIT_POLL_MS = 2000;
/** Longest any single engine call of a run's end may take before the worker goes on without it. */
const ENGINE_CALL_MS = 10_000;
/** A stop answers within its grace period; beyond this much more the engine is not answering. */
const STOP_SLACK_MS = 15_000;

const MIB = 1024 * 1024;

const statusOf = (error: unknown): number | undefined => (error as { statusCode?: number }).statusCode;

/** Engine errors that only mean "already so" (stopped, removed). */
const ignoreGone = (error: unknown): void => {
  const status = statusOf(error);
  if (status !== 304 && status !== 404 && status !== 409) throw error;
};

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Peak memory and CPU time of a container, sampled from the engine's stats stream (1/s). */
class UsageSampler {
  peakBytes = 0;
  cpuNs = 0;
  private stream?: Readable;
  private stopped = false;

  async start(container: Docker.Container): Promise<void> {
    try {
      this.stream = (await container.stats({ stream: true })) as unknown as Readable;
    } catch {
      return; // no stats (the container already ended): usage stays as sampled
    }
    if (this.stopped) {
      this.stream.destroy(); // the run ended while the stream was being opened
      return;
    }
    let rest = '';
    this.stream.on('data', (chunk: Buffer) => {
      rest += chunk.toString();
      let newline: number;
      while ((newline = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, newline);
        rest = rest.slice(newline + 1);
        this.take(line);
      }
    });
    this.stream.on('error', () => undefined);
  }

  private take(line: string): void {
    try {
      const stats = JSON.parse(line) as {
        memory_stats?: { usage?: number; max_usage?: number };
        cpu_stats?: { cpu_usage?: { total_usage?: number } };
      };
      const memory = stats.memory_stats ?? {};
      this.peakBytes = Math.max(this.peakBytes, memory.max_usage ?? 0, memory.usage ?? 0);
      this.cpuNs = Math.max(this.cpuNs, stats.cpu_stats?.cpu_usage?.total_usage ?? 0);
    } catch {
      // a partial line: the next sample will do
    }
  }

  stop(): void {
    this.stopped = true;
    this.stream?.destroy();
  }
}

/**
 * Runs attempts in Docker containers, locked down: no network unless the task may have it, memory
 * (no swap), CPU and pids limits, a non-root user, all capabilities dropped, no new privileges, a
 * read-only root filesystem with the workspace bind-mounted read-write at /workspace and a small
 * /tmp. Output is read with the engine's timestamps so that a restarted worker resumes after the
 * last line it spooled.
 */
export class DockerExecutor implements Executor {
  readonly kind = 'docker';
  private readonly logger = new Logger(DockerExecutor.name);

  constructor(
    private readonly docker: Docker,
    private readonly opts: DockerExecutorOptions,
  ) {}

  async start(spec: RunSpec, sink: LogSink): Promise<RunHandle> {
    return (await this.create(spec)).start(sink);
  }

  async create(spec: RunSpec): Promise<CreatedRun> {
    const container = await this.createContainer(spec);
    return {
      start: async (sink) => {
        try {
          await container.start();
        } catch (error) {
          await container.remove({ force: true }).catch(() => undefined);
          throw new Error(`the container did not start: ${(error as Error).message}`, { cause: error });
        }
        // the end is watched only now, once the container runs (see ExitWatch: a `next-exit` wait
        // sent before the start can miss the exit of a quick command)
        return this.follow(container, sink);
      },
      discard: () =>
        withTimeout(container.remove({ force: true }), ENGINE_CALL_MS, 'the engine did not remove it').catch(
          ignoreGone,
        ),
    };
  }

  /**
   * Creates the run's container in one engine call in the usual case. Only when the engine refuses
   * does the worker do more: a missing image (404) is pulled, a container of this attempt left by an
   * earlier try (409: a crash between create and start) is removed, and the create is tried again.
   */
  private async createContainer(spec: RunSpec): Promise<Docker.Container> {
    const options = this.createOptions(spec);
    const handled = new Set<number>();
    for (;;) {
      try {
        return await this.docker.createContainer(options);
      } catch (error) {
        const status = statusOf(error);
        if (status === undefined || handled.has(status)) throw error;
        handled.add(status);
        if (status === 404) await this.ensureImage(spec.image);
        else if (status === 409)
          await this.docker.getContainer(options.name!).remove({ force: true }).catch(ignoreGone);
        else throw error;
      }
    }
  }

  private createOptions(spec: RunSpec): Docker.ContainerCreateOptions {
    return {
      name: `hivemind-${spec.attemptId}`,
      Image: spec.image,
      // like `docker run IMAGE COMMAND`: the command replaces CMD and goes to the image's entrypoint
      ...(spec.command.length ? { Cmd: spec.command } : {}),
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      WorkingDir: spec.hasInput ? '/workspace/input' : '/workspace',
      User: this.opts.user,
      Labels: spec.labels,
      HostConfig: {
        Binds: [`${spec.workspace}:/workspace:rw`],
        NetworkMode: spec.networkAllowed ? this.opts.network : 'none',
        Memory: spec.memoryMb * MIB,
        MemorySwap: spec.memoryMb * MIB,
        NanoCpus: spec.cpuMillicores * 1_000_000,
        PidsLimit: spec.pidsLimit,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        ReadonlyRootfs: true,
        Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${this.opts.tmpfsMb ?? 64}m` },
        LogConfig: { Type: 'json-file', Config: { 'max-size': '64m', 'max-file': '2' } },
        // needs the NVIDIA container toolkit; without it the start fails and the pool retries elsewhere
        ...(spec.gpu ? { DeviceRequests: [{ Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }] } : {}),
        ...(spec.storageMb > 0
          ? { Ulimits: [{ Name: 'fsize', Soft: spec.storageMb * MIB, Hard: spec.storageMb * MIB }] }
          : {}),
      },
    };
  }

  async resume(leftover: LeftoverRun, sink: LogSink, sinceTs?: string): Promise<RunHandle> {
    return this.follow(this.docker.getContainer(leftover.id), sink, sinceTs);
  }

  async leftovers(nodeName: string): Promise<LeftoverRun[]> {
    const containers = await this.docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.node}=${nodeName}`] },
    });
    return containers.map((c) => ({
      attemptId: c.Labels[LABELS.attempt] ?? '',
      id: c.Id,
      running: c.State === 'running' || c.State === 'restarting',
      labels: c.Labels,
    }));
  }

  async discard(leftover: LeftoverRun): Promise<void> {
    await this.docker.getContainer(leftover.id).remove({ force: true }).catch(ignoreGone);
  }

  /** The image, pulled when missing; a clear error when it cannot be had within the pull timeout. */
  private async ensureImage(image: string): Promise<void> {
    try {
      await this.docker.getImage(image).inspect();
      return;
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    const pulled = (async () => {
      const stream = await this.docker.pull(image);
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(stream, (error: Error | null, events: { error?: string }[]) => {
          const failed = error?.message ?? events.find((e) => e.error)?.error;
          if (failed) reject(new Error(failed));
          else resolve();
        }),
      );
    })();
    try {
      await withTimeout(
        pulled,
        this.opts.pullTimeoutS * 1000,
        `no answer within ${this.opts.pullTimeoutS} s`,
      );
    } catch (error) {
      pulled.catch(() => undefined);
      throw new MissingImageError(
        `image ${image} is not on this node and pulling it failed: ${(error as Error).message.split('\n')[0]}`,
      );
    }
  }

  private async follow(container: Docker.Container, sink: LogSink, sinceTs?: string): Promise<RunHandle> {
    const short = container.id.slice(0, 12);
    const watch = new ExitWatch(container, {
      pollMs: this.opts.exitPollMs ?? EXIT_POLL_MS,
      inspectTimeoutMs: ENGINE_CALL_MS,
      onMissedWait: (seen, waitError) =>
        this.logger.warn(
          `container ${short} ${seen.how === 'gone' ? 'vanished' : `exited (${seen.exitCode})`}, and the engine's wait ` +
            `${waitError ? `failed (${waitError})` : 'did not say so'}: noticed by inspection`,
        ),
    });
    const usage = new UsageSampler();
    void usage.start(container);
    const frames = new LogFrames(sink, sinceTs);
    const logs = (await container.logs({
      follow: true,
      stdout: true,
      stderr: true,
      timestamps: true,
      ...(sinceTs ? { since: sinceOf(sinceTs) } : {}),
    })) as unknown as Readable;
    const ended = new Promise<void>((resolve) => {
      frames.once('finish', resolve);
      frames.once('error', () => resolve());
      logs.once('error', () => resolve());
    });
    // the follow stream ends when the container stops: look at once rather than at the next poll
    void ended.then(() => watch.poke());
    logs.pipe(frames);
    let stopping: Promise<void> | undefined;

    const done = (async (): Promise<RunResult> => {
      const seen = await watch.exited;
      // the follow stream can end a moment before the engine has written the last lines
      await withTimeout(ended, 3000, 'logs').catch(() => logs.destroy());
      usage.stop();
      // the two calls of the end go to the engine together
      const [, info] = await Promise.all([
        withTimeout(this.catchUp(container, sink, frames.last), ENGINE_CALL_MS, 'logs').catch(
          () => undefined,
        ),
        withTimeout(container.inspect(), ENGINE_CALL_MS, 'inspect').catch(() => undefined),
      ]);
      const usageFigures = {
        cpuSeconds: Math.round(usage.cpuNs / 1e6) / 1000,
        peakMemoryMb: Math.round(usage.peakBytes / MIB),
      };
      if (!info) {
        // removed behind the worker's back (or the engine stopped answering): the node's fault
        return {
          exitCode: seen.exitCode ?? -1,
          oomKilled: false,
          durationMs: 1,
          ...usageFigures,
          error: 'the container vanished from the Docker engine before its end could be read',
          lost: true,
        };
      }
      const started = Date.parse(info.State.StartedAt);
      const finished = Date.parse(info.State.FinishedAt);
      return {
        exitCode: info.State.ExitCode,
        oomKilled: info.State.OOMKilled,
        // at least 1 ms for a run that happened (0 reads as "not measured" on the wire)
        durationMs: Math.max(1, finished - started || 0),
        ...usageFigures,
      };
    })();

    return {
      id: container.id,
      done,
      exited: watch.exited.then(() => undefined),
      stop: (graceS: number) => {
        stopping ??= withTimeout(
          container.stop({ t: graceS }).then(() => undefined, ignoreGone),
          graceS * 1000 + STOP_SLACK_MS,
          `the engine did not stop container ${short} within ${graceS} s + ${STOP_SLACK_MS / 1000} s`,
        ).finally(() => watch.poke()); // stopped, or already ended: the watch confirms at once
        return stopping;
      },
      remove: () =>
        withTimeout(
          container.remove({ force: true }).then(() => undefined, ignoreGone),
          ENGINE_CALL_MS,
          `the engine did not remove container ${short} within ${ENGINE_CALL_MS / 1000} s`,
        ).finally(() => watch.poke()),
    };
  }

  /** Lines written after the follow stream ended (see follow), at most once each. */
  private async catchUp(container: Docker.Container, sink: LogSink, after?: string): Promise<void> {
    const raw = await container
      .logs({
        follow: false,
        stdout: true,
        stderr: true,
        timestamps: true,
        ...(after ? { since: sinceOf(after) } : {}),
      })
      .catch((): Buffer | undefined => undefined);
    if (!raw?.length) return;
    const frames = new LogFrames(sink, after);
    await new Promise<void>((resolve) => frames.end(raw, () => resolve()));
  }
}

/** The task's image is not on this node and could not be pulled. */
export class MissingImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingImageError';
  }
}
